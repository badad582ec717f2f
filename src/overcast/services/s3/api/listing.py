"""S3's listings: ListObjectsV2, ListObjects, ListObjectVersions, ListMultipartUploads and
ListParts.

With `encoding-type=url` (which boto3 always asks for) S3 percent-encodes the keys and
prefixes it returns, and the SDK decodes them: keys with any characters survive XML.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.aws.protocols import rest_xml
from overcast.services.s3.api.call import OPERATIONS, bucket_of, key_of, respond
from overcast.services.s3.catalog import StoredObject
from overcast.services.s3.checksums import Checksum
from overcast.services.s3.errors import InvalidArgument
from overcast.services.s3.listing import decode_token, encode_token, list_keys, list_versions
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.upload_checksums import upload_type
from overcast.services.s3.versioning import check_version_id

MAX_KEYS = 1000
MAX_PARTS = 1000


def _encoder(encoding: str | None):  # noqa: ANN202 (returns str -> str)
    if encoding is None:
        return lambda text: text
    if encoding != "url":
        raise InvalidArgument(
            "Invalid Encoding Method specified in Request",
            ArgumentName="encoding-type",
            ArgumentValue=encoding,
        )
    return lambda text: None if text is None else quote(text, safe="/")


def _max(params: dict, name: str, wire: str, ceiling: int) -> int:
    value = params.get(name, ceiling)
    if value < 0:
        raise InvalidArgument(f"Provided {wire} must be non-negative", ArgumentName=wire)
    return min(value, ceiling)


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _entry(item: StoredObject, encode, owner: dict | None) -> dict:  # noqa: ANN001
    entry = {
        "Key": encode(item.key),
        "LastModified": _time(item.modified_ms),
        "ETag": f'"{item.etag}"',
        "Size": item.size,
        "StorageClass": "STANDARD",
        "Owner": owner,
    }
    return entry


@OPERATIONS("ListObjectsV2")
async def list_objects_v2(store: ObjectStore, call: Call) -> Response:
    params = call.params
    encode = _encoder(params.get("EncodingType"))
    max_keys = _max(params, "MaxKeys", "max-keys", MAX_KEYS)
    token, start_after = params.get("ContinuationToken"), params.get("StartAfter")
    after = start_after or ""
    if token is not None:
        after = decode_token(token)
        if after is None:
            raise InvalidArgument(
                "The continuation token provided is incorrect",
                ArgumentName="continuation-token",
            )
    prefix, delimiter = params.get("Prefix", ""), params.get("Delimiter", "")
    store.buckets.get(bucket_of(call))
    listing = await run_in_threadpool(
        list_keys,
        store.catalog,
        bucket_of(call),
        prefix=prefix,
        delimiter=delimiter,
        after=after,
        max_keys=max_keys,
    )
    owner = {"ID": store.owner_id} if params.get("FetchOwner") else None
    result = {
        "Name": bucket_of(call),
        "Prefix": encode(prefix),
        "Delimiter": encode(delimiter) if delimiter else None,
        "MaxKeys": max_keys,
        "EncodingType": params.get("EncodingType"),
        "KeyCount": listing.count,
        "IsTruncated": listing.truncated,
        "ContinuationToken": token,
        "NextContinuationToken": encode_token(listing.last) if listing.truncated else None,
        "StartAfter": encode(start_after) if start_after else None,
        "Contents": [_entry(item, encode, owner) for item in listing.objects],
        "CommonPrefixes": [{"Prefix": encode(p)} for p in listing.common_prefixes],
    }
    return respond(call, result, "ListBucketResult")


@OPERATIONS("ListObjects")
async def list_objects(store: ObjectStore, call: Call) -> Response:
    params = call.params
    encode = _encoder(params.get("EncodingType"))
    max_keys = _max(params, "MaxKeys", "max-keys", MAX_KEYS)
    marker = params.get("Marker", "")
    prefix, delimiter = params.get("Prefix", ""), params.get("Delimiter", "")
    store.buckets.get(bucket_of(call))
    listing = await run_in_threadpool(
        list_keys,
        store.catalog,
        bucket_of(call),
        prefix=prefix,
        delimiter=delimiter,
        after=marker,
        max_keys=max_keys,
    )
    owner = {"ID": store.owner_id}
    # S3 gives NextMarker only with a delimiter; without one, clients resume after the last key.
    next_marker = listing.last if listing.truncated and delimiter else None
    result = {
        "Name": bucket_of(call),
        "Prefix": encode(prefix),
        "Marker": encode(marker),
        "NextMarker": encode(next_marker),
        "Delimiter": encode(delimiter) if delimiter else None,
        "MaxKeys": max_keys,
        "EncodingType": params.get("EncodingType"),
        "IsTruncated": listing.truncated,
        "Contents": [_entry(item, encode, owner) for item in listing.objects],
        "CommonPrefixes": [{"Prefix": encode(p)} for p in listing.common_prefixes],
    }
    return respond(call, result, "ListBucketResult")


@OPERATIONS("ListObjectVersions")
async def list_object_versions(store: ObjectStore, call: Call) -> Response:
    """Every version of each key, newest first: objects as Versions, delete markers as
    DeleteMarkers (a bucket whose versioning was never enabled holds each object as its
    `null` version, and no markers)."""
    params = call.params
    encode = _encoder(params.get("EncodingType"))
    max_keys = _max(params, "MaxKeys", "max-keys", MAX_KEYS)
    key_marker, version_marker = params.get("KeyMarker", ""), params.get("VersionIdMarker")
    if version_marker is not None and not key_marker:
        raise InvalidArgument(
            "A version-id marker cannot be specified without a key marker.",
            ArgumentName="version-id-marker",
            ArgumentValue=version_marker,
        )
    if version_marker is not None:
        check_version_id(version_marker)
    prefix, delimiter = params.get("Prefix", ""), params.get("Delimiter", "")
    store.buckets.get(bucket_of(call))
    listing = await run_in_threadpool(
        list_versions,
        store.catalog,
        bucket_of(call),
        prefix=prefix,
        delimiter=delimiter,
        key_marker=key_marker,
        version_marker=version_marker,
        max_keys=max_keys,
    )
    owner = {"ID": store.owner_id}
    next_key, next_version = listing.last if listing.truncated else (None, None)
    result = {
        "Name": bucket_of(call),
        "Prefix": encode(prefix),
        "KeyMarker": encode(key_marker),
        "VersionIdMarker": version_marker or "",
        "NextKeyMarker": encode(next_key),
        "NextVersionIdMarker": next_version,
        "Delimiter": encode(delimiter) if delimiter else None,
        "MaxKeys": max_keys,
        "EncodingType": params.get("EncodingType"),
        "IsTruncated": listing.truncated,
        "Versions": [
            _version_entry(item, encode, owner)
            for item in listing.versions
            if not item.delete_marker
        ],
        "DeleteMarkers": [
            _marker_entry(item, encode, owner) for item in listing.versions if item.delete_marker
        ],
        "CommonPrefixes": [{"Prefix": encode(p)} for p in listing.common_prefixes],
    }
    document = rest_xml.element(call.operation.output_shape, result, "ListVersionsResult")
    interleave(document, [item.delete_marker for item in listing.versions])
    return Response(rest_xml.serialized(document), media_type="application/xml")


def interleave(document: ElementTree.Element, markers: list[bool]) -> None:
    """S3 lists versions and delete markers in one sequence, by key and newest first; the
    model's two lists are written apart: put each entry back in its place (`markers`: the
    listing's entries, True for a delete marker)."""
    versions = document.findall("Version")
    deleted = document.findall("DeleteMarker")
    if not versions or not deleted:
        return
    at = list(document).index(versions[0])
    for entry in versions + deleted:
        document.remove(entry)
    ordered = [deleted.pop(0) if marker else versions.pop(0) for marker in markers]
    for offset, entry in enumerate(ordered):
        document.insert(at + offset, entry)


