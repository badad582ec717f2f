"""What an object's bytes are checked against: the MD5 that S3 makes its ETag of, and the
flexible checksums (`x-amz-checksum-<algorithm>`: base64 of the digest, big-endian for the
CRCs) that clients send in a header or an aws-chunked trailer.

Every algorithm of S3's model is computed here: CRC32 by zlib, SHA-1/256/512 and MD5 by
hashlib, CRC32C, CRC64NVME and the xxHashes by awscrt (the AWS Common Runtime, whose code the
SDKs compute them with). An object stored without a checksum gets a CRC64NVME, as S3 adds
one to every new object ("default data integrity protections").

A multipart object's checksum is COMPOSITE (the algorithm over the parts' digests joined,
then `-<parts>`) or FULL_OBJECT (the parts' CRCs combined into the whole object's CRC, as if
it were uploaded at once; CRCs only).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from awscrt import checksums as crt

from overcast.services.s3.errors import InvalidRequest

ALGORITHMS = (
    "CRC32",
    "CRC32C",
    "CRC64NVME",
    "SHA1",
    "SHA256",
    "SHA512",
    "MD5",
    "XXHASH64",
    "XXHASH3",
    "XXHASH128",
)
DIGEST_SIZES = {
    "CRC32": 4,
    "CRC32C": 4,
    "CRC64NVME": 8,
    "SHA1": 20,
    "SHA256": 32,
    "SHA512": 64,
    "MD5": 16,
    "XXHASH64": 8,
    "XXHASH3": 8,
    "XXHASH128": 16,
}
DEFAULT_ALGORITHM = "CRC64NVME"  # what S3 adds to an object uploaded without a checksum
HEADER_PREFIX = "x-amz-checksum-"
COMPOSITE = "COMPOSITE"
FULL_OBJECT = "FULL_OBJECT"
# Algorithms whose parts' values combine into the whole object's (FULL_OBJECT uploads).
_CRCS = {"CRC32": zlib.crc32, "CRC32C": crt.crc32c, "CRC64NVME": crt.crc64nvme}
_COMBINE = {
    "CRC32": crt.combine_crc32,
    "CRC32C": crt.combine_crc32c,
    "CRC64NVME": crt.combine_crc64nvme,
}
_XXHASHES = {
    "XXHASH64": crt.XXHash.new_xxhash64,
    "XXHASH3": crt.XXHash.new_xxhash3_64,
    "XXHASH128": crt.XXHash.new_xxhash3_128,
}


class Hasher(Protocol):
    def update(self, data: bytes) -> None: ...

    def digest(self) -> bytes: ...


class _Crc:
    def __init__(self, algorithm: str) -> None:
        self._function = _CRCS[algorithm]
        self._size = DIGEST_SIZES[algorithm]
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = self._function(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._size, "big")


class _XxHash:
    def __init__(self, algorithm: str) -> None:
        self._hash = _XXHASHES[algorithm]()
        self._digest: bytes | None = None

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def digest(self) -> bytes:
        if self._digest is None:  # awscrt's finalize may be called once
            self._digest = self._hash.finalize()
        return self._digest


def hasher(algorithm: str) -> Hasher:
    """A fresh hasher for one of ALGORITHMS."""
    if algorithm in _CRCS:
        return _Crc(algorithm)
    if algorithm in _XXHASHES:
        return _XxHash(algorithm)
    return hashlib.new(algorithm.lower())


def digest_of(algorithm: str, data: bytes) -> bytes:
    one = hasher(algorithm)
    one.update(data)
    return one.digest()


def checksum_of(algorithm: str, stream: BinaryIO, chunk: int = 1024 * 1024) -> Checksum:
    """The FULL_OBJECT checksum of what `stream` holds, read a chunk at a time."""
    one = hasher(algorithm)
    while data := stream.read(chunk):
        one.update(data)
    return Checksum(algorithm, base64.b64encode(one.digest()).decode())


def supports_full_object(algorithm: str) -> bool:
    return algorithm in _COMBINE


@dataclass(frozen=True)
class Checksum:
    """A checksum: `algorithm` (upper case) and its base64 `value`; a composite one's value
    ends in `-<parts>`."""

    algorithm: str
    value: str

    @property
    def header(self) -> str:
        return HEADER_PREFIX + self.algorithm.lower()

    @property
    def kind(self) -> str:
        return COMPOSITE if "-" in self.value else FULL_OBJECT

    @property
    def digest(self) -> bytes:
        return base64.b64decode(self.value.partition("-")[0])

    def encode(self) -> str:
        return f"{self.algorithm}:{self.value}"

    def members(self) -> dict[str, str]:
        """As the model's output members name it (`ChecksumCRC32`, `ChecksumType`)."""
        return {f"Checksum{self.algorithm}": self.value, "ChecksumType": self.kind}

    @staticmethod
    def decode(text: str | None) -> Checksum | None:
        if not text:
            return None
        algorithm, _, value = text.partition(":")
        return Checksum(algorithm, value)


