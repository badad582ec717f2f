"""STS's errors, by the codes its query protocol sends (`AccessDenied`, `ValidationError`,
`MalformedPolicyDocument`, ...); statuses come from the error shapes of botocore's `sts`
model where it has them."""

from __future__ import annotations

from overcast.aws.errors import UserError


class StsError(UserError, model="sts"):
    """Base of STS's errors."""

    status = 400


class AccessDenied(StsError):
    """Raised when the caller may not do what it asks: a role whose trust policy does not
    admit it, GetSessionToken with session credentials (403)."""

    code = "AccessDenied"
    status = 403


class ValidationError(StsError):
    """Raised when input breaks a constraint (the model's, or a role's MaxSessionDuration)."""

    code = "ValidationError"


class InvalidAction(StsError):
    """Raised when a request names no Action, or one Overcast lacks."""

    code = "InvalidAction"


class MalformedPolicyDocument(StsError):
    """Raised when a session policy is not a policy STS accepts (400)."""

    code = "MalformedPolicyDocument"
    shape = "MalformedPolicyDocumentException"


class PackedPolicyTooLarge(StsError):
    """Raised when the session policies and tags, packed, exceed the session's space (400)."""

    code = "PackedPolicyTooLarge"
    shape = "PackedPolicyTooLargeException"
