"""The object readers in-process: how Lambda reads S3's objects without importing S3 (a
registry S3 registers its reader with), and what it answers with no S3 registered."""

from __future__ import annotations

import pytest

from overcast.object_readers import ObjectReaders
from overcast.types import ObjectUnreadable


class RecordingReader:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def read(
        self,
        region: str,
        bucket: str,
        key: str,
        version: str | None,
        max_bytes: int,
        caller: object = None,
    ) -> bytes:
        self.calls.append((region, bucket, key, version, max_bytes))
        return b"zip"


def test_with_no_store_registered_every_bucket_is_missing() -> None:
    with pytest.raises(ObjectUnreadable) as caught:
        ObjectReaders().read("us-east-1", "bucket", "code.zip", None, 100)
    assert (caught.value.code, caught.value.message) == (
        "NoSuchBucket",
        "The specified bucket does not exist",
    )


def test_reads_go_to_the_registered_store() -> None:
    readers, reader = ObjectReaders(), RecordingReader()
    readers.register(reader)
    assert readers.read("eu-west-1", "bucket", "code.zip", "null", 100) == b"zip"
    assert reader.calls == [("eu-west-1", "bucket", "code.zip", "null", 100)]
