"""IAM's errors, by the codes its query protocol sends (`NoSuchEntity`, `DeleteConflict`, ...);
statuses come from the error shapes of botocore's `iam` model."""

from __future__ import annotations

from overcast.aws.errors import UserError


class IamError(UserError, model="iam"):
    """Base of IAM's errors (`shape`: the error's shape in the model)."""

    shape = "ServiceFailureException"


class NoSuchEntity(IamError):
    """Raised when a user, group, role, policy, version or key does not exist (404)."""

    code = "NoSuchEntity"
    shape = "NoSuchEntityException"


class EntityAlreadyExists(IamError):
    """Raised when a name is taken: IAM names are unique regardless of case (409)."""

    code = "EntityAlreadyExists"
    shape = "EntityAlreadyExistsException"


class DeleteConflict(IamError):
    """Raised when an entity still has what must go first (policies, keys, members) (409)."""

    code = "DeleteConflict"
    shape = "DeleteConflictException"


class LimitExceeded(IamError):
    """Raised when a quota would be exceeded (keys per user, versions, sizes) (409)."""

    code = "LimitExceeded"
    shape = "LimitExceededException"


class MalformedPolicyDocument(IamError):
    """Raised when a policy document is not a policy IAM accepts (400)."""

    code = "MalformedPolicyDocument"
    shape = "MalformedPolicyDocumentException"


class InvalidInput(IamError):
    """Raised when an input is well-formed but not acceptable (a bad ARN, a marker) (400)."""

    code = "InvalidInput"
    shape = "InvalidInputException"


class ValidationError(IamError):
    """Raised when input breaks a constraint of the service model (IAM's `ValidationError`)."""

    code = "ValidationError"
    shape = "ValidationError"
    status = 400


class InvalidAction(IamError):
    """Raised when a request names no Action, or one Overcast lacks (`InvalidAction`)."""

    code = "InvalidAction"
    shape = "InvalidAction"
    status = 400


class AccessDenied(IamError):
    """Raised when a request would change one of AWS's managed policies, which belong to
    AWS's account, not this one (403), and when IAM's policies refuse a request to IAM."""

    code = "AccessDenied"
    status = 403
