"""What the object store knows: buckets (with their tags and notification configuration),
objects (key -> versions, each a blob, size, ETag, headers, metadata, or a delete marker),
multipart uploads and their parts, and the outbox of object events not yet handed on. The
values, and `Catalog`, the Protocol its store satisfies (the SQLite one, `<data_dir>/s3.db`,
is sqlite_catalog.py).

Every object is a version: a bucket whose versioning was never enabled holds each key's
`null` version alone, and a write replaces it; a versioned bucket stacks versions, the
newest being the key's latest (a delete marker when the key was deleted).

An object's row and the events it causes are written in one transaction, before the client
hears success; the events leave the outbox once delivered (see notifier.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

NULL_VERSION = "null"  # the version id of an object written while versioning was off


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str
    created_ms: int


@dataclass(frozen=True)
class BucketSettings:
    """What a bucket has been configured with (None: never configured)."""

    tags: list[dict] | None = None
    notification: dict | None = None
    policy: str | None = None  # the policy document as it was put
    cors: list[dict] | None = None  # the CORS rules, as CORSRule dicts
    versioning: dict | None = None  # {"Status": ..., "MFADelete": ...} as last put
    acl: list | None = None  # the bucket's grants, [kind, grantee, permission] each
    ownership: str | None = None  # its ObjectOwnership; "" where its controls were deleted
    public_access: dict | None = None  # its Block Public Access; {} where deleted
    lifecycle: dict | None = None  # its lifecycle configuration, as GetBucketLifecycle... has it


@dataclass(frozen=True)
class StoredObject:
    """One object. `etag` is bare (no quotes); `headers` are the representation headers
    stored with it (Content-Type, Cache-Control, ...); `parts` counts a multipart object's
    parts and `part_sizes` are their sizes in order (None for an object stored before they
    were kept); `checksum` is `<ALGORITHM>:<base64>` when the client sent one; `tags` are
    its tag set, (key, value) in order. `version_id` names this version of the key (`null`
    where versioning was off when it was written); a `delete_marker` has no bytes (its
    blob is empty); `latest` says whether it is the key's newest version, as read; `acl`
    its grants, (kind, grantee, permission) each (None: the owner's alone)."""

    bucket: str
    key: str
    blob: str
    size: int
    etag: str
    modified_ms: int
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    parts: int | None = None
    checksum: str | None = None
    part_sizes: tuple[int, ...] | None = None
    tags: tuple[tuple[str, str], ...] = ()
    version_id: str = NULL_VERSION
    delete_marker: bool = False
    latest: bool = True
    acl: tuple[tuple[str, str, str], ...] | None = None


@dataclass(frozen=True)
class Upload:
    id: str
    bucket: str
    key: str
    initiated_ms: int
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    checksum_algorithm: str | None = None
    tags: tuple[tuple[str, str], ...] = ()  # the object's, once completed
    acl: tuple[tuple[str, str, str], ...] | None = None  # likewise


@dataclass(frozen=True)
class Part:
    number: int
    blob: str
    size: int
    etag: str
    modified_ms: int
    checksum: str | None = None


@dataclass(frozen=True)
class Completion:
    """A completed multipart upload, kept while the object it made stands, so that a repeated
    CompleteMultipartUpload naming the same parts is answered as the first was."""

    upload_id: str
    bucket: str
    key: str
    parts: tuple[tuple[int, str], ...]  # (number, bare ETag) as the completion named them


@dataclass(frozen=True)
class Notice:
    """An object event on its way to one destination (a function, queue or topic ARN)."""

    target: str
    body: bytes
    hops: int
    id: int = 0


Check = Callable[[StoredObject | None], None]  # raises to refuse a write (a precondition)


class Catalog(Protocol):
    """What S3 keeps about buckets, objects, uploads and undelivered events (its store).
    SqliteCatalog (sqlite_catalog.py) is the implementation; an object's row and the events
    it causes are written in one transaction, before the client hears success."""

    def add_bucket(self, bucket: Bucket) -> bool:
        """False if a bucket of that name exists already."""
        ...

    def buckets(self) -> list[Bucket]: ...

    def bucket_settings(self) -> dict[str, BucketSettings]:
        """Every bucket's settings, read at start."""
        ...

    def remove_bucket(self, name: str) -> list[str]:
        """Delete an empty bucket (and its unfinished uploads); returns the blobs of their
        parts. Raises LookupError if the bucket still holds objects (any version of one, a
        delete marker included, as S3 counts them)."""
        ...

    def set_tags(self, name: str, tags: list[dict] | None) -> None: ...

    def set_notification(self, name: str, configuration: dict) -> None: ...

    def set_policy(self, name: str, policy: str | None) -> None: ...

    def set_cors(self, name: str, rules: list[dict] | None) -> None: ...

    def set_versioning(self, name: str, configuration: dict) -> None: ...

    def set_bucket_acl(self, name: str, acl: list | None) -> None: ...

    def set_ownership(self, name: str, ownership: str) -> None: ...

    def set_public_access(self, name: str, configuration: dict) -> None: ...

    def set_lifecycle(self, name: str, configuration: dict | None) -> None: ...

    def get(self, bucket: str, key: str, version_id: str | None = None) -> StoredObject | None:
        """The key's latest version (which may be a delete marker), or the version named."""
        ...

    def put(
        self, item: StoredObject, notices: list[Notice], check: Check | None = None
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Store an object as its key's latest version, with its events; a `null` version
        replaces the key's `null` version, wherever it stands. Returns the version replaced
        and the events as kept (with their ids). `check` sees the key's current object (None
        where there is none, or a delete marker is latest) and may refuse the write."""
        ...

    def set_object_tags(
        self,
        bucket: str,
        key: str,
        tags: tuple[tuple[str, str], ...],
        version_id: str | None = None,
    ) -> StoredObject | None:
        """Replace the tag set of the key's latest version (or the version named), its bytes
        and everything else unchanged; returns it as tagged, None if there is no such
        version or it is a delete marker."""
        ...

    def set_object_acl(
        self,
        bucket: str,
        key: str,
        acl: tuple[tuple[str, str, str], ...] | None,
        version_id: str | None = None,
    ) -> StoredObject | None:
        """Replace the ACL of the key's latest version (or the version named), as
        set_object_tags replaces its tags."""
        ...

    def delete(
        self,
        bucket: str,
        key: str,
        version_id: str | None,
        marker: StoredObject | None,
        notices: Callable[[StoredObject | None], list[Notice]],
        latest: StoredObject | None = None,
        check: Check | None = None,
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Remove the version `version_id` of a key for good (when named), then add `marker`
        (a delete marker) as its latest version (when given); keep the events `notices`
        makes of the version removed, unless nothing changed. With `latest`, nothing is done
        unless the key's latest version is still that one (id, blob, time). `check` is
        given the key's current object (None if none) first, in the same transaction, and
        may refuse the deletion by raising. Returns the version removed. Raises LookupError
        if a marker is added to a bucket that is gone."""
        ...

    def page(self, bucket: str, after: str, low: str, high: str | None, limit: int) -> list:
        """Up to `limit` current objects (latest versions that are not delete markers) with
        keys > `after`, >= `low` and < `high` (a prefix's range), in key order (UTF-8 byte
        order, which is S3's)."""
        ...

    def version_page(
        self,
        bucket: str,
        after: tuple[str, str | None],
        low: str,
        high: str | None,
        limit: int,
    ) -> list[StoredObject]:
        """Up to `limit` versions (delete markers among them), by key and then newest first,
        after `after`: (key, version id) resumes after that version of the key, (key, None)
        after all of the key's versions (as does a version id the key does not have)."""
        ...

    def add_upload(self, upload: Upload) -> None: ...

    def upload(self, upload_id: str) -> Upload | None: ...

    def uploads(self, bucket: str) -> list[Upload]: ...

    def put_part(self, upload_id: str, part: Part) -> str | None:
        """Keep a part (replacing one of its number); returns the replaced part's blob.
        Raises LookupError if the upload is gone."""
        ...

    def parts(self, upload_id: str) -> list[Part]: ...

    def end_upload(
        self,
        upload_id: str,
        item: StoredObject | None = None,
        notices: list[Notice] | None = None,
        check: Check | None = None,
        completion: Completion | None = None,
    ) -> tuple[StoredObject | None, list[str], list[Notice]]:
        """Finish an upload: with `item`, complete it as that object (and its events, and
        `completion` kept), else abort it. Returns the object replaced, the parts' blobs and
        the events as kept. Raises LookupError if the upload is gone (completed or aborted
        meanwhile)."""
        ...

    def completion(self, upload_id: str) -> tuple[Completion, StoredObject] | None:
        """The upload's completion and the object it made, while that object stands."""
        ...

    def notices(self) -> list[Notice]: ...

    def delivered(self, notice_ids: list[int]) -> None: ...

    def referenced_blobs(self) -> set[str]: ...

    def close(self) -> None: ...
