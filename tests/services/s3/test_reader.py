"""S3's reader in-process: objects as Lambda reads them (code from S3), with S3's errors for
what is not there and for a bucket in another region."""

from __future__ import annotations

from pathlib import Path

import pytest

from overcast.services.s3.reader import S3Reader
from overcast.services.s3.store import ObjectStore
from overcast.types import ObjectTooLarge, ObjectUnreadable


@pytest.fixture
def store(tmp_path: Path):
    store = ObjectStore(tmp_path, "000000000000", None, None, None, permissions=None)  # type: ignore[arg-type]
    store.buckets.create("code", "us-east-1", None)
    store.buckets.create("faraway", "eu-west-1", "eu-west-1")
    put(store, "code", "app.zip", b"PK package")
    put(store, "faraway", "app.zip", b"PK package")
    yield store
    store.close()


def put(store: ObjectStore, bucket: str, key: str, body: bytes) -> None:
    writer = store.blobs.writer()
    writer.write(body)
    # No bucket here notifies: no event is made, so no caller is needed.
    store.objects.put(bucket, key, writer, None, headers={}, metadata={})  # type: ignore[arg-type]


def unreadable(reader: S3Reader, *args: object) -> tuple[str, str]:
    with pytest.raises(ObjectUnreadable) as caught:
        reader.read(*args)  # type: ignore[arg-type]
    return caught.value.code, caught.value.message


def test_reads_an_object_whole(store: ObjectStore) -> None:
    reader = S3Reader(store.objects)
    assert reader.read("us-east-1", "code", "app.zip", None, 100) == b"PK package"
    # Objects of an unversioned bucket have the version id "null", as on S3.
    assert reader.read("us-east-1", "code", "app.zip", "null", 100) == b"PK package"
    assert reader.read("us-east-1", "code", "app.zip", None, len(b"PK package")) == b"PK package"


def test_what_is_not_there_is_s3_s_error(store: ObjectStore) -> None:
    reader = S3Reader(store.objects)
    assert unreadable(reader, "us-east-1", "nothing", "app.zip", None, 100) == (
        "NoSuchBucket",
        "The specified bucket does not exist",
    )
    assert unreadable(reader, "us-east-1", "code", "other.zip", None, 100) == (
        "NoSuchKey",
        "The specified key does not exist.",
    )
    missing_version = ("NoSuchVersion", "The specified version does not exist.")
    assert unreadable(reader, "us-east-1", "code", "app.zip", "3HL4kqtJlcpXroDTDmJ", 100) == (
        missing_version
    )
    assert unreadable(reader, "us-east-1", "code", "other.zip", "null", 100) == missing_version


def test_a_bucket_in_another_region_is_not_read(store: ObjectStore) -> None:
    reader = S3Reader(store.objects)
    assert unreadable(reader, "us-east-1", "faraway", "app.zip", None, 100) == (
        "PermanentRedirect",
        "The bucket is in this region: eu-west-1. Please use this region to retry the request",
    )
    assert reader.read("eu-west-1", "faraway", "app.zip", None, 100) == b"PK package"


def test_an_object_past_the_limit_is_not_read(store: ObjectStore) -> None:
    with pytest.raises(ObjectTooLarge) as caught:
        S3Reader(store.objects).read("us-east-1", "code", "app.zip", None, 5)
    assert caught.value.size == len(b"PK package")
