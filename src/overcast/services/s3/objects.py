"""Objects: stored whole (PutObject, CopyObject), read, deleted, and the events each causes.

A write is: the body already streamed into an uncommitted blob (see blobs.py) and checked
against the digests the client sent; the blob renamed into place; the object's row and its
events committed together; the events handed on; the blob it replaced removed. The client
hears success only after the commit.

Every object is a version of its key (versioning.py says which a write makes and what a
delete does in each of a bucket's versioning states); a read names a version or takes the
key's latest, which may be a delete marker: then the key reads as deleted.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from overcast.aws.protocols.rest_xml import http_date
from overcast.services.s3.acl import Acl, loaded, owner_only
from overcast.services.s3.blobs import BlobStore, BlobWriter
from overcast.services.s3.body_errors import BadDigest, InvalidDigest
from overcast.services.s3.buckets import Buckets, BucketState
from overcast.services.s3.catalog import Catalog, Check, Notice, StoredObject
from overcast.services.s3.checksums import (
    DEFAULT_ALGORITHM,
    FULL_OBJECT,
    Checksum,
    checksum_of,
)
from overcast.services.s3.conditions import (
    NO_CONDITIONS,
    Preconditions,
    check_copy_source,
)
from overcast.services.s3.encryption import SSE_S3, without_encryption
from overcast.services.s3.errors import (
    InvalidRequest,
    MethodNotAllowed,
    NoSuchBucket,
    NoSuchKey,
    NoSuchVersion,
    S3Error,
)
from overcast.services.s3.notifications import Caller, ObjectEvent, body
from overcast.services.s3.notifier import Notifier
from overcast.services.s3.ownership import acls_disabled
from overcast.services.s3.versioning import check_version_id, plan_delete, version_for_write

SELF_COPY = (
    "This copy request is illegal because it is trying to copy an object to itself without "
    "changing the object's metadata, storage class, website redirect location or encryption "
    "attributes."
)
COPY_OF_MARKER = (
    "The source of a copy request may not specifically refer to a delete marker by version id."
)
NO_SUCH_KEY = "The specified key does not exist."
NO_SUCH_VERSION = "The specified version does not exist."


@dataclass(frozen=True)
class Expiry:
    """A deletion lifecycle makes: its events are LifecycleExpiration's, a delete marker it
    adds is dated `marker_ms` (S3 dates one at the midnight of the day it is made), and it
    is done only while `latest` is still its key's latest version (as the sweep read it: a
    write since then is not undone by what was decided before it)."""

    latest: StoredObject
    marker_ms: int


@dataclass(frozen=True)
class Deletion:
    """What a DeleteObject did, as its answer tells it: the version id it names (the one
    removed, or the delete marker added; None where versions do not show) and whether that
    was a delete marker."""

    version_id: str | None = None
    delete_marker: bool | None = None


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
        acl: Acl | None = None,
    ) -> StoredObject:
        """Store a received body as `key` (PutObject), with its ACL's grants (None: the
        owner's alone). `writer` is committed or discarded."""
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
            version_id=version_for_write(state.versioning_status),
            acl=acl,
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
        notices = self.notices(
            event_name, state, item.key, caller, item.size, item.etag, item.version_id
        )
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
        source_version: str | None = None,
        replace: dict | None = None,
        conditions: Preconditions = NO_CONDITIONS,
        tags: tuple[tuple[str, str], ...] | None = None,
        encryption: Mapping[str, object] | None = None,
        reencrypted: bool = False,
        check_source: Callable[[StoredObject], None] | None = None,
        acl: Acl | None = None,
        checksum_algorithm: str | None = None,
    ) -> tuple[StoredObject, StoredObject]:
        """CopyObject: the source's bytes (a hard link) as `key`, with the source's headers
        and metadata, or `replace`'s (`{"headers": ..., "metadata": ...}`), and the source's
        tags or `tags`. The source is its key's latest version, or `source_version`. The
        copy is encrypted as `encryption` says (the request's, or the target bucket's default:
        bucket_encryption.py's `for_write`; SSE-S3 where None), never as its source was;
        `reencrypted` says the request named encryption (a copy onto itself may change only
        that). It has the request's ACL, not its source's (as on S3). `check_source` may
        refuse the source (an SSE-C key). Returns the new object and its source."""
        state = self.buckets.get(bucket)
        original = self._copy_source(*source, source_version)
        if check_source is not None:
            check_source(original)
        check_copy_source(original, conditions)
        # Copying an earlier version over its own key is how S3 restores it: allowed.
        unchanged = replace is None and not reencrypted
        if source == (bucket, key) and source_version is None and unchanged:
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
            self._copy_checksum(original, checksum_algorithm),
            original.part_sizes,
            original.tags if tags is None else tags,
            version_for_write(state.versioning_status),
            acl=acl,
        )
        self.store(item, state, "ObjectCreated:Copy", caller)
        return item, original

    def _copy_checksum(self, original: StoredObject, algorithm: str | None) -> str | None:
        """A copy's checksum: the source's by default; computed over the bytes where the
        request names another algorithm (S3: "You can optionally specify a different
        checksum algorithm to use with the x-amz-checksum-algorithm header")."""
        kept = Checksum.decode(original.checksum)
        if algorithm is None or (
            kept is not None and kept.algorithm == algorithm and kept.kind == FULL_OBJECT
        ):
            return original.checksum
        with self.blobs.open(original.blob) as stream:
            return checksum_of(algorithm, stream).encode()

    def _copy_source(self, bucket: str, key: str, version_id: str | None) -> StoredObject:
        try:
            return self.get(bucket, key, version_id)
        except MethodNotAllowed:  # a delete marker, named by its version id
            raise InvalidRequest(COPY_OF_MARKER) from None
        except NoSuchKey:  # the source's latest is a delete marker: no object to copy
            raise NoSuchKey(NO_SUCH_KEY, Key=key) from None

    def delete(
        self,
        bucket: str,
        key: str,
        caller: Caller,
        version_id: str | None = None,
        expiry: Expiry | None = None,
        check: Callable[[StoredObject | None], None] | None = None,
    ) -> Deletion:
        """DeleteObject: remove the version named, or do what a delete without one does in
        the bucket's versioning state (plan_delete). Deleting what does not exist succeeds,
        as on S3. `expiry`: the deletion is lifecycle's (see Expiry). `check` may refuse
        it, given the key's current object (a conditional delete's If-Match)."""
        state = self.buckets.get(bucket)
        if version_id is not None:
            check_version_id(version_id)
        plan = plan_delete(state.versioning_status, version_id)
        kind = "LifecycleExpiration" if expiry is not None else "ObjectRemoved"
        marker = None
        if plan.marker is not None:
            made = self._now_ms() if expiry is None else expiry.marker_ms
            marker = StoredObject(
                bucket, key, "", 0, "", made, version_id=plan.marker, delete_marker=True
            )

        def events(removed: StoredObject | None) -> list[Notice]:
            if marker is not None:
                name, version = f"{kind}:DeleteMarkerCreated", marker.version_id
            else:
                name, version = f"{kind}:Delete", removed.version_id
            return self.notices(name, state, key, caller, version_id=version)

        try:
            removed, kept = self.catalog.delete(
                bucket, key, plan.remove, marker, events, expiry.latest if expiry else None, check
            )
        except LookupError:
            raise NoSuchBucket("The specified bucket does not exist", BucketName=bucket) from None
        self.notifier.deliver(kept)
        if removed is not None and not removed.delete_marker:
            self.blobs.remove([removed.blob])
        if version_id is not None:
            return Deletion(version_id, True if removed and removed.delete_marker else None)
        if marker is not None:
            return Deletion(marker.version_id, True)
        return Deletion()

    def set_tags(
        self,
        bucket: str,
        key: str,
        tags: tuple[tuple[str, str], ...],
        version_id: str | None = None,
    ) -> StoredObject:
        """Replace a version's tag set (PutObjectTagging, DeleteObjectTagging)."""
        self.get(bucket, key, version_id)  # NoSuchKey, NoSuchVersion, a delete marker's 405
        tagged = self.catalog.set_object_tags(bucket, key, tags, version_id)
        if tagged is None:  # deleted meanwhile
            raise NoSuchKey(NO_SUCH_KEY, Key=key)
        return tagged

    def acl(self, bucket: str, key: str, version_id: str | None = None) -> Acl:
        """A version's ACL as GetObjectAcl shows it: the owner's alone where the bucket's
        ACLs are disabled (they grant nothing then), or it was given none."""
        item = self.get(bucket, key, version_id)
        if acls_disabled(self.buckets.get(bucket).ownership) or item.acl is None:
            return owner_only(self.buckets.owner)
        return loaded(item.acl)

    def set_acl(self, bucket: str, key: str, grants: Acl, version_id: str | None = None) -> None:
        """Replace a version's ACL (PutObjectAcl; the bucket has taken it: bucket_access)."""
        self.get(bucket, key, version_id)  # NoSuchKey, NoSuchVersion, a delete marker's 405
        if self.catalog.set_object_acl(bucket, key, grants, version_id) is None:
            raise NoSuchKey(NO_SUCH_KEY, Key=key)  # deleted meanwhile

    # --- reading ----------------------------------------------------------------------------

    def get(self, bucket: str, key: str, version_id: str | None = None) -> StoredObject:
        """The key's current object, or the version named. A key whose latest version is a
        delete marker is NoSuchKey; a delete marker named by its id is S3's 405."""
        self.buckets.get(bucket)
        if version_id is not None:
            check_version_id(version_id)
        item = self.catalog.get(bucket, key, version_id)
        if item is None and version_id is None:
            raise NoSuchKey(NO_SUCH_KEY, Key=key)
        if item is None:
            raise NoSuchVersion(NO_SUCH_VERSION, Key=key, VersionId=version_id)
        if item.delete_marker:
            raise _marker_error(item, version_id)
        return item

    def open(
        self, bucket: str, key: str, version_id: str | None = None
    ) -> tuple[StoredObject, BinaryIO]:
        """The object and its bytes, opened: a write that replaces it meanwhile does not
        disturb a reader (its blob is unlinked, not changed)."""
        for _ in range(3):
            item = self.get(bucket, key, version_id)
            try:
                return item, self.blobs.open(item.blob)
            except FileNotFoundError:
                continue  # replaced between reading its row and opening its blob
        raise NoSuchKey(NO_SUCH_KEY, Key=key)

    # --- events -----------------------------------------------------------------------------

    def notices(
        self,
        event_name: str,
        state: BucketState,
        key: str,
        caller: Caller,
        size: int | None = None,
        etag: str | None = None,
        version_id: str | None = None,
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
            version_id,
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


def _marker_error(marker: StoredObject, version_id: str | None) -> S3Error:
    """A read that meets a delete marker: NoSuchKey where it is the key's latest, S3's 405
    where the request named it; both tell the client it met one (its headers)."""
    headers = {"x-amz-delete-marker": "true", "x-amz-version-id": marker.version_id}
    if version_id is None:
        return NoSuchKey(NO_SUCH_KEY, Key=marker.key, headers=headers)
    modified = datetime.fromtimestamp(marker.modified_ms / 1000, UTC)
    headers.update({"Last-Modified": http_date(modified), "Allow": "DELETE"})
    return MethodNotAllowed(
        "The specified method is not allowed against this resource.",
        Method="GET",
        ResourceType="DeleteMarker",
        headers=headers,
    )
