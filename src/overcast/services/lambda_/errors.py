"""Lambda's own errors, by the names and statuses of its REST API (botocore's `lambda` model).

The errors every REST-JSON service shares (ValidationException, InvalidRequestContentException,
InvalidParameterValueException, ...) are the protocol's, in `aws/errors.py`.
"""

from __future__ import annotations

from overcast.aws.errors import MissingResource, ServiceError, UserError


class ResourceNotFoundException(MissingResource, model="lambda"):
    """Raised when a function, version, alias or other resource does not exist (404)."""


class ProvisionedConcurrencyConfigNotFoundException(ResourceNotFoundException):
    """Raised when a version or alias has no provisioned-concurrency config."""

    code = "ProvisionedConcurrencyConfigNotFoundException"


class CodeSigningConfigNotFoundException(MissingResource, model="lambda"):
    """Raised when PutFunctionCodeSigningConfig or CreateFunction names a code signing config
    that does not exist (404)."""

    code = "CodeSigningConfigNotFoundException"


class PolicyLengthExceededException(UserError, model="lambda"):
    """Raised when AddPermission would make a resource-based policy larger than Lambda's
    quota (20 KB)."""

    code = "PolicyLengthExceededException"


class ResourceConflictException(UserError, model="lambda"):
    """Raised when a resource exists already or is busy with another update."""

    code = "ResourceConflictException"


class ResourceInUseException(UserError, model="lambda"):
    """Raised when a resource is in use by another resource (an alias pins a version)."""

    code = "ResourceInUseException"


class PreconditionFailedException(UserError, model="lambda"):
    """Raised when a RevisionId precondition does not match the current revision."""

    code = "PreconditionFailedException"


class CodeStorageExceededException(UserError, model="lambda"):
    """Raised when stored code would exceed the account's code storage limit."""

    code = "CodeStorageExceededException"


class TooManyRequestsException(UserError, model="lambda"):
    """Raised when an invocation is throttled by a concurrency limit: 429 with the `Reason`,
    `retryAfterSeconds` in the body and a `Retry-After` header, as Lambda answers."""

    code = "TooManyRequestsException"

    def __init__(self, message: str, reason: str, retry_after: int = 1) -> None:
        super().__init__(message, Reason=reason, retryAfterSeconds=str(retry_after))
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RecursiveInvocationException(UserError, model="lambda"):
    """Raised when an invocation would continue a recursive loop past Lambda's 16 hops."""

    code = "RecursiveInvocationException"


class KMSError(ServiceError):
    """Raised at Invoke when Lambda cannot decrypt the function's environment variables
    (502, as Lambda's model states); the subclass names the KMS failure."""


class KMSNotFoundException(KMSError, model="lambda"):
    """The key that encrypted the environment variables was not found."""

    code = "KMSNotFoundException"


class KMSDisabledException(KMSError, model="lambda"):
    """The key that encrypted the environment variables is disabled."""

    code = "KMSDisabledException"


class KMSInvalidStateException(KMSError, model="lambda"):
    """The key's state (pending deletion) does not allow Decrypt."""

    code = "KMSInvalidStateException"


class KMSAccessDeniedException(KMSError, model="lambda"):
    """KMS refused to decrypt (Lambda's answer to a ciphertext KMS cannot use)."""

    code = "KMSAccessDeniedException"
