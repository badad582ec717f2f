"""SNS's errors, by the codes its query protocol sends (`NotFound`, `InvalidParameter`, ...)."""

from __future__ import annotations

from overcast.aws.errors import UserError


class NotFoundException(UserError, model="sns"):
    """Raised when a topic or subscription does not exist (SNS's `NotFound`)."""

    code = "NotFound"


class InvalidParameterException(UserError, model="sns"):
    """Raised when an SNS request parameter breaks SNS's rules (`InvalidParameter`)."""

    code = "InvalidParameter"


class InvalidParameterValueException(UserError, model="sns"):
    """Raised when a message attribute is malformed (SNS's `ParameterValueInvalid`)."""

    code = "ParameterValueInvalid"


class ValidationException(UserError, model="sns"):
    """Raised when SNS input breaks a constraint of the service model (`ValidationError`)."""

    code = "ValidationError"


class InvalidAction(UserError, model="sns"):
    """Raised when an SNS request names no Action, or one Overcast lacks (`InvalidAction`)."""

    code = "InvalidAction"


class BatchRequestError(UserError, model="sns"):
    """Raised when a PublishBatch request as a whole is refused (its code says why:
    TooManyEntriesInBatchRequest, EmptyBatchRequest, BatchEntryIdsNotDistinct,
    InvalidBatchEntryId, BatchRequestTooLong)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class AuthorizationErrorException(UserError, model="sns"):
    """Raised when IAM refuses a request (403 `AuthorizationError`). SNS spells the action
    with its prefix in capitals: "... is not authorized to perform: SNS:Publish on resource:
    arn:aws:sns:...", as its answers show."""

    code = "AuthorizationError"
