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
