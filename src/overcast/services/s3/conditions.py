"""Conditional requests and byte ranges, as S3 reads them.

Reads (GetObject, HeadObject): If-Match and If-Unmodified-Since fail with 412, If-None-Match
and If-Modified-Since with 304. When If-Match holds, If-Unmodified-Since is not looked at;
when If-None-Match does not match, If-Modified-Since is not looked at (S3's documented
pairs). Times compare to the second, as Last-Modified carries them.

Writes (PutObject, CompleteMultipartUpload): `If-None-Match: *` fails with 412 when the key
exists; `If-Match: <etag>` fails with 412 on another ETag and 404 when there is no object.

Copies: the x-amz-copy-source-if-* headers, all failing with 412.

Parts: GetObject and HeadObject with `partNumber` read one part of a multipart object (the
bytes it had when uploaded); an object stored whole is its own part 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.aws.protocols.rest_xml import http_date
from overcast.services.s3.body_errors import InvalidPart
from overcast.services.s3.catalog import Check, StoredObject
from overcast.services.s3.errors import (
    InvalidArgument,
    InvalidRange,
    NoSuchKey,
    NotModified,
    PreconditionFailed,
    S3NotImplemented,
)

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
PRECONDITION_MESSAGE = "At least one of the pre-conditions you specified did not hold"
MAX_PART_NUMBER = 10_000
INVALID_PART = (
    "One or more of the specified parts could not be found.  The part may not have been "
    "uploaded, or the specified entity tag may not match the part's entity tag."
)


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: datetime | None = None
    if_unmodified_since: datetime | None = None


NO_CONDITIONS = Preconditions()


def _etag_matches(header: str, etag: str) -> bool:
    wanted = {value.strip().strip('"') for value in header.split(",")}
    return "*" in wanted or etag in wanted


def _modified_s(item: StoredObject) -> int:
    return item.modified_ms // 1000


def _failed(condition: str) -> PreconditionFailed:
    return PreconditionFailed(PRECONDITION_MESSAGE, Condition=condition)


def check_read(item: StoredObject, conditions: Preconditions) -> None:
    modified = _modified_s(item)
    if conditions.if_match is not None:
        if not _etag_matches(conditions.if_match, item.etag):
            raise _failed("If-Match")
    elif conditions.if_unmodified_since is not None:
        if modified > conditions.if_unmodified_since.timestamp():
            raise _failed("If-Unmodified-Since")
    if conditions.if_none_match is not None:
        if _etag_matches(conditions.if_none_match, item.etag):
            raise _not_modified(item)
    elif conditions.if_modified_since is not None:
        if modified <= conditions.if_modified_since.timestamp():
            raise _not_modified(item)


def _not_modified(item: StoredObject) -> NotModified:
    last_modified = datetime.fromtimestamp(item.modified_ms / 1000, UTC)
    return NotModified(
        "Not Modified", etag=f'"{item.etag}"', last_modified=http_date(last_modified)
    )


def check_copy_source(item: StoredObject, conditions: Preconditions) -> None:
    """The x-amz-copy-source-if-* headers: every failure is a 412."""
    try:
        check_read(item, conditions)
    except NotModified:
        name = "If-None-Match" if conditions.if_none_match is not None else "If-Modified-Since"
        raise _failed(f"x-amz-copy-source-{name}") from None
    except PreconditionFailed as exc:
        raise _failed(f"x-amz-copy-source-{exc.extra['Condition']}") from None


def check_write(
    previous: StoredObject | None, if_match: str | None, if_none_match: str | None, key: str
) -> None:
    if if_none_match is not None and previous is not None:
        if _etag_matches(if_none_match, previous.etag):
            raise _failed("If-None-Match")
    if if_match is not None:
        if previous is None:
            raise NoSuchKey("The specified key does not exist.", Key=key)
        if not _etag_matches(if_match, previous.etag):
            raise _failed("If-Match")


def delete_check(if_match: str | None, key: str) -> Check | None:
    """A conditional delete's If-Match (an ETag, or `*`), judged against the key's current
    object: S3 answers 412 PreconditionFailed where it differs, 404 NoSuchKey where there
    is none ("Conditional delete evaluations only apply to the current version")."""
    if if_match is None:
        return None
    return lambda current: check_write(current, if_match, None, key)


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a `Range: bytes=...` header, or None to send the whole object
    (no header, one S3 ignores: several ranges, another unit, bad syntax)."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(0) == "bytes=-":
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            raise _unsatisfiable(header, size)
        return max(size - count, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # S3 ignores a range whose end comes before its start
    if start >= size:
        raise _unsatisfiable(header, size)
    return start, end


def _unsatisfiable(header: str, size: int) -> InvalidRange:
    return InvalidRange(
        "The requested range is not satisfiable", RangeRequested=header, ActualObjectSize=size
    )


def check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PART_NUMBER:
        raise InvalidArgument(
            f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive",
            ArgumentName="partNumber",
            ArgumentValue=number,
        )


def part_range(item: StoredObject, number: int) -> tuple[int, int]:
    """(first, last) byte of part `number` of the object (last < first: an empty part).
    A part it does not have is InvalidPart, as S3 answers (a number outside 1..10000 is
    InvalidArgument)."""
    check_part_number(number)
    if item.parts is None:
        if number != 1:
            raise InvalidPart(INVALID_PART, PartNumber=number)
        return 0, item.size - 1
    if item.part_sizes is None:
        raise S3NotImplemented(
            "This object was stored before its parts' sizes were kept: its parts cannot be "
            "read by number"
        )
    if number > len(item.part_sizes):
        raise InvalidPart(INVALID_PART, PartNumber=number)
    first = sum(item.part_sizes[: number - 1])
    return first, first + item.part_sizes[number - 1] - 1
