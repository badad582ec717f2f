"""S3's multipart upload operations: CreateMultipartUpload, UploadPart, UploadPartCopy,
CompleteMultipartUpload and AbortMultipartUpload (ListParts and ListMultipartUploads are
listing.py's)."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.acl import object_acl
from overcast.services.s3.api.bodies import receive, required_length
from overcast.services.s3.api.call import OPERATIONS, bucket_of, caller, key_of, respond
from overcast.services.s3.api.header_values import copy_source
from overcast.services.s3.api.objects import (
    checksum_members,
    conditions_of,
    encryption_of,
    moment,
    stored_headers,
    user_metadata,
    version_header,
    write_check,
)
from overcast.services.s3.catalog import StoredObject
from overcast.services.s3.checksums import expected_algorithm, header_checksum
from overcast.services.s3.encryption import check_customer_key, check_part_key, shown
from overcast.services.s3.errors import InvalidArgument, MalformedXML
from overcast.services.s3.objects import md5_of_header
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.tagging import header_tags
from overcast.services.s3.upload_checksums import (
    CHECKSUM_TYPE,
    WantedPart,
    check_part,
    creation_type,
    part_algorithm,
)

COPY_RANGE = re.compile(r"bytes=(\d+)-(\d+)")
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@OPERATIONS("CreateMultipartUpload")
async def create_multipart_upload(store: ObjectStore, call: Call) -> Response:
    headers = call.request.headers
    algorithm = headers.get("x-amz-checksum-algorithm", "").upper() or None
    kind = creation_type(algorithm, headers.get("x-amz-checksum-type", "").upper() or None)
    kept = stored_headers(call)
    kept.update(encryption_of(store, call))
    if kind is not None:
        kept[CHECKSUM_TYPE] = kind
    upload = await run_in_threadpool(
        store.multipart.create,
        bucket_of(call),
        key_of(call),
        headers=kept,
        metadata=user_metadata(call),
        checksum_algorithm=algorithm,
        tags=header_tags(call.params.get("Tagging")),
        acl=object_acl(store, call),
    )
    result = {
        "Bucket": bucket_of(call),
        "Key": key_of(call),
        "UploadId": upload.id,
        "ChecksumAlgorithm": algorithm,
        "ChecksumType": kind,
        **shown(kept),
    }
    return respond(call, result, "InitiateMultipartUploadResult")


@OPERATIONS("UploadPart")
async def upload_part(store: ObjectStore, call: Call) -> Response:
    upload = store.multipart.upload(bucket_of(call), key_of(call), call.params.get("UploadId", ""))
    md5_of_header(call.params.get("ContentMD5"))
    required_length(call.request.headers)
    sent_algorithm = expected_algorithm(call.request.headers)
    check_part(upload, sent_algorithm)
    check_part_key(upload.headers, call.params)
    writer = store.blobs.writer(part_algorithm(upload), sent_algorithm)
    try:
        sent = await receive(call.request, writer)
    except BaseException:
        writer.discard()
        raise
    part = await run_in_threadpool(
        store.multipart.put_part,
        upload,
        call.params.get("PartNumber", 0),
        writer,
        content_md5=call.params.get("ContentMD5"),
        checksum=sent,
    )
    # The part's checksum in the upload's algorithm; for an upload without one, the one sent.
    checksum = part.checksum if upload.checksum_algorithm else sent and sent.encode()
    result = {"ETag": f'"{part.etag}"', **checksum_members(checksum), **shown(upload.headers)}
    return respond(call, result)


def copy_range(text: str | None) -> tuple[int, int] | None:
    """`x-amz-copy-source-range: bytes=first-last`, read strictly: S3 refuses what a GET's
    Range would let pass (no `bytes=`, an open end, several ranges, last before first)."""
    if text is None:
        return None
    match = COPY_RANGE.fullmatch(text)
    if match is None or int(match[1]) > int(match[2]):
        raise InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where "
            "first and last are the zero-based offsets of the first and last bytes to copy",
            ArgumentName="x-amz-copy-source-range",
            ArgumentValue=text,
        )
    return int(match[1]), int(match[2])


@OPERATIONS("UploadPartCopy")
async def upload_part_copy(store: ObjectStore, call: Call) -> Response:
    upload = store.multipart.upload(bucket_of(call), key_of(call), call.params.get("UploadId", ""))
    check_part_key(upload.headers, call.params)

    def source_key(original: StoredObject) -> None:  # an SSE-C source only to its key
        check_customer_key(original.headers, call.params, "CopySource")

    part, _ = await run_in_threadpool(
        store.multipart.copy_part,
        upload,
        call.params.get("PartNumber", 0),
        copy_source(call.params.get("CopySource")),
        copy_range(call.params.get("CopySourceRange")),
        conditions_of(call.params, "CopySource"),
        source_key,
    )
    result = {"ETag": f'"{part.etag}"', "LastModified": moment(part.modified_ms)}
    if upload.checksum_algorithm:
        result.update(checksum_members(part.checksum))
    return respond(call, {"CopyPartResult": result, **shown(upload.headers)})


@OPERATIONS("CompleteMultipartUpload")
async def complete_multipart_upload(store: ObjectStore, call: Call) -> Response:
    document = call.params.get("MultipartUpload") or {}
    try:
        wanted = [WantedPart.of(part) for part in document.get("Parts") or ()]
    except (KeyError, ValueError):
        raise MalformedXML(MALFORMED) from None
    sent = header_checksum(call.request.headers, composite=True)
    kind = call.request.headers.get("x-amz-checksum-type", "").upper() or None
    item = await run_in_threadpool(
        lambda: store.multipart.complete(
            bucket_of(call),
            key_of(call),
            call.params.get("UploadId", ""),
            wanted,
            caller(call),
            write_check(call),
            checksum=sent,
            checksum_type=kind,
        )
    )
    base = str(call.request.base_url).rstrip("/")
    result = {
        "Location": f"{base}/{quote(bucket_of(call))}/{quote(key_of(call))}",
        "Bucket": bucket_of(call),
        "Key": key_of(call),
        "ETag": f'"{item.etag}"',
        **checksum_members(item.checksum),
        **shown(item.headers),
        "VersionId": version_header(store, bucket_of(call), item),
    }
    return respond(call, result, "CompleteMultipartUploadResult")


@OPERATIONS("AbortMultipartUpload")
async def abort_multipart_upload(store: ObjectStore, call: Call) -> Response:
    upload = store.multipart.upload(bucket_of(call), key_of(call), call.params.get("UploadId", ""))
    await run_in_threadpool(store.multipart.abort, upload)
    return respond(call, {})
