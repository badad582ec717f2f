"""S3's object operations: PutObject, GetObject, HeadObject, DeleteObject and CopyObject (the
multipart upload operations are multipart.py's)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.aws.protocols import rest_xml
from overcast.services.s3.api.acl import object_acl
from overcast.services.s3.api.bodies import (
    BlobResponse,
    receive,
    required_length,
    sent_checksum,
    small_body,
)
from overcast.services.s3.api.call import OPERATIONS, bucket_of, caller, key_of, respond
from overcast.services.s3.api.header_values import (
    copy_source,
    copy_source_version,
    metadata_header,
    metadata_value,
    stored_encoding,
)
from overcast.services.s3.api.missing_keys import refuse_unless_listing
from overcast.services.s3.catalog import NULL_VERSION, StoredObject
from overcast.services.s3.checksums import DEFAULT_ALGORITHM, Checksum, expected_algorithm
from overcast.services.s3.conditions import (
    Preconditions,
    byte_range,
    check_read,
    check_write,
    delete_check,
    part_range,
)
from overcast.services.s3.encryption import (
    SSE_S3,
    check_customer_key,
    public,
    requested,
    shown,
    written,
)
from overcast.services.s3.errors import (
    InvalidArgument,
    InvalidRequest,
    MetadataTooLarge,
    NoSuchKey,
)
from overcast.services.s3.objects import md5_of_header
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.tagging import header_tags
from overcast.services.s3.upload_checksums import check_algorithm

# Representation headers an object keeps (request header -> the model's output member).
STORED_HEADERS = {
    "content-type": "ContentType",
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "expires": "Expires",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
}
DEFAULT_CONTENT_TYPE = "binary/octet-stream"  # what S3 stores when none is given
MAX_METADATA_BYTES = 2048
# GetObject's response-* query parameters, which replace a stored header in the answer.
OVERRIDES = {
    "ResponseContentType": "ContentType",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseExpires": "Expires",
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
}


def stored_headers(call: Call) -> dict[str, str]:
    return representation_headers(call.request.headers)


def representation_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The representation headers an object keeps (Content-Type, ...), from a request's
    headers (or a form's fields), by their lower-case names."""
    kept = {member: headers[name] for name, member in STORED_HEADERS.items() if name in headers}
    encoding = stored_encoding(kept.pop("ContentEncoding", ""))
    if encoding is not None:
        kept["ContentEncoding"] = encoding
    kept.setdefault("ContentType", DEFAULT_CONTENT_TYPE)
    return kept


def user_metadata(call: Call) -> dict[str, str]:
    return checked_metadata(call.params.get("Metadata") or {})


def checked_metadata(received: Mapping[str, str]) -> dict[str, str]:
    """User metadata (`x-amz-meta-*`) as kept, within S3's 2 KB (MetadataTooLarge)."""
    metadata = {name: metadata_value(value) for name, value in received.items()}
    # S3 counts the bytes of the UTF-8 encoding of each name and value.
    size = sum(len(k.encode()) + len(v.encode()) for k, v in metadata.items())
    if size > MAX_METADATA_BYTES:
        raise MetadataTooLarge(
            "Your metadata headers exceed the maximum allowed metadata size",
            Size=size,
            MaxSizeAllowed=MAX_METADATA_BYTES,
        )
    return metadata


def checksum_members(checksum: str | None) -> dict[str, str]:
    """A stored checksum as the model's output members (`ChecksumCRC32`, `ChecksumType`)."""
    found = Checksum.decode(checksum)
    return found.members() if found is not None else {}


def moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def conditions_of(params: dict, prefix: str = "") -> Preconditions:
    return Preconditions(
        params.get(f"{prefix}IfMatch"),
        params.get(f"{prefix}IfNoneMatch"),
        params.get(f"{prefix}IfModifiedSince"),
        params.get(f"{prefix}IfUnmodifiedSince"),
    )


def version_header(store: ObjectStore, bucket: str, item: StoredObject) -> str | None:
    """`x-amz-version-id` of an answer about `item`: S3 names versions once the bucket's
    versioning was set (its `null` versions too), and never in a bucket where it was not."""
    state = store.buckets.get(bucket)
    shown = state.versioning_status is not None or item.version_id != NULL_VERSION
    return item.version_id if shown else None


