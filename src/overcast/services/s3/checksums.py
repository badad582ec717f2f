"""What an object's bytes are checked against: the MD5 that S3 makes its ETag of, and the
flexible checksums clients send (`x-amz-checksum-<algorithm>`, base64 of the digest).

CRC32, SHA1 and SHA256 are computed here; other algorithms (CRC32C, CRC64NVME, ...) are taken
on trust, as no library here computes them.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")
HEADER_PREFIX = "x-amz-checksum-"


class Crc32:
    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = zlib.crc32(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")


def _hasher(algorithm: str) -> Crc32 | hashlib._Hash | None:
    if algorithm == "CRC32":
        return Crc32()
    if algorithm in ("SHA1", "SHA256"):
        return hashlib.new(algorithm.lower())
    return None


@dataclass(frozen=True)
class Checksum:
    """A checksum the client sent: `algorithm` (upper case) and its base64 `value`."""

    algorithm: str
    value: str

    @property
    def header(self) -> str:
        return HEADER_PREFIX + self.algorithm.lower()

    def encode(self) -> str:
        return f"{self.algorithm}:{self.value}"

    @staticmethod
    def decode(text: str | None) -> Checksum | None:
        if not text:
            return None
        algorithm, _, value = text.partition(":")
        return Checksum(algorithm, value)


def sent_checksum(headers: Mapping[str, str]) -> Checksum | None:
    """The `x-amz-checksum-<algorithm>` header of a request, if it has one."""
    for algorithm in ALGORITHMS:
        value = headers.get(HEADER_PREFIX + algorithm.lower())
        if value:
            return Checksum(algorithm, value)
    return None


class Digests:
    """MD5 (for the ETag) and, where one is expected, a flexible checksum, fed together."""

    def __init__(self, checksum_algorithm: str | None = None) -> None:
        self.md5 = hashlib.md5()
        self.algorithm = checksum_algorithm
        self._checksum = _hasher(checksum_algorithm) if checksum_algorithm else None

    def update(self, data: bytes) -> None:
        self.md5.update(data)
        if self._checksum is not None:
            self._checksum.update(data)

    def checksum(self) -> Checksum | None:
        """The computed checksum, or None when its algorithm is not computed here."""
        if self._checksum is None or self.algorithm is None:
            return None
        return Checksum(self.algorithm, base64.b64encode(self._checksum.digest()).decode())


def etag_of_parts(part_etags: list[str]) -> str:
    """A multipart object's ETag: the MD5 of its parts' binary MD5s, then `-<count>`."""
    joined = b"".join(bytes.fromhex(etag) for etag in part_etags)
    return f"{hashlib.md5(joined).hexdigest()}-{len(part_etags)}"
