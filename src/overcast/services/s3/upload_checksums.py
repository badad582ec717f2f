"""The flexible checksums of a multipart upload, as S3 keeps and checks them.

CreateMultipartUpload names an algorithm and a type: COMPOSITE (the default; the object's
checksum is the algorithm over its parts' digests, then `-<parts>`) or FULL_OBJECT (the
parts' CRCs combined into the whole object's; the default, and the only type, for
CRC64NVME). An upload created without one still gets a checksum, as on S3: each part's
CRC64NVME, combined into the object's FULL_OBJECT CRC64NVME.

Each part keeps its checksum in the upload's algorithm (computed here, and checked against
the one the client sent); CompleteMultipartUpload's parts must name it (where the upload has
an algorithm), and the whole-object checksum the completion sends must match what the
parts make.

The type rides the upload's `headers` (as `ChecksumType`, the create request's
x-amz-checksum-type), so that the catalog keeps it with no column of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from overcast.services.s3.body_errors import BadDigest, InvalidPart, InvalidPartOrder
from overcast.services.s3.catalog import Part, Upload
from overcast.services.s3.checksums import (
    ALGORITHMS,
    COMPOSITE,
    DEFAULT_ALGORITHM,
    FULL_OBJECT,
    Checksum,
    composite,
    full_object,
    supports_full_object,
    well_formed,
)
from overcast.services.s3.conditions import INVALID_PART
from overcast.services.s3.errors import InvalidArgument, InvalidRequest

CHECKSUM_TYPE = "ChecksumType"  # the member of an upload's `headers` that keeps its type
PART_ORDER = "The list of parts was not in ascending order. Parts must be ordered by part number."


@dataclass(frozen=True)
class WantedPart:
    """A part as CompleteMultipartUpload names it: number, ETag and any checksums."""

    number: int
    etag: str
    checksums: tuple[Checksum, ...] = ()

    @staticmethod
    def of(document: Mapping) -> WantedPart:
        """From the completion's `Part` element (KeyError, ValueError if malformed)."""
        found = tuple(
            Checksum(algorithm, str(document[f"Checksum{algorithm}"]))
            for algorithm in ALGORITHMS
            if document.get(f"Checksum{algorithm}") is not None
        )
        return WantedPart(int(document["PartNumber"]), str(document["ETag"]), found)


def check_algorithm(algorithm: str | None) -> None:
    """An `x-amz-checksum-algorithm` S3 knows, or none (InvalidRequest)."""
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise InvalidRequest(
            "Checksum algorithm provided is unsupported. Please try again with any of the "
            f"valid types: [{', '.join(sorted(ALGORITHMS))}]"
        )


def creation_type(algorithm: str | None, kind: str | None) -> str | None:
    """CreateMultipartUpload's checksum type, checked against its algorithm as S3 checks
    it; None for an upload without an algorithm."""
    check_algorithm(algorithm)
    if kind is not None and kind not in (COMPOSITE, FULL_OBJECT):
        raise InvalidRequest("Value for x-amz-checksum-type header is invalid.")
    if algorithm is None:
        if kind is not None:
            raise InvalidRequest(
                "The x-amz-checksum-type header can only be used with the "
                "x-amz-checksum-algorithm header."
            )
        return None
    if kind is None:
        return FULL_OBJECT if algorithm == "CRC64NVME" else COMPOSITE
    # FULL_OBJECT combines CRCs (so only CRCs have it); CRC64NVME has nothing else.
    allowed = supports_full_object(algorithm) if kind == FULL_OBJECT else algorithm != "CRC64NVME"
    if not allowed:
        raise InvalidRequest(
            f"The {kind} checksum type cannot be used with the {algorithm.lower()} checksum "
            "algorithm."
        )
    return kind


def upload_type(upload: Upload) -> str | None:
    return upload.headers.get(CHECKSUM_TYPE)


def part_algorithm(upload: Upload) -> str:
    """The algorithm each part's checksum is kept in."""
    return upload.checksum_algorithm or DEFAULT_ALGORITHM


