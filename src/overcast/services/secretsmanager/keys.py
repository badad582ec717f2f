"""Encryption at rest of secret values: the `Keys` Secrets Manager needs of KMS, and a small
built-in stand-in used until KMS's own implementation is wired in from the kernels.

`Keys` is the contract KMS fulfils (encrypt under a key, decrypt a blob that names its key);
errors carry KMS's error name in `code`. The built-in `SealedKeys` seals with AES-GCM under a
key derived per KMS key from a master key that is never stored in the data dir: the
environment variable OVERCAST_MASTER_KEY, or a 0600 file in ~/.config/overcast/.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from overcast.aws.arn import arn
from overcast.services.secretsmanager.errors import InvalidCiphertextException

MASTER_KEY_VARIABLE = "OVERCAST_MASTER_KEY"
MASTER_KEY_FILE = Path("~/.config/overcast/master.key")
_FORMAT = b"\x01"


class Keys(Protocol):
    """KMS as a service that encrypts at rest uses it."""

    def encrypt(
        self, region: str, key_id: str, plaintext: bytes, context: Mapping[str, str]
    ) -> tuple[bytes, str]:
        """The ciphertext blob of `plaintext` under `key_id` (id, ARN, alias), and the key's ARN."""
        ...

    def decrypt(self, region: str, blob: bytes, context: Mapping[str, str]) -> tuple[bytes, str]:
        """The plaintext of `blob` (encrypted with the same `context`), and its key's ARN."""
        ...


def master_key(path: Path = MASTER_KEY_FILE) -> bytes:
    """32 bytes: from OVERCAST_MASTER_KEY (any text, hashed), else the key file (made 0600)."""
    text = os.environ.get(MASTER_KEY_VARIABLE)
    if text:
        return hashlib.sha256(text.encode()).digest()
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return base64.b64decode(path.read_bytes().strip())[:32]
    with os.fdopen(fd, "wb") as file:
        file.write(base64.b64encode(os.urandom(32)))
    return base64.b64decode(path.read_bytes().strip())


class SealedKeys:
    """The built-in `Keys`: any key id is accepted, each sealing under its own derived key."""

    def __init__(self, account_id: str, master: bytes) -> None:
        self._account_id = account_id
        self._master = master

    def key_arn(self, region: str, key_id: str) -> str:
        if key_id.startswith("arn:"):
            return key_id
        if key_id.startswith("alias/"):
            return arn("kms", region, self._account_id, key_id)
        return arn("kms", region, self._account_id, f"key/{key_id}")

    def encrypt(
        self, region: str, key_id: str, plaintext: bytes, context: Mapping[str, str]
    ) -> tuple[bytes, str]:
        key_arn = self.key_arn(region, key_id)
        nonce = os.urandom(12)
        sealed = AESGCM(self._derive(key_arn)).encrypt(nonce, plaintext, _aad(key_arn, context))
        named = key_arn.encode()
        return _FORMAT + len(named).to_bytes(2, "big") + named + nonce + sealed, key_arn

    def decrypt(self, region: str, blob: bytes, context: Mapping[str, str]) -> tuple[bytes, str]:
        try:
            if blob[:1] != _FORMAT:
                raise ValueError("unknown format")
            size = int.from_bytes(blob[1:3], "big")
            key_arn = blob[3 : 3 + size].decode()
            nonce, sealed = blob[3 + size : 15 + size], blob[15 + size :]
            aad = _aad(key_arn, context)
            return AESGCM(self._derive(key_arn)).decrypt(nonce, sealed, aad), key_arn
        except (ValueError, InvalidTag) as exc:
            raise InvalidCiphertextException("The ciphertext is invalid.") from exc

    def _derive(self, key_arn: str) -> bytes:
        info = b"overcast-keys:" + key_arn.encode()
        return HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(self._master)


def _aad(key_arn: str, context: Mapping[str, str]) -> bytes:
    return key_arn.encode() + b"\0" + json.dumps(dict(context), sort_keys=True).encode()
