"""Secrets Manager's errors, by the names of its JSON 1.1 API (botocore's `secretsmanager`
model); AWS answers each 400."""

from __future__ import annotations

from overcast.aws.errors import MissingResource, UserError


class SecretsError(UserError):
    """Raised when a Secrets Manager request fails."""

    model = "secretsmanager"


class ResourceNotFoundException(MissingResource):
    """Raised when a secret, or the version of it asked for, does not exist."""

    status = 400
    model = "secretsmanager"


class InvalidParameterException(SecretsError):
    """Raised when a parameter's value is not valid for the operation."""

    code = "InvalidParameterException"


class InvalidRequestException(SecretsError):
    """Raised when the secret's state forbids the operation (marked for deletion, ...)."""

    code = "InvalidRequestException"


class ResourceExistsException(SecretsError):
    """Raised when a secret of that name, or a version with that token, exists already."""

    code = "ResourceExistsException"


class EncryptionFailure(SecretsError):
    """Raised when KMS cannot encrypt a secret's value under its key."""

    code = "EncryptionFailure"


class DecryptionFailure(SecretsError):
    """Raised when KMS cannot decrypt a secret's value."""

    code = "DecryptionFailure"


class MalformedPolicyDocumentException(SecretsError):
    """Raised when a resource policy is not a JSON policy document."""

    code = "MalformedPolicyDocumentException"


class InvalidNextTokenException(SecretsError):
    """Raised when a NextToken is not one this server handed out."""

    code = "InvalidNextTokenException"


class AccessDeniedException(SecretsError):
    """Raised when IAM refuses a request (400, as Secrets Manager answers its errors)."""

    code = "AccessDeniedException"


def kms_refused() -> AccessDeniedException:
    """KMS's refusal to use a secret's key for the caller, as Secrets Manager answers it."""
    return AccessDeniedException("Access to KMS is not allowed")
