"""Multipart uploads: parts stored as blobs as they arrive, then joined into one object when
the upload completes (its ETag is S3's: the MD5 of the parts' MD5s, then `-<count>`).

Every part but the last must be at least 5 MiB; part numbers run from 1 to 10,000; a part
uploaded again under its number replaces the earlier one; parts not named at completion are
discarded with the upload. The object keeps its parts' sizes, so that a part can be read
back by its number (GetObject's partNumber).

A completion is remembered while the object it made stands: S3 answers a repeated
CompleteMultipartUpload with the same parts (an SDK's retry after a lost answer) as it
answered the first, where an upload that is merely gone is NoSuchUpload.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import BinaryIO

from overcast.services.s3.blobs import BlobStore, BlobWriter
from overcast.services.s3.body_errors import EntityTooSmall, InvalidPart, InvalidPartOrder
from overcast.services.s3.catalog import Catalog, Check, Completion, Part, StoredObject, Upload
from overcast.services.s3.checksums import Checksum, etag_of_parts
from overcast.services.s3.conditions import (
    INVALID_PART,
    NO_CONDITIONS,
    Preconditions,
    check_copy_source,
    check_part_number,
)
from overcast.services.s3.errors import InvalidArgument, InvalidRequest, MalformedXML, NoSuchUpload
from overcast.services.s3.notifications import Caller
from overcast.services.s3.objects import Objects, verify
from overcast.services.s3.upload_checksums import (
    CHECKSUM_TYPE,
    WantedPart,
    check_completion,
    check_named,
    object_checksum,
    part_algorithm,
)
from overcast.services.s3.versioning import version_for_write

MIN_PART_BYTES = 5 * 1024 * 1024
COPY_CHUNK = 1024 * 1024
COPY_RANGE_TOO_FAR = "The specified copy range is invalid for the source object size"
NO_SUCH_UPLOAD = (
    "The specified upload does not exist. The upload ID may be invalid, or the upload may "
    "have been aborted or completed."
)


class Multipart:
    def __init__(
        self,
        catalog: Catalog,
        blobs: BlobStore,
        objects: Objects,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.blobs = blobs
        self.objects = objects
        self.buckets = objects.buckets
        self.clock = clock

    def create(
        self,
        bucket: str,
        key: str,
        *,
        headers: dict[str, str],
        metadata: dict[str, str],
        checksum_algorithm: str | None = None,
        tags: tuple[tuple[str, str], ...] = (),
        acl: tuple[tuple[str, str, str], ...] | None = None,
    ) -> Upload:
        self.buckets.get(bucket)
        upload_id = uuid.uuid4().hex + uuid.uuid4().hex
        upload = Upload(
            upload_id, bucket, key, self._now_ms(), headers, metadata, checksum_algorithm, tags, acl
        )
        self.catalog.add_upload(upload)
        return upload

    def upload(self, bucket: str, key: str, upload_id: str) -> Upload:
        self.buckets.get(bucket)
        upload = self.catalog.upload(upload_id)
        if upload is None or (upload.bucket, upload.key) != (bucket, key):
            raise NoSuchUpload(NO_SUCH_UPLOAD, UploadId=upload_id)
        return upload

    def put_part(
        self,
        upload: Upload,
        number: int,
        writer: BlobWriter,
        *,
        content_md5: str | None = None,
        checksum: Checksum | None = None,
    ) -> Part:
        """Keep a received part (UploadPart). `writer` is committed or discarded."""
        try:
            check_part_number(number)
            verify(writer, content_md5, checksum)
        except BaseException:
            writer.discard()
            raise
        kept = writer.digests.checksum(part_algorithm(upload))
        part = Part(
            number,
            writer.commit(),
            writer.size,
            writer.etag,
            self._now_ms(),
            kept.encode() if kept is not None else None,
        )
        self._keep(upload, part)
        return part

    def copy_part(
        self,
        upload: Upload,
        number: int,
        source: tuple[str, str],
        byte_range: tuple[int, int] | None,
        conditions: Preconditions = NO_CONDITIONS,
        check_source: Callable[[StoredObject], None] | None = None,
    ) -> tuple[Part, StoredObject]:
        """UploadPartCopy: bytes of another object (all, or `byte_range`) as a part;
        `check_source` may refuse the source (an SSE-C key)."""
        check_part_number(number)
        original, stream = self.objects.open(*source)
        with stream:
            if check_source is not None:
                check_source(original)
            check_copy_source(original, conditions)
            first, last = byte_range or (0, original.size - 1)
            if byte_range is not None and first >= original.size:
                raise InvalidRequest(
                    "The specified copy range is invalid for the source object size"
                )
            if byte_range is not None and last >= original.size:
                raise InvalidArgument(
                    f"Range specified is not valid for source object of size: {original.size}",
                    ArgumentName="x-amz-copy-source-range",
                    ArgumentValue=f"bytes={first}-{last}",
                )
            writer = self._copy_bytes(stream, first, last - first + 1, part_algorithm(upload))
        kept = writer.digests.checksum(part_algorithm(upload))
        checksum = kept.encode() if kept is not None else None
        part = Part(number, writer.commit(), writer.size, writer.etag, self._now_ms(), checksum)
        self._keep(upload, part)
        return part, original

    def _copy_bytes(self, stream: BinaryIO, offset: int, count: int, algorithm: str) -> BlobWriter:
        writer = self.blobs.writer(algorithm)
        try:
            stream.seek(offset)
            while count > 0:
                chunk = stream.read(min(COPY_CHUNK, count))
                if not chunk:
                    break
                writer.write(chunk)
                count -= len(chunk)
        except BaseException:
            writer.discard()
            raise
        return writer

    def _keep(self, upload: Upload, part: Part) -> None:
        try:
            replaced = self.catalog.put_part(upload.id, part)
        except LookupError:
            self.blobs.remove([part.blob])
            raise NoSuchUpload(NO_SUCH_UPLOAD, UploadId=upload.id) from None
        self.blobs.remove([replaced])

    def complete(
        self,
        bucket: str,
        key: str,
        upload_id: str,
        wanted: list[WantedPart],
        caller: Caller,
        check: Check | None = None,
        *,
        checksum: Checksum | None = None,
        checksum_type: str | None = None,
    ) -> StoredObject:
        """Join the named parts into the object, in one commit with its events; the upload
        and all its parts are gone after. `checksum` and `checksum_type` are the ones the
        completion sends, checked against what the parts make. A completion repeated with
        the same parts answers the object the first one made."""
        self.buckets.get(bucket)
        upload = self.catalog.upload(upload_id)
        if upload is None or (upload.bucket, upload.key) != (bucket, key):
            return self._completed_before(bucket, key, upload_id, wanted)
        chosen = self._chosen_parts(upload, wanted)
        made = object_checksum(upload, chosen)
        check_completion(upload, made, checksum, checksum_type)
        state = self.buckets.get(upload.bucket)
        writer = self.blobs.concatenate(part.blob for part in chosen)
        etag = etag_of_parts([part.etag for part in chosen])
        item = StoredObject(
            upload.bucket,
            upload.key,
            writer.commit(),
            writer.size,
            etag,
            self._now_ms(),
            {name: value for name, value in upload.headers.items() if name != CHECKSUM_TYPE},
            upload.metadata,
            parts=len(chosen),
            checksum=made.encode() if made is not None else None,
            part_sizes=tuple(part.size for part in chosen),
            tags=upload.tags,
            version_id=version_for_write(state.versioning_status),
            acl=upload.acl,
        )
        event = "ObjectCreated:CompleteMultipartUpload"
        notices = self.objects.notices(
            event, state, item.key, caller, item.size, etag, item.version_id
        )
        completion = Completion(upload.id, bucket, key, tuple(_named(wanted)))
        try:
            previous, part_blobs, kept = self.catalog.end_upload(
                upload.id, item, notices, check, completion
            )
        except LookupError:  # completed (or aborted) by another request meanwhile
            self.blobs.remove([item.blob])
            return self._completed_before(bucket, key, upload_id, wanted)
        except BaseException:
            self.blobs.remove([item.blob])
            raise
        self.objects.notifier.deliver(kept)
        self.blobs.remove([*part_blobs, previous.blob if previous is not None else None])
        return item

    def _completed_before(
        self, bucket: str, key: str, upload_id: str, wanted: list[WantedPart]
    ) -> StoredObject:
        found = self.catalog.completion(upload_id)
        if found is not None:
            completion, item = found
            same_object = (completion.bucket, completion.key) == (bucket, key)
            if same_object and completion.parts == tuple(_named(wanted)):
                return item
        raise NoSuchUpload(NO_SUCH_UPLOAD, UploadId=upload_id)

    def _chosen_parts(self, upload: Upload, wanted: list[WantedPart]) -> list[Part]:
        if not wanted:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our "
                "published schema"
            )
        numbers = [part.number for part in wanted]
        if any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
            raise InvalidPartOrder(
                "The list of parts was not in ascending order. Parts must be ordered by part "
                "number.",
                UploadId=upload.id,
            )
        stored = {part.number: part for part in self.catalog.parts(upload.id)}
        chosen = []
        for index, named in enumerate(wanted):
            part = stored.get(named.number)
            if part is None or part.etag != named.etag.strip().strip('"'):
                raise InvalidPart(
                    INVALID_PART,
                    UploadId=upload.id,
                    PartNumber=named.number,
                    ETag=named.etag,
                )
            if index < len(wanted) - 1 and part.size < MIN_PART_BYTES:
                raise EntityTooSmall(
                    "Your proposed upload is smaller than the minimum allowed size",
                    ProposedSize=part.size,
                    MinSizeAllowed=MIN_PART_BYTES,
                    PartNumber=named.number,
                    ETag=part.etag,
                )
            chosen.append(part)
        check_named(upload, wanted, stored)
        return chosen

    def abort(self, upload: Upload) -> None:
        try:
            _, part_blobs, _ = self.catalog.end_upload(upload.id)
        except LookupError:
            raise NoSuchUpload(NO_SUCH_UPLOAD, UploadId=upload.id) from None
        self.blobs.remove(part_blobs)

    def parts(self, upload: Upload) -> list[Part]:
        return self.catalog.parts(upload.id)

    def uploads(self, bucket: str) -> list[Upload]:
        self.buckets.get(bucket)
        return self.catalog.uploads(bucket)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)


def _named(wanted: list[WantedPart]) -> list[tuple[int, str]]:
    """Parts as a completion names them, ETags bare (with or without their quotes)."""
    return [(part.number, part.etag.strip().strip('"')) for part in wanted]