def well_formed(algorithm: str, value: str) -> bool:
    """Whether `value` is the base64 of a digest of `algorithm`'s size."""
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(digest) == DIGEST_SIZES[algorithm]


def header_checksum(headers: Mapping[str, str], composite: bool = False) -> Checksum | None:
    """The `x-amz-checksum-<algorithm>` header of a request, checked as S3 checks it: one
    at most, its value the base64 of a digest of the algorithm's size (InvalidRequest);
    with `composite` (CompleteMultipartUpload's), a `-<parts>` suffix is allowed."""
    found = [
        Checksum(algorithm, headers[HEADER_PREFIX + algorithm.lower()])
        for algorithm in ALGORITHMS
        if HEADER_PREFIX + algorithm.lower() in headers
    ]
    if len(found) > 1:
        raise InvalidRequest(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
        )
    if not found:
        return None
    sent = found[0]
    value, _, parts = sent.value.partition("-")
    if not composite or not parts.isdigit():
        value = sent.value
    if not well_formed(sent.algorithm, value):
        raise InvalidRequest(f"Value for {sent.header} header is invalid.")
    return sent


def announced_trailer(headers: Mapping[str, str]) -> str | None:
    """The algorithm whose checksum an aws-chunked body's trailer carries (`x-amz-trailer`)."""
    trailer = headers.get("x-amz-trailer")
    if trailer is None:
        return None
    name = trailer.strip().lower()
    algorithm = name[len(HEADER_PREFIX) :].upper() if name.startswith(HEADER_PREFIX) else ""
    if algorithm not in ALGORITHMS:
        raise InvalidRequest("The value specified in the x-amz-trailer header is not supported")
    return algorithm


def expected_algorithm(headers: Mapping[str, str]) -> str | None:
    """Which checksum a request's body comes with, in a header or a trailer, checked against
    `x-amz-sdk-checksum-algorithm` where the SDK names one (InvalidRequest)."""
    sent = header_checksum(headers)
    algorithm = sent.algorithm if sent is not None else announced_trailer(headers)
    named = headers.get("x-amz-sdk-checksum-algorithm")
    if named is not None:
        if algorithm is None:
            raise InvalidRequest(
                "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* "
                "or x-amz-trailer headers were found."
            )
        if named.upper() != algorithm:
            raise InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
    return algorithm


def trailing_checksum(algorithm: str, trailers: Mapping[str, str]) -> Checksum:
    """The checksum an aws-chunked body's trailer carries, checked as a header is."""
    name = HEADER_PREFIX + algorithm.lower()
    value = trailers.get(name, "")
    if not well_formed(algorithm, value):
        raise InvalidRequest(f"Value for {name} trailing header is invalid.")
    return Checksum(algorithm, value)


def composite(algorithm: str, parts: list[Checksum]) -> Checksum:
    """A COMPOSITE checksum: the algorithm over the parts' digests, then `-<parts>`."""
    joined = b"".join(part.digest for part in parts)
    value = base64.b64encode(digest_of(algorithm, joined)).decode()
    return Checksum(algorithm, f"{value}-{len(parts)}")


def full_object(algorithm: str, parts: list[tuple[Checksum, int]]) -> Checksum:
    """A FULL_OBJECT checksum: the parts' CRCs (with their sizes) combined in order."""
    combine, size = _COMBINE[algorithm], DIGEST_SIZES[algorithm]
    value = 0
    for index, (part, length) in enumerate(parts):
        crc = int.from_bytes(part.digest, "big")
        value = crc if index == 0 else combine(value, crc, length)
    return Checksum(algorithm, base64.b64encode(value.to_bytes(size, "big")).decode())


class Digests:
    """MD5 (for the ETag) and the flexible checksums of `algorithms`, fed together."""

    def __init__(self, algorithms: Iterable[str] = ()) -> None:
        self.md5 = hashlib.md5()
        self._hashers = {algorithm: hasher(algorithm) for algorithm in dict.fromkeys(algorithms)}

    def update(self, data: bytes) -> None:
        self.md5.update(data)
        for one in self._hashers.values():
            one.update(data)

    def checksum(self, algorithm: str) -> Checksum | None:
        """The computed checksum, or None when `algorithm` was not computed."""
        one = self._hashers.get(algorithm)
        if one is None:
            return None
        return Checksum(algorithm, base64.b64encode(one.digest()).decode())


def etag_of_parts(part_etags: list[str]) -> str:
    """A multipart object's ETag: the MD5 of its parts' binary MD5s, then `-<count>`."""
    joined = b"".join(bytes.fromhex(etag) for etag in part_etags)
    return f"{hashlib.md5(joined).hexdigest()}-{len(part_etags)}"
