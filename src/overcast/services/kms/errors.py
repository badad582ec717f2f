"""KMS's errors, by the names of its JSON 1.1 API (botocore's `kms` model), with
`{"__type", "message"}`. The model states no status: KMS answers every client error 400,
NotFoundException included."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError


class KmsError(UserError):
    """Raised when a KMS request fails (400, the caller's fault)."""


class NotFoundException(MissingResource, model="kms"):
    """Raised when a key, alias or policy a request names does not exist (400 in KMS).
    It is a MissingResource, so a service encrypting through `types.Keys` can tell."""

    status = 400
    code = "NotFoundException"


class DisabledException(KmsError, model="kms"):
    """Raised when a cryptographic operation names a disabled key: `<key ARN> is disabled.`"""

    code = "DisabledException"


class KMSInvalidStateException(KmsError, model="kms"):
    """Raised when a key's state does not allow the operation (pending deletion, or
    CancelKeyDeletion of a key that is not pending deletion)."""

    code = "KMSInvalidStateException"


class InvalidCiphertextException(KmsError, model="kms"):
    """Raised when a ciphertext blob is not one of ours, was altered, or its encryption
    context differs from the one given to decrypt it."""

    code = "InvalidCiphertextException"


class IncorrectKeyException(KmsError, model="kms"):
    """Raised when Decrypt's or ReEncrypt's KeyId is not the key that encrypted the blob."""

    code = "IncorrectKeyException"


class AlreadyExistsException(KmsError, model="kms"):
    """Raised when CreateAlias names an alias that exists in the account and Region."""

    code = "AlreadyExistsException"


class InvalidAliasNameException(KmsError, model="kms"):
    """Raised when an alias name is reserved (`alias/aws/`) or otherwise not allowed."""

    code = "InvalidAliasNameException"


class InvalidMarkerException(KmsError, model="kms"):
    """Raised when a list's Marker is not one this server handed out."""

    code = "InvalidMarkerException"


class MalformedPolicyDocumentException(KmsError, model="kms"):
    """Raised when a key policy is not a JSON object."""

    code = "MalformedPolicyDocumentException"


class TagException(KmsError, model="kms"):
    """Raised when tags are reserved (`aws:`) or repeat a key."""

    code = "TagException"


class UnsupportedOperationException(KmsError, model="kms"):
    """Raised when an operation asks for what Overcast's KMS does not keep (asymmetric or
    HMAC keys, external key material, multi-Region keys)."""

    code = "UnsupportedOperationException"


class UnknownOperationException(KmsError):
    """Raised when an `X-Amz-Target: TrentService.*` names an operation Overcast lacks."""

    code = "UnknownOperationException"


class KmsValidationException(KmsError):
    """Raised for KMS's own checks that are not model constraints (a window outside 7-30
    days, KeySpec and NumberOfBytes both given)."""

    code = "ValidationException"


class InvalidKeyUsageException(KmsError, model="kms"):
    """Raised when an operation asks a key for an algorithm it does not have (an asymmetric
    EncryptionAlgorithm with a symmetric key)."""

    code = "InvalidKeyUsageException"


class AccessDeniedException(KmsError):
    """Raised when IAM refuses a request (400, as KMS answers every client error)."""

    code = "AccessDeniedException"