def write_check(call: Call):  # noqa: ANN202 (a Check, or None)
    if_match, if_none_match = call.params.get("IfMatch"), call.params.get("IfNoneMatch")
    if if_match is None and if_none_match is None:
        return None
    return lambda previous: check_write(previous, if_match, if_none_match, key_of(call))


# --- whole objects ------------------------------------------------------------------------


def encryption_of(store: ObjectStore, call: Call) -> dict:
    """The encryption a write asks for, as the object keeps it (encryption.py)."""
    region = store.buckets.get(bucket_of(call)).bucket.region
    return written(call.params, region, store.account_id)


@OPERATIONS("PutObject")
async def put_object(store: ObjectStore, call: Call) -> Response:
    store.buckets.get(bucket_of(call))  # before reading the body, as S3 does
    required_length(call.request.headers)
    headers, metadata = stored_headers(call), user_metadata(call)
    headers.update(encryption_of(store, call))
    md5_of_header(call.params.get("ContentMD5"))
    algorithm = expected_algorithm(call.request.headers) or DEFAULT_ALGORITHM
    options = {
        "headers": headers,
        "metadata": metadata,
        "content_md5": call.params.get("ContentMD5"),
        "check": write_check(call),
        "tags": header_tags(call.params.get("Tagging")),
        "acl": object_acl(store, call),
    }
    body = await small_body(call.request)
    if body is not None:
        item = await run_in_threadpool(_put_small, store, call, body, algorithm, options)
    else:
        writer = store.blobs.writer(algorithm)
        try:
            sent = await receive(call.request, writer)
        except BaseException:
            writer.discard()
            raise
        put = store.objects.put
        item = await run_in_threadpool(
            put, bucket_of(call), key_of(call), writer, caller(call), checksum=sent, **options
        )
    result = {
        "ETag": f'"{item.etag}"',
        "VersionId": version_header(store, bucket_of(call), item),
        "Expiration": store.lifecycle.expiration(bucket_of(call), item),
        **checksum_members(item.checksum),
        **shown(item.headers),
    }
    return respond(call, result)


def _put_small(
    store: ObjectStore, call: Call, body: bytes, algorithm: str, options: dict
) -> StoredObject:
    checksum = sent_checksum(call.request.headers, {})  # before a writer is opened
    writer = store.blobs.writer(algorithm)
    writer.write(body)
    return store.objects.put(
        bucket_of(call), key_of(call), writer, caller(call), checksum=checksum, **options
    )


def _object_headers(store: ObjectStore, call: Call, item: StoredObject) -> dict:
    result = {
        "AcceptRanges": "bytes",
        "LastModified": moment(item.modified_ms),
        "ETag": f'"{item.etag}"',
        "VersionId": version_header(store, bucket_of(call), item),
        "Expiration": store.lifecycle.expiration(bucket_of(call), item),
        # S3 encrypts every object: SSE-S3 where nothing else was asked for (or recorded)
        "ServerSideEncryption": None if "SSECustomerAlgorithm" in item.headers else SSE_S3,
        **public(item.headers),
        "Metadata": {name: metadata_header(value) for name, value in item.metadata.items()},
        "TagCount": len(item.tags) or None,
    }
    for query_member, header_member in OVERRIDES.items():
        if call.params.get(query_member) is not None:
            result[header_member] = call.params[query_member]
    if call.request.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
        result.update(checksum_members(item.checksum))
    return result


def _range_of(call: Call, item: StoredObject) -> tuple[int, int, int, dict]:
    """(status, offset, length, extra headers) of a read, after its conditions: the whole
    object, a Range's bytes, or a part's (`partNumber`)."""
    check_read(item, conditions_of(call.params))
    number, header = call.params.get("PartNumber"), call.params.get("Range")
    extra: dict = {}
    if number is not None:
        if header:
            raise InvalidRequest("Cannot specify both Range header and partNumber query parameter")
        first, last = part_range(item, number)
        if item.parts is not None:  # S3 counts parts only for a multipart object
            extra["PartsCount"] = item.parts
    else:
        found = byte_range(header, item.size)
        if found is None:
            return 200, 0, item.size, {}
        first, last = found
    if last < first:  # an empty part (or object): no range to name
        return 200, first, 0, extra
    # A ranged read carries no whole-object checksum.
    extra["ContentRange"] = f"bytes {first}-{last}/{item.size}"
    return 206, first, last - first + 1, extra