def _version_entry(item: StoredObject, encode, owner: dict) -> dict:  # noqa: ANN001
    return {**_entry(item, encode, owner), "VersionId": item.version_id, "IsLatest": item.latest}


def _marker_entry(item: StoredObject, encode, owner: dict) -> dict:  # noqa: ANN001
    """A delete marker has no size, ETag or storage class, as S3 lists it."""
    return {
        "Owner": owner,
        "Key": encode(item.key),
        "VersionId": item.version_id,
        "IsLatest": item.latest,
        "LastModified": _time(item.modified_ms),
    }


@OPERATIONS("ListMultipartUploads")
async def list_multipart_uploads(store: ObjectStore, call: Call) -> Response:
    params = call.params
    encode = _encoder(params.get("EncodingType"))
    prefix = params.get("Prefix", "")
    uploads = await run_in_threadpool(store.multipart.uploads, bucket_of(call))
    owner = {"ID": store.owner_id}
    result = {
        "Bucket": bucket_of(call),
        "Prefix": encode(prefix),
        "KeyMarker": encode(params.get("KeyMarker", "")),
        "UploadIdMarker": params.get("UploadIdMarker", ""),
        "MaxUploads": MAX_KEYS,
        "EncodingType": params.get("EncodingType"),
        "IsTruncated": False,
        "Uploads": [
            {
                "UploadId": u.id,
                "Key": encode(u.key),
                "Initiated": _time(u.initiated_ms),
                "StorageClass": "STANDARD",
                "Owner": owner,
                "Initiator": owner,
            }
            for u in uploads
            if u.key.startswith(prefix)
        ],
    }
    return respond(call, result, "ListMultipartUploadsResult")


def part_checksum(checksum: str | None) -> dict[str, str]:
    """A part's kept checksum as ListParts names it (`ChecksumCRC32`, ...)."""
    found = Checksum.decode(checksum)
    return {f"Checksum{found.algorithm}": found.value} if found is not None else {}


@OPERATIONS("ListParts")
async def list_parts(store: ObjectStore, call: Call) -> Response:
    params = call.params
    upload = store.multipart.upload(bucket_of(call), key_of(call), params.get("UploadId", ""))
    max_parts = _max(params, "MaxParts", "max-parts", MAX_PARTS)
    marker = params.get("PartNumberMarker", 0)
    parts = [p for p in await run_in_threadpool(store.multipart.parts, upload) if p.number > marker]
    page, truncated = parts[:max_parts], len(parts) > max_parts
    owner = {"ID": store.owner_id}
    result = {
        "Bucket": bucket_of(call),
        "Key": key_of(call),
        "UploadId": upload.id,
        "PartNumberMarker": marker,
        "NextPartNumberMarker": page[-1].number if page else marker,
        "MaxParts": max_parts,
        "IsTruncated": truncated,
        "StorageClass": "STANDARD",
        "Owner": owner,
        "Initiator": owner,
        "ChecksumAlgorithm": upload.checksum_algorithm,
        "ChecksumType": upload_type(upload),
        "Parts": [
            {
                "PartNumber": p.number,
                "LastModified": _time(p.modified_ms),
                "ETag": f'"{p.etag}"',
                "Size": p.size,
                **part_checksum(p.checksum),
            }
            for p in page
        ],
    }
    return respond(call, result, "ListPartsResult")