def check_part(upload: Upload, sent_algorithm: str | None) -> None:
    """UploadPart's checksum against its upload's algorithm, before the body is read: S3
    refuses another algorithm, and a part without one for a COMPOSITE upload."""
    expected = upload.checksum_algorithm
    if expected is None or sent_algorithm == expected:
        return
    if sent_algorithm is None and upload_type(upload) != COMPOSITE:
        return  # a FULL_OBJECT upload's part: its CRC is computed here
    raise InvalidRequest(
        f"Checksum Type mismatch occurred, expected checksum Type: {expected.lower()}, actual "
        f"checksum Type: {(sent_algorithm or 'null').lower()}"
    )


def check_named(upload: Upload, wanted: list[WantedPart], stored: Mapping[int, Part]) -> None:
    """Each part a completion names, against its kept checksum: S3 wants every part's
    checksum where the upload has an algorithm, and its parts numbered 1, 2, ... without a
    gap. (Checksums named for the parts of an upload without one are not checked.)"""
    algorithm = upload.checksum_algorithm
    if algorithm is None:
        return
    for index, part in enumerate(wanted, start=1):
        if part.number != index:
            raise InvalidPartOrder(PART_ORDER, UploadId=upload.id)
        if len(part.checksums) > 1 or not all(
            well_formed(c.algorithm, c.value) for c in part.checksums
        ):
            raise InvalidArgument(
                "Invalid Base64 or multiple checksums present in request",
                ArgumentName="Checksum",
                ArgumentValue=part.checksums[0].value if part.checksums else "",
            )
        if not part.checksums:
            raise InvalidRequest(
                f"The upload was created using a {algorithm.lower()} checksum. The complete "
                "request must include the checksum for each part. It was missing for part "
                f"{part.number} in the request."
            )
        named, kept = part.checksums[0], Checksum.decode(stored[part.number].checksum)
        if named.algorithm != algorithm:
            raise BadDigest(
                f"The {named.algorithm.lower()} you specified for part {part.number} did not "
                "match what we received."
            )
        if named != kept:
            raise InvalidPart(
                INVALID_PART, UploadId=upload.id, PartNumber=part.number, ETag=part.etag
            )


def object_checksum(upload: Upload, chosen: list[Part]) -> Checksum | None:
    """The completed object's checksum, made of its parts' (None where a part kept none in
    the upload's algorithm: one stored before parts kept checksums)."""
    algorithm = part_algorithm(upload)
    kept = [Checksum.decode(part.checksum) for part in chosen]
    if any(checksum is None or checksum.algorithm != algorithm for checksum in kept):
        return None
    if (upload_type(upload) or FULL_OBJECT) == COMPOSITE:
        return composite(algorithm, kept)
    return full_object(algorithm, [(c, part.size) for c, part in zip(kept, chosen, strict=True)])


def check_completion(
    upload: Upload, made: Checksum | None, sent: Checksum | None, sent_type: str | None
) -> None:
    """The checksum type and whole-object checksum a CompleteMultipartUpload sends, against
    the upload's type and what its parts make (BadDigest where they differ)."""
    kind = upload_type(upload)
    if sent_type is not None and sent_type != kind:
        raise InvalidRequest(
            f"The upload was created using the {kind or 'null'} checksum mode. The complete "
            "request must use the same checksum mode."
        )
    if sent is None or made is None:
        return
    if sent.algorithm != made.algorithm:
        raise InvalidRequest(
            f"Checksum Type mismatch occurred, expected checksum Type: "
            f"{made.algorithm.lower()}, actual checksum Type: {sent.algorithm.lower()}"
        )
    value = sent.value
    if made.kind == COMPOSITE and "-" not in value:
        value = f"{value}-{made.value.rpartition('-')[2]}"
    if value != made.value:
        raise BadDigest(
            f"The {sent.algorithm} you specified did not match the calculated checksum."
        )
