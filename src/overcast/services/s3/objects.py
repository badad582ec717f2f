"""Objects: stored whole (PutObject, CopyObject), read, deleted, and the events each causes.

A write is: the body already streamed into an uncommitted blob (see blobs.py) and checked
against the digests the client sent; the blob renamed into place; the object's row and its
events committed together; the events handed on; the blob it replaced removed. The client
hears success only after the commit.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import BinaryIO

from overcast.services.s3.blobs import BlobStore, BlobWriter
from overcast.services.s3.buckets import Buckets, BucketState
from overcast.services.s3.catalog import Catalog, Check, Notice, StoredObject
from overcast.services.s3.checksums import DEFAULT_ALGORITHM, Checksum
from overcast.services.s3.conditions import (
    NO_CONDITIONS,
    Preconditions,
    check_copy_source,
)
from overcast.services.s3.encryption import SSE_S3, without_encryption
from overcast.services.s3.errors import (
    BadDigest,
    InvalidDigest,
    InvalidRequest,
    NoSuchBucket,
    NoSuchKey,
)
from overcast.services.s3.notifications import Caller, ObjectEvent, body
from overcast.services.s3.notifier import Notifier

SELF_COPY = (
    "This copy request is illegal because it is trying to copy an object to itself without "
    "changing the object's metadata, storage class, website redirect location or encryption "
    "attributes."
)


def md5_of_header(content_md5: str | None) -> bytes | None:
    """A Content-MD5 header's digest; InvalidDigest if it is not a base64 MD5."""
    if content_md5 is None:
        return None
    try:
        digest = base64.b64decode(content_md5, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise InvalidDigest(
            "The Content-MD5 you specified was invalid.", **{"Content-MD5": content_md5}
        )
    return digest


def verify(writer: BlobWriter, content_md5: str | None, checksum: Checksum | None) -> None:
    """The body against its Content-MD5 and x-amz-checksum-* headers (BadDigest)."""
    expected = md5_of_header(content_md5)
    if expected is not None and expected != writer.digests.md5.digest():
        raise BadDigest(
            "The Content-MD5 you specified did not match what we received.",
            ExpectedDigest=content_md5,
            CalculatedDigest=base64.b64encode(writer.digests.md5.digest()).decode(),
        )
    if checksum is not None and writer.digests.checksum(checksum.algorithm) != checksum:
        raise BadDigest(
            f"The {checksum.algorithm} you specified did not match the calculated checksum."
        )


def kept_checksum(writer: BlobWriter, sent: Checksum | None) -> str | None:
    """The checksum an object keeps: the one the client sent (verified), else the CRC64NVME
    that S3 adds to an object uploaded without one."""
    checksum = sent or writer.digests.checksum(DEFAULT_ALGORITHM)
    return checksum.encode() if checksum is not None else None


class Objects:
    def __init__(
        self,
        catalog: Catalog,
        blobs: BlobStore,
        buckets: Buckets,
        notifier: Notifier,
        owner: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.blobs = blobs
        self.buckets = buckets
        self.notifier = notifier
        self.owner = owner  # the bucket owner's principal id, as records name it
        self.clock = clock
        self._sequence = itertools.count(time.time_ns())
        self._sequence_lock = threading.Lock()

    # --- writing ----------------------------------------------------------------------------

    def put(
        self,
        bucket: str,
        key: str,
        writer: BlobWriter,
        caller: Caller,
        *,
        headers: dict[str, str],
        metadata: dict[str, str],
        checksum: Checksum | None = None,
        content_md5: str | None = None,
        check: Check | None = None,
        tags: tuple[tuple[str, str], ...] = (),
    ) -> StoredObject:
        """Store a received body as `key` (PutObject). `writer` is committed or discarded."""
        try:
            state = self.buckets.get(bucket)
            verify(writer, content_md5, checksum)
        except BaseException:
            writer.discard()
            raise
        item = StoredObject(
            bucket,
            key,
            writer.commit(),
            writer.size,
            writer.etag,
            self._now_ms(),
            headers,
            metadata,
            checksum=kept_checksum(writer, checksum),
            tags=tags,
        )
        self.store(item, state, "ObjectCreated:Put", caller, check)
        return item

    def store(
        self,
        item: StoredObject,
        state: BucketState,
        event_name: str,
        caller: Caller,
        check: Check | None = None,
    ) -> None:
        """Commit a placed blob as an object, with the events it causes."""
        notices = self.notices(event_name, state, item.key, caller, item.size, item.etag)
        try:
            previous, kept = self.catalog.put(item, notices, check)
        except LookupError:
            self.blobs.remove([item.blob])
            raise NoSuchBucket(
                "The specified bucket does not exist", BucketName=item.bucket
            ) from None
        except BaseException:
            self.blobs.remove([item.blob])
            raise
        self.notifier.deliver(kept)
        if previous is not None and previous.blob != item.blob:
            self.blobs.remove([previous.blob])

    def copy(
        self,
        source: tuple[str, str],
        bucket: str,
        key: str,
        caller: Caller,
        *,
        replace: dict | None = None,
        conditions: Preconditions = NO_CONDITIONS,
        tags: tuple[tuple[str, str], ...] | None = None,
        encryption: Mapping[str, object] | None = None,
        check_source: Callable[[StoredObject], None] | None = None,
    ) -> tuple[StoredObject, StoredObject]:
        """CopyObject: the source's bytes (a hard link) as `key`, with the source's headers
        and metadata, or `replace`'s (`{"headers": ..., "metadata": ...}`), and the source's
        tags or `tags`; encrypted as `encryption` (encryption.py's `written`) says, where the
        request names encryption (a copy onto itself may change only that). `check_source`
        may refuse the source (an SSE-C key). Returns the new object and its source."""
        state = self.buckets.get(bucket)
        original = self.get(*source)
        if check_source is not None:
            check_source(original)
        check_copy_source(original, conditions)
        if source == (bucket, key) and replace is None and encryption is None:
            raise InvalidRequest(SELF_COPY)
        kept = replace or {"headers": original.headers, "metadata": original.metadata}
        headers = without_encryption(kept["headers"])
        headers.update(encryption or {"ServerSideEncryption": SSE_S3})
        item = StoredObject(
            bucket,
            key,
            self.blobs.duplicate(original.blob),
            original.size,
            original.etag,
            self._now_ms(),
            headers,
            kept["metadata"],
            original.parts,
            original.checksum,
            original.part_sizes,
            original.tags if tags is None else tags,
        )
        self.store(item, state, "ObjectCreated:Copy", caller)
        return item, original

    def delete(self, bucket: str, key: str, caller: Caller) -> StoredObject | None:
        """Remove an object; deleting a key that does not exist succeeds, as on S3."""
        state = self.buckets.get(bucket)
        previous, kept = self.catalog.delete(
            bucket, key, lambda gone: self.notices("ObjectRemoved:Delete", state, key, caller)
        )
        if previous is not None:
            self.notifier.deliver(kept)
            self.blobs.remove([previous.blob])
        return previous

    def set_tags(self, bucket: str, key: str, tags: tuple[tuple[str, str], ...]) -> None:
        """Replace an object's tag set (PutObjectTagging, DeleteObjectTagging)."""
        self.buckets.get(bucket)
        if self.catalog.set_object_tags(bucket, key, tags) is None:
            raise NoSuchKey("The specified key does not exist.", Key=key)

    # --- reading ----------------------------------------------------------------------------

    def get(self, bucket: str, key: str) -> StoredObject:
        self.buckets.get(bucket)
        item = self.catalog.get(bucket, key)
        if item is None:
            raise NoSuchKey("The specified key does not exist.", Key=key)
        return item

    def open(self, bucket: str, key: str) -> tuple[StoredObject, BinaryIO]:
        """The object and its bytes, opened: a write that replaces it meanwhile does not
        disturb a reader (its blob is unlinked, not changed)."""
        for _ in range(3):
            item = self.get(bucket, key)
            try:
                return item, self.blobs.open(item.blob)
            except FileNotFoundError:
                continue  # replaced between reading its row and opening its blob
        raise NoSuchKey("The specified key does not exist.", Key=key)

    # --- events -----------------------------------------------------------------------------

    def notices(
        self,
        event_name: str,
        state: BucketState,
        key: str,
        caller: Caller,
        size: int | None = None,
        etag: str | None = None,
    ) -> list[Notice]:
        """One event for each of the bucket's configurations that wants it."""
        rules = [rule for rule in state.rules if rule.matches(event_name, key)]
        if not rules:
            return []
        event = ObjectEvent(
            event_name,
            state.bucket.region,
            state.bucket.name,
            key,
            self._sequencer(),
            datetime.fromtimestamp(self.clock(), UTC),
            size,
            etag,
        )
        return [Notice(r.target, body(event, r, caller, self.owner), caller.hops) for r in rules]

    def _sequencer(self) -> str:
        """Increasing hex strings: events for one key are ordered by them, as on S3."""
        with self._sequence_lock:
            value = max(next(self._sequence), time.time_ns())
            self._sequence = itertools.count(value + 1)
        return f"{value:018X}"

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)
