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
from overcast.services.s3.api.bodies import checksum_algorithm, receive, required_length
from overcast.services.s3.api.call import OPERATIONS, bucket_of, caller, key_of, respond
from overcast.services.s3.api.objects import (
    checksum_members,
    conditions_of,
    copy_source,
    moment,
    stored_headers,
    user_metadata,
    version_header,
    write_check,
)
from overcast.services.s3.checksums import ALGORITHMS
from overcast.services.s3.errors import InvalidArgument, MalformedXML
from overcast.services.s3.objects import md5_of_header
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.tagging import header_tags

COPY_RANGE = re.compile(r"bytes=(\d+)-(\d+)")
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@OPERATIONS("CreateMultipartUpload")
async def create_multipart_upload(store: ObjectStore, call: Call) -> Response:
    algorithm = call.request.headers.get("x-amz-checksum-algorithm", "").upper() or None
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise InvalidArgument(
            "Checksum algorithm provided is unsupported.",
            ArgumentName="x-amz-checksum-algorithm",
            ArgumentValue=algorithm,
        )
    upload = await run_in_threadpool(
        store.multipart.create,
        bucket_of(call),
        key_of(call),
        headers=stored_headers(call),
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
    }
    return respond(call, result, "InitiateMultipartUploadResult")


@OPERATIONS("UploadPart")
async def upload_part(store: ObjectStore, call: Call) -> Response:
    upload = store.multipart.upload(bucket_of(call), key_of(call), call.params.get("UploadId", ""))
    md5_of_header(call.params.get("ContentMD5"))
    required_length(call.request.headers)
    writer = store.blobs.writer(checksum_algorithm(call.request.headers))
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
    return respond(call, {"ETag": f'"{part.etag}"', **checksum_members(part.checksum)})


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
    part, _ = await run_in_threadpool(
        store.multipart.copy_part,
        upload,
        call.params.get("PartNumber", 0),
        copy_source(call.params.get("CopySource")),
        copy_range(call.params.get("CopySourceRange")),
        conditions_of(call.params, "CopySource"),
    )
    result = {"ETag": f'"{part.etag}"', "LastModified": moment(part.modified_ms)}
    return respond(call, {"CopyPartResult": result})


@OPERATIONS("CompleteMultipartUpload")
async def complete_multipart_upload(store: ObjectStore, call: Call) -> Response:
    document = call.params.get("MultipartUpload") or {}
    try:
        wanted = [(int(p["PartNumber"]), str(p["ETag"])) for p in document.get("Parts") or ()]
    except (KeyError, ValueError):
        raise MalformedXML(MALFORMED) from None
    item = await run_in_threadpool(
        store.multipart.complete,
        bucket_of(call),
        key_of(call),
        call.params.get("UploadId", ""),
        wanted,
        caller(call),
        write_check(call),
    )
    base = str(call.request.base_url).rstrip("/")
    result = {
        "Location": f"{base}/{quote(bucket_of(call))}/{quote(key_of(call))}",
        "Bucket": bucket_of(call),
        "Key": key_of(call),
        "ETag": f'"{item.etag}"',
        "VersionId": version_header(store, bucket_of(call), item),
    }
    return respond(call, result, "CompleteMultipartUploadResult")


@OPERATIONS("AbortMultipartUpload")
async def abort_multipart_upload(store: ObjectStore, call: Call) -> Response:
    upload = store.multipart.upload(bucket_of(call), key_of(call), call.params.get("UploadId", ""))
    await run_in_threadpool(store.multipart.abort, upload)
    return respond(call, {})
