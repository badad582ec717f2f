"""SSM Parameter Store's errors, by the names of its JSON 1.1 API (botocore's `ssm` model).
SSM answers every one of them 400."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError
from overcast.aws.errors import ValidationException as _ValidationException
from overcast.aws.request_id import new_request_id


class SsmError(UserError):
    """Raised when an SSM request fails (the model states no status: AWS answers 400)."""

    model = "ssm"


class ValidationException(_ValidationException):
    """Raised when SSM refuses an input (a parameter name, a value, Tags with Overwrite)."""


class AccessDeniedException(SsmError):
    """Raised when a name is in AWS's reserved `/aws/` hierarchy, and when IAM refuses a
    request (400, as SSM answers its errors)."""

    code = "AccessDeniedException"


def kms_refused(message: str) -> AccessDeniedException:
    """KMS's refusal to use a SecureString's key for the caller, as Parameter Store passes it
    on: KMS's sentence, then the KMS call's service, status, code and request id in the AWS
    SDK for Java's words (`(Service: AWSKMS; Status Code: 400; Error Code:
    AccessDeniedException; Request ID: ...; Proxy: null)`)."""
    return AccessDeniedException(
        f"{message} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
        f"Request ID: {new_request_id()}; Proxy: null)"
    )


class ParameterNotFound(MissingResource):
    """Raised when a parameter does not exist."""

    status = 400
    code = "ParameterNotFound"


class ParameterVersionNotFound(SsmError):
    """Raised when a parameter has no version (or label) of what was asked."""

    code = "ParameterVersionNotFound"


class ParameterAlreadyExists(SsmError):
    """Raised when PutParameter names an existing parameter without Overwrite."""

    code = "ParameterAlreadyExists"


class HierarchyLevelLimitExceededException(SsmError):
    """Raised when a name has more than 15 levels of hierarchy."""

    code = "HierarchyLevelLimitExceededException"


class ParameterPatternMismatchException(SsmError):
    """Raised when a value does not match its parameter's AllowedPattern."""

    code = "ParameterPatternMismatchException"


class InvalidAllowedPatternException(SsmError):
    """Raised when an AllowedPattern is not a regular expression."""

    code = "InvalidAllowedPatternException"


class ParameterMaxVersionLimitExceeded(SsmError):
    """Raised when the oldest of 100 versions, which a new one would drop, has a label."""

    code = "ParameterMaxVersionLimitExceeded"


class ParameterVersionLabelLimitExceeded(SsmError):
    """Raised when a version would have more than 10 labels."""

    code = "ParameterVersionLabelLimitExceeded"


class InvalidKeyId(SsmError):
    """Raised when a SecureString's KMS key cannot encrypt or decrypt it."""

    code = "InvalidKeyId"


class InvalidFilterKey(SsmError):
    """Raised when a filter names a key the operation does not filter on."""

    code = "InvalidFilterKey"


class InvalidFilterOption(SsmError):
    """Raised when a filter's Option is not one its key takes."""

    code = "InvalidFilterOption"


class InvalidNextToken(SsmError):
    """Raised when a NextToken is not one this server handed out."""

    code = "InvalidNextToken"


class InvalidResourceType(SsmError):
    """Raised when a tagging call names a resource type other than Parameter."""

    code = "InvalidResourceType"


class InvalidResourceId(SsmError):
    """Raised when a tagging call names a parameter that does not exist."""

    code = "InvalidResourceId"


class TooManyTagsError(SsmError):
    """Raised when a parameter would have more than 50 tags."""

    code = "TooManyTagsError"
