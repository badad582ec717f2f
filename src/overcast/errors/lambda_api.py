"""Lambda's errors: those of its REST API, which the shared protocol code raises for every
service that speaks it (ValidationException, InvalidRequestContentException, ...)."""

from __future__ import annotations

from overcast.errors.base import UserError


class ResourceNotFoundException(UserError):
    """Raised when a function, version, alias or other resource does not exist."""

    status = 404
    code = "ResourceNotFoundException"


class ProvisionedConcurrencyConfigNotFoundException(ResourceNotFoundException):
    """Raised when a version or alias has no provisioned-concurrency config."""

    code = "ProvisionedConcurrencyConfigNotFoundException"


class ResourceConflictException(UserError):
    """Raised when a resource exists already or is busy with another update."""

    status = 409
    code = "ResourceConflictException"


class ResourceInUseException(UserError):
    """Raised when a resource is in use by another resource (an alias pins a version)."""

    code = "ResourceInUseException"


class InvalidParameterValueException(UserError):
    """Raised when a parameter is well-formed but not acceptable."""

    code = "InvalidParameterValueException"


class ValidationException(UserError):
    """Raised when input breaks a constraint of the service model (length, range, pattern)."""

    code = "ValidationException"

    def body(self) -> dict:
        return {"message": self.message}


class InvalidEventPatternException(UserError):
    """Raised when an event pattern (EventBridge rule, Lambda filter criteria) is not valid.

    `reason` is the parser's own sentence, kept apart so a caller that reports filter errors
    under another name (Lambda's event source mappings) can reuse it.
    """

    code = "InvalidEventPatternException"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Event pattern is not valid. Reason: {reason}")
        self.reason = reason


class InvalidRequestContentException(UserError):
    """Raised when a request body cannot be parsed."""

    code = "InvalidRequestContentException"


class UnsupportedMediaTypeException(UserError):
    """Raised when a request's Content-Type is not one Lambda accepts."""

    status = 415
    code = "UnsupportedMediaTypeException"


class RequestTooLargeException(UserError):
    """Raised when an invocation payload exceeds Lambda's payload limit."""

    status = 413
    code = "RequestTooLargeException"


class RequestEntityTooLargeException(UserError):
    """Raised when a control-plane request body exceeds Lambda's request size limit."""

    status = 413
    code = "RequestEntityTooLargeException"


class PreconditionFailedException(UserError):
    """Raised when a RevisionId precondition does not match the current revision."""

    status = 412
    code = "PreconditionFailedException"


class CodeStorageExceededException(UserError):
    """Raised when stored code would exceed the account's code storage limit."""

    code = "CodeStorageExceededException"


class TooManyRequestsException(UserError):
    """Raised when an invocation is throttled by a concurrency limit."""

    status = 429
    code = "TooManyRequestsException"

    def __init__(self, message: str, reason: str, retry_after: int = 1) -> None:
        super().__init__(message, Reason=reason, retryAfterSeconds=str(retry_after))
        self.retry_after = retry_after


class RecursiveInvocationException(UserError):
    """Raised when an invocation would continue a recursive loop past Lambda's 16 hops."""

    status = 400
    code = "RecursiveInvocationException"


class UnknownOperationException(UserError):
    """Raised when no operation of any Overcast API matches the request."""

    status = 404
    code = "UnknownOperationException"
