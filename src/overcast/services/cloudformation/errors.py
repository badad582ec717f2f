"""CloudFormation's errors, by the names of its query API (botocore's `cloudformation` model).

Most of what CloudFormation refuses it answers as `ValidationError` (400, `Sender`), a code its
model declares no shape for: a template it cannot read ("Template format error: ..."), a
parameter without a value, a stack that does not exist.
"""

from __future__ import annotations

from overcast.aws.errors import UserError


class CloudFormationError(UserError, model="cloudformation"):
    """Raised when a CloudFormation request fails; the status comes from the model's error
    shape where it has one (400 otherwise, as CloudFormation answers)."""


class ValidationError(CloudFormationError):
    """Raised when CloudFormation refuses an input (a template, a parameter, a name)."""

    code = "ValidationError"


class TemplateError(ValidationError):
    """Raised when a template cannot be read, transformed or evaluated, in CloudFormation's
    words ("Template format error: ...", "Template error: ..."): a `ValidationError` on the
    wire, told apart so that the engine can fail a change set or stack with its message."""


class AlreadyExistsException(CloudFormationError):
    """Raised when a stack or change set of that name exists already."""

    code = "AlreadyExistsException"


class InsufficientCapabilitiesException(CloudFormationError):
    """Raised when a template needs a capability (CAPABILITY_IAM, ...) the request lacks."""

    code = "InsufficientCapabilitiesException"


class ChangeSetNotFoundException(CloudFormationError):
    """Raised when a change set named by name or ARN does not exist."""

    code = "ChangeSetNotFound"
    shape = "ChangeSetNotFoundException"


class InvalidChangeSetStatusException(CloudFormationError):
    """Raised when a change set cannot be executed or deleted in its present status."""

    code = "InvalidChangeSetStatus"
    shape = "InvalidChangeSetStatusException"


class TokenAlreadyExistsException(CloudFormationError):
    """Raised when a ClientRequestToken was used already for another request."""

    code = "TokenAlreadyExistsException"


class AccessDenied(CloudFormationError):
    """Raised when IAM refuses a request, as CloudFormation's query API names it (403)."""

    status = 403
    code = "AccessDenied"
