"""Environment variables encrypted at rest, as Lambda keeps them.

Lambda encrypts a function's variables with its `KMSKeyArn`, or with the account's AWS managed
key `alias/aws/lambda` when none is set, and decrypts them to start environments. Here the
store only ever holds the ciphertext (`Configuration.sealed_environment`); memory holds the
variables decrypted once, when a configuration is written or loaded at start, never per
invoke. A version whose variables cannot be decrypted at load keeps the reason
(`environment_fault`): GetFunctionConfiguration answers it as `Environment.Error`, and Invoke
raises Lambda's KMS error (502).

The encryption context names the function, `{"LambdaFunctionName": name}`, as the Lambda
console's encryption helpers do: a blob copied to another function's row does not decrypt.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace

from overcast.aws.errors import InvalidParameterValueException, ServiceError
from overcast.services.lambda_.errors import (
    KMSAccessDeniedException,
    KMSDisabledException,
    KMSError,
    KMSInvalidStateException,
    KMSNotFoundException,
)
from overcast.services.lambda_.model.configuration import Configuration, EnvironmentFault
from overcast.types import Keys

AWS_MANAGED_KEY = "alias/aws/lambda"
ALIAS_REFUSED = "Key Aliases are not supported for this operation."  # KMS's CreateGrant words

# KMS's error on Decrypt -> Lambda's error at Invoke, and the reason its message gives.
REFUSALS: dict[str, tuple[type[KMSError], str]] = {
    "NotFoundException": (KMSNotFoundException, "the KMS key was not found"),
    "DisabledException": (KMSDisabledException, "the KMS key used is disabled"),
    "KMSInvalidStateException": (
        KMSInvalidStateException,
        "the KMS key used is in an invalid state for Decrypt",
    ),
}
DENIED = (KMSAccessDeniedException, "KMS access was denied")


class EnvironmentSeal:
    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    def seal(self, region: str, config: Configuration) -> Configuration:
        """`config` with its variables encrypted under its key. A key Lambda could not use
        is refused as Lambda refuses it at CreateFunction / UpdateFunctionConfiguration."""
        key = config.kms_key_arn
        if key and ":alias/" in key:  # Lambda grants itself the key: a grant takes no alias
            raise _grant_refused("InvalidArnException", ALIAS_REFUSED)
        if config.environment is None:
            if key:  # nothing to encrypt, but the key is still checked
                self._encrypt(region, config, b"{}")
            return replace(config, sealed_environment=None, environment_fault=None)
        plaintext = json.dumps(config.environment, sort_keys=True).encode()
        blob = self._encrypt(region, config, plaintext)
        return replace(
            config, sealed_environment=base64.b64encode(blob).decode(), environment_fault=None
        )

    def unseal(self, region: str, config: Configuration) -> Configuration:
        """`config` with its variables decrypted, or with the reason they could not be."""
        if config.sealed_environment is None:
            return config  # no variables, or an old record's in clear (see `needs_sealing`)
        blob = base64.b64decode(config.sealed_environment)
        try:
            plaintext, _ = self.keys.decrypt(region, blob, _context(config))
        except ServiceError as error:
            return replace(config, environment=None, environment_fault=_fault(error))
        return replace(config, environment=json.loads(plaintext), environment_fault=None)

    def _encrypt(self, region: str, config: Configuration, plaintext: bytes) -> bytes:
        key = config.kms_key_arn or AWS_MANAGED_KEY
        try:
            blob, _ = self.keys.encrypt(region, key, plaintext, _context(config))
        except ServiceError as error:
            raise _grant_refused(error.code, error.message) from None
        return blob


def needs_sealing(config: Configuration) -> bool:
    """True for a record written before variables were encrypted: they are in clear."""
    return config.environment is not None and config.sealed_environment is None


def refusal(fault: EnvironmentFault) -> KMSError:
    """The error Invoke raises for a version whose variables could not be decrypted."""
    kind = next((k for k, _ in [*REFUSALS.values(), DENIED] if k.code == fault.code), None)
    return (kind or KMSAccessDeniedException)(fault.message)


def _context(config: Configuration) -> dict[str, str]:
    return {"LambdaFunctionName": config.name}


def _fault(error: ServiceError) -> EnvironmentFault:
    # Lambda's wording as users have quoted it ("... KMS Exception: AccessDeniedExceptionKMS
    # Message: ..."), with no space before "KMS Message".
    kind, reason = REFUSALS.get(error.code, DENIED)
    return EnvironmentFault(
        kind.code,
        f"Lambda was unable to decrypt the environment variables because {reason}. Please "
        f"check the function's KMS key settings. KMS Exception: {error.code}KMS Message: "
        f"{error.message}",
    )


def _grant_refused(code: str, message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(
        "Lambda was unable to configure access to your environment variables because the KMS "
        f"key is invalid for CreateGrant. Please check your KMS key settings. KMS Exception: "
        f"{code} KMS Message: {message}"
    )
