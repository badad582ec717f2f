"""The ciphertext blob Encrypt and GenerateDataKey hand out, and Decrypt reads.

AWS's format is opaque; clients only carry it back. Ours, version 1:

    0x01 | key id (16 bytes, the key's UUID) | nonce (12 bytes) | AES-256-GCM ciphertext+tag

The key id lets Decrypt find the key without a KeyId, as KMS's symmetric blobs do. The
associated data authenticates the header and the EncryptionContext (its pairs as sorted JSON),
so a changed header or another context fails the tag: InvalidCiphertextException, as KMS
answers a wrong context.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.services.kms.errors import InvalidCiphertextException

VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = 1 + 16


@dataclass(frozen=True)
class Blob:
    """A parsed blob: which key sealed it, and the rest."""

    key_id: str
    header: bytes
    nonce: bytes
    sealed: bytes


def seal(key_id: str, material: bytes, plaintext: bytes, context: dict[str, str] | None) -> bytes:
    header = bytes([VERSION]) + uuid.UUID(key_id).bytes
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(material).encrypt(nonce, plaintext, header + _context_bytes(context))
    return header + nonce + sealed


def parse(blob: bytes) -> Blob:
    """The blob's parts; InvalidCiphertextException for what is not one of our blobs."""
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES or blob[0] != VERSION:
        raise InvalidCiphertextException("")
    header = blob[:HEADER_BYTES]
    key_id = str(uuid.UUID(bytes=header[1:]))
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    return Blob(key_id, header, nonce, blob[HEADER_BYTES + NONCE_BYTES :])


def open_blob(blob: Blob, material: bytes, context: dict[str, str] | None) -> bytes:
    try:
        return AESGCM(material).decrypt(
            blob.nonce, blob.sealed, blob.header + _context_bytes(context)
        )
    except InvalidTag:
        raise InvalidCiphertextException("") from None


def _context_bytes(context: dict[str, str] | None) -> bytes:
    """The context as one canonical string: KMS matches it exactly, in any order of pairs."""
    return json.dumps(context or {}, sort_keys=True, separators=(",", ":")).encode()
