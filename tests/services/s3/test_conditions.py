"""Conditional reads and writes, and byte ranges, as S3 reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from overcast.services.s3.catalog import StoredObject
from overcast.services.s3.conditions import (
    Preconditions,
    byte_range,
    check_copy_source,
    check_read,
    check_write,
)
from overcast.services.s3.errors import InvalidRange, NoSuchKey, NotModified, PreconditionFailed

ITEM = StoredObject("b", "k", "blob", 10, "abc", 1_700_000_000_500)
BEFORE = datetime.fromtimestamp(1_699_999_999, UTC)
AFTER = datetime.fromtimestamp(1_700_000_001, UTC)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-4", 10, (0, 4)),
        ("bytes=5-", 10, (5, 9)),
        ("bytes=-3", 10, (7, 9)),
        ("bytes=-30", 10, (0, 9)),
        ("bytes=8-100", 10, (8, 9)),
        (None, 10, None),
        ("bytes=0-1,4-5", 10, None),  # several ranges: S3 sends the whole object
        ("items=0-1", 10, None),
        ("bytes=5-2", 10, None),
    ],
)
def test_byte_ranges(header, size, expected) -> None:
    assert byte_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=10-", 10), ("bytes=0-", 0), ("bytes=-0", 5)])
def test_unsatisfiable_ranges(header, size) -> None:
    with pytest.raises(InvalidRange) as raised:
        byte_range(header, size)
    assert raised.value.status == 416 and raised.value.extra["ActualObjectSize"] == size


def test_read_conditions() -> None:
    check_read(ITEM, Preconditions(if_match='"abc"', if_none_match='"other"'))
    with pytest.raises(PreconditionFailed):
        check_read(ITEM, Preconditions(if_match='"other"'))
    with pytest.raises(NotModified):
        check_read(ITEM, Preconditions(if_none_match='"abc"'))
    with pytest.raises(NotModified):
        check_read(ITEM, Preconditions(if_modified_since=AFTER))
    with pytest.raises(PreconditionFailed):
        check_read(ITEM, Preconditions(if_unmodified_since=BEFORE))
    # S3's documented pairs: a matching If-Match wins over If-Unmodified-Since, and a
    # non-matching If-None-Match over If-Modified-Since.
    check_read(ITEM, Preconditions(if_match="abc", if_unmodified_since=BEFORE))
    check_read(ITEM, Preconditions(if_none_match="zzz", if_modified_since=AFTER))


def test_copy_source_conditions_all_fail_with_412() -> None:
    with pytest.raises(PreconditionFailed) as raised:
        check_copy_source(ITEM, Preconditions(if_none_match="abc"))
    assert raised.value.extra["Condition"] == "x-amz-copy-source-If-None-Match"


def test_write_conditions() -> None:
    check_write(None, None, "*", "k")
    with pytest.raises(PreconditionFailed):
        check_write(ITEM, None, "*", "k")
    with pytest.raises(NoSuchKey):
        check_write(None, '"abc"', None, "k")
    with pytest.raises(PreconditionFailed):
        check_write(ITEM, '"nope"', None, "k")
    check_write(ITEM, '"abc"', None, "k")
