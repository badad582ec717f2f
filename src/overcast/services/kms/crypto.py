"""KMS's cryptographic operations on symmetric keys: Encrypt, Decrypt, ReEncrypt, the data
keys and GenerateRandom. Also the `types.Keys` other services encrypt at rest with.

Every operation needs an Enabled key: a Disabled one answers DisabledException
`<key ARN> is disabled.`, one pending deletion KMSInvalidStateException
`<key ARN> is pending deletion.` (AWS's "Key states of KMS keys").
"""

from __future__ import annotations

import os

from overcast.services.kms import ciphertext
from overcast.services.kms.errors import (
    IncorrectKeyException,
    InvalidCiphertextException,
    KMSInvalidStateException,
    KmsValidationException,
)
from overcast.services.kms.keys import raise_disabled
from overcast.services.kms.model import Key, KeyState
from overcast.services.kms.registry import KeyRegistry

DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}
Context = dict[str, str] | None


class Cryptography:
    def __init__(self, registry: KeyRegistry) -> None:
        self.registry = registry

    def encrypt(
        self, region: str, key_id: str, plaintext: bytes, context: Context = None
    ) -> tuple[bytes, str]:
        key = self._enabled(self.registry.find(region, key_id))
        blob = ciphertext.seal(key.key_id, self.registry.material(key), plaintext, context)
        return blob, key.arn

    def decrypt(
        self, region: str, blob: bytes, context: Context = None, key_id: str | None = None
    ) -> tuple[bytes, str]:
        """The blob names its key; a KeyId, when given, must be that key
        (IncorrectKeyException otherwise)."""
        parsed = ciphertext.parse(blob)
        key = self.registry.by_id(region, parsed.key_id)
        if key is None:
            # Another Region's (or server's) blob, or its key is gone: not one we can open.
            raise InvalidCiphertextException("")
        if key_id is not None and self.registry.find(region, key_id).key_id != key.key_id:
            raise IncorrectKeyException(
                "The key ID in the request does not identify a CMK that can perform this operation."
            )
        self._enabled(key)
        return ciphertext.open_blob(parsed, self.registry.material(key), context), key.arn

    def re_encrypt(
        self,
        region: str,
        blob: bytes,
        destination: str,
        source_context: Context,
        destination_context: Context,
        source_key_id: str | None,
    ) -> tuple[bytes, str, str]:
        """(new blob, source key ARN, destination key ARN)."""
        plaintext, source_arn = self.decrypt(region, blob, source_context, source_key_id)
        new_blob, destination_arn = self.encrypt(
            region, destination, plaintext, destination_context
        )
        return new_blob, source_arn, destination_arn

    def data_key(
        self,
        region: str,
        key_id: str,
        key_spec: str | None,
        number_of_bytes: int | None,
        context: Context,
    ) -> tuple[bytes, bytes, str]:
        """(plaintext data key, its blob, key ARN). Exactly one of KeySpec and NumberOfBytes."""
        if (key_spec is None) == (number_of_bytes is None):
            raise KmsValidationException("Please specify either number of bytes or key spec.")
        size = DATA_KEY_BYTES[key_spec] if key_spec is not None else number_of_bytes
        plaintext = os.urandom(size)
        blob, arn = self.encrypt(region, key_id, plaintext, context)
        return plaintext, blob, arn

    @staticmethod
    def _enabled(key: Key) -> Key:
        if key.state is KeyState.DISABLED:
            raise_disabled(key)
        if key.state is KeyState.PENDING_DELETION:
            raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
        return key
