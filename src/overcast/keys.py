"""Encryption at rest across services: how Lambda (and, next, Secrets Manager and SSM)
encrypt with KMS keys without importing services/kms.

No service imports another (DESIGN.md), and Lambda's control plane is built before any
service. So the factory builds one `KeyServices` first, hands it to whoever needs it and puts
it in the kernels; KMS's spec registers its implementation when KMS is built. Until then, or
on a server without KMS, every key is missing, as a key no KMS here holds would be.
"""

from __future__ import annotations

from overcast.aws.errors import MissingResource
from overcast.types import KeyCaller, Keys


class KeyServices:
    """A `types.Keys` that encrypts through the KMS registered with it."""

    def __init__(self) -> None:
        self._keys: Keys | None = None

    def register(self, keys: Keys) -> None:
        """Encrypt through `keys` from now on (KMS's, when KMS is built)."""
        self._keys = keys

    def encrypt(
        self,
        region: str,
        key_id: str,
        plaintext: bytes,
        context: dict[str, str] | None = None,
        caller: KeyCaller | None = None,
    ) -> tuple[bytes, str]:
        return self._registered().encrypt(region, key_id, plaintext, context, caller)

    def decrypt(
        self,
        region: str,
        blob: bytes,
        context: dict[str, str] | None = None,
        caller: KeyCaller | None = None,
    ) -> tuple[bytes, str]:
        return self._registered().decrypt(region, blob, context, caller)

    def _registered(self) -> Keys:
        if self._keys is None:
            raise MissingResource("No KMS is running on this server.")
        return self._keys
