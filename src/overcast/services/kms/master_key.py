"""The master key that encrypts every KMS key's material at rest.

It is never written in the data dir: a copy of the data dir (a backup, a stolen disk image of
that folder) then holds only ciphertext. It comes from `OVERCAST_MASTER_KEY` (base64 of 32
bytes) when that is set, else from a key file outside the data dir (`--master-key-file`,
default `~/.config/overcast/master.key`), created 0600 with 32 random bytes on first use.
Losing it makes every KMS key, and all that was encrypted with one, unreadable.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
ENV_VAR = "OVERCAST_MASTER_KEY"


class MasterKeyError(Exception):
    """Raised when the master key cannot be had: a bad OVERCAST_MASTER_KEY, a key file in
    the data dir, or one of the wrong size."""


class MasterKey:
    """Seals and opens key material. The key is read (or made) at first use, so a server
    whose KMS is never used touches no key file."""

    def __init__(self, key_file: Path, data_dir: Path, environ: Mapping[str, str]) -> None:
        self._file = key_file
        self._data_dir = data_dir
        self._encoded = environ.get(ENV_VAR)
        self._aead: AESGCM | None = None
        self._lock = threading.Lock()

    def seal(self, plaintext: bytes, bound_to: bytes) -> bytes:
        """nonce || AES-256-GCM(plaintext), authenticated with `bound_to` (the key's name,
        so sealed material cannot be moved to another key's row)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._cipher().encrypt(nonce, plaintext, bound_to)

    def open(self, sealed: bytes, bound_to: bytes) -> bytes:
        """What `seal` sealed; raises cryptography's InvalidTag for another master key."""
        return self._cipher().decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to)

    def _cipher(self) -> AESGCM:
        with self._lock:
            if self._aead is None:
                self._aead = AESGCM(self._load())
            return self._aead

    def _load(self) -> bytes:
        if self._encoded:
            try:
                key = base64.b64decode(self._encoded, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise MasterKeyError(f"{ENV_VAR} is not base64") from exc
            return _sized(key, ENV_VAR)
        path = self._file.expanduser().resolve()
        if path.is_relative_to(self._data_dir.resolve()):
            raise MasterKeyError(
                f"the master key file {path} is in the data dir; keep it elsewhere"
            )
        return _sized(_read_or_create(path), str(path))


def _read_or_create(path: Path) -> bytes:
    """The key file's bytes; a new random key written 0600 when there is none (O_EXCL: two
    servers starting at once cannot write two different keys)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = os.urandom(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


def _sized(key: bytes, source: str) -> bytes:
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"{source} must hold {KEY_BYTES} bytes, not {len(key)}")
    return key
