"""EventBridge Scheduler's errors, by the names of its REST-JSON API (botocore's `scheduler`
model, which gives each its status: ValidationException 400, ResourceNotFoundException 404,
ConflictException 409, ServiceQuotaExceededException 402)."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError


class ValidationException(UserError, model="scheduler"):
    """Raised when a request's input breaks one of Scheduler's rules (a schedule expression
    it cannot read, a target it does not serve)."""

    code = "ValidationException"


class ResourceNotFoundException(MissingResource, model="scheduler"):
    """Raised when a schedule or schedule group does not exist ("Schedule x does not
    exist.")."""

    code = "ResourceNotFoundException"


class ConflictException(UserError, model="scheduler"):
    """Raised when a schedule or group of that name exists already, or a group is deleted
    while it is being deleted (the `default` group cannot be deleted)."""

    code = "ConflictException"


class AccessDeniedException(UserError):
    """Raised when IAM refuses a request: 403, as AWS's common errors give it."""

    status = 403
    code = "AccessDeniedException"