@OPERATIONS("GetObject")
async def get_object(store: ObjectStore, call: Call) -> Response:
    bucket, key, version = bucket_of(call), key_of(call), call.params.get("VersionId")
    try:
        item, stream = await run_in_threadpool(store.objects.open, bucket, key, version)
    except NoSuchKey:
        refuse_unless_listing(store, call)
        raise
    try:
        check_customer_key(item.headers, call.params)
        status, offset, length, extra = _range_of(call, item)
    except BaseException:
        stream.close()
        raise
    result = {**_object_headers(store, call, item), **extra}
    if extra:
        result = {k: v for k, v in result.items() if not k.startswith("Checksum")}
    headers = rest_xml.output_headers(call.operation, result)
    return BlobResponse(stream, offset, length, status_code=status, headers=headers)


@OPERATIONS("HeadObject")
async def head_object(store: ObjectStore, call: Call) -> Response:
    bucket, key, version = bucket_of(call), key_of(call), call.params.get("VersionId")
    try:
        item = await run_in_threadpool(store.objects.get, bucket, key, version)
    except NoSuchKey:
        refuse_unless_listing(store, call)
        raise
    check_customer_key(item.headers, call.params)
    status, _, length, extra = _range_of(call, item)
    result = {**_object_headers(store, call, item), **extra}
    headers = rest_xml.output_headers(call.operation, result)
    headers["content-length"] = str(length)
    return Response(status_code=status, headers=headers)


@OPERATIONS("DeleteObject")
async def delete_object(store: ObjectStore, call: Call) -> Response:
    version = call.params.get("VersionId")
    done = await run_in_threadpool(
        lambda: store.objects.delete(
            bucket_of(call),
            key_of(call),
            caller(call),
            version,
            check=delete_check(call.params.get("IfMatch"), key_of(call)),
        )
    )
    return respond(call, {"VersionId": done.version_id, "DeleteMarker": done.delete_marker})


@OPERATIONS("CopyObject")
async def copy_object(store: ObjectStore, call: Call) -> Response:
    source = copy_source(call.params.get("CopySource"))
    directive = call.params.get("MetadataDirective", "COPY")
    if directive not in ("COPY", "REPLACE"):
        raise InvalidArgument(
            "Unknown metadata directive.",
            ArgumentName="x-amz-metadata-directive",
            ArgumentValue=directive,
        )
    replace = None
    if directive == "REPLACE":
        replace = {"headers": stored_headers(call), "metadata": user_metadata(call)}
    tags = None  # the source's, unless told otherwise
    tagging = call.params.get("TaggingDirective", "COPY")
    if tagging == "REPLACE":
        tags = header_tags(call.params.get("Tagging"))
    elif tagging != "COPY":
        raise InvalidArgument(
            "Unknown tagging directive.",
            ArgumentName="x-amz-tagging-directive",
            ArgumentValue=tagging,
        )
    encryption = encryption_of(store, call) if requested(call.params) else None
    algorithm = call.request.headers.get("x-amz-checksum-algorithm", "").upper() or None
    check_algorithm(algorithm)

    def source_key(original: StoredObject) -> None:  # an SSE-C source only to its key
        check_customer_key(original.headers, call.params, "CopySource")

    item, original = await run_in_threadpool(
        lambda: store.objects.copy(
            source,
            bucket_of(call),
            key_of(call),
            caller(call),
            source_version=copy_source_version(call.params.get("CopySource")),
            replace=replace,
            conditions=conditions_of(call.params, "CopySource"),
            tags=tags,
            encryption=encryption,
            check_source=source_key,
            acl=object_acl(store, call),
            checksum_algorithm=algorithm,
        )
    )
    copied = {
        "ETag": f'"{item.etag}"',
        "LastModified": moment(item.modified_ms),
        **checksum_members(item.checksum),
    }
    result = {
        "CopyObjectResult": copied,
        "VersionId": version_header(store, bucket_of(call), item),
        "CopySourceVersionId": version_header(store, source[0], original),
        **shown(item.headers),
    }
    return respond(call, result)
