"""GetObjectAttributes: what HeadObject tells and more, in a document, for the attributes the
request names (`x-amz-object-attributes`: ETag, Checksum, ObjectParts, StorageClass,
ObjectSize). A multipart object's parts are listed by number and size, a page at a time
(`x-amz-max-parts`, `x-amz-part-number-marker`); their own checksums are not kept once the
upload completes, so no part carries one.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.call import OPERATIONS, bucket_of, key_of, respond
from overcast.services.s3.api.objects import moment, version_header
from overcast.services.s3.catalog import StoredObject
from overcast.services.s3.checksums import Checksum
from overcast.services.s3.encryption import check_customer_key
from overcast.services.s3.errors import InvalidArgument, InvalidRequest
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.versioning import check_version_id

ATTRIBUTES = ("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")
MAX_PARTS = 1000


def requested_attributes(header: str | None) -> set[str]:
    names = [name.strip() for name in (header or "").split(",") if name.strip()]
    if not names:
        raise InvalidRequest(
            "The x-amz-object-attributes header specifying the attributes to be retrieved is "
            "either missing or empty"
        )
    for name in names:
        if name not in ATTRIBUTES:
            raise InvalidArgument(
                "Invalid attribute name specified.",
                ArgumentName="x-amz-object-attributes",
                ArgumentValue=header,
            )
    return set(names)


def object_parts(item: StoredObject, max_parts: int, marker: int) -> dict | None:
    if item.parts is None:
        return None
    sizes = item.part_sizes or ()
    listed = [(n, size) for n, size in enumerate(sizes, start=1) if n > marker]
    page = listed[:max_parts]
    return {
        "TotalPartsCount": item.parts,
        "PartNumberMarker": marker,
        "NextPartNumberMarker": page[-1][0] if page else marker,
        "MaxParts": max_parts,
        "IsTruncated": len(listed) > max_parts,
        "Parts": [{"PartNumber": n, "Size": size} for n, size in page],
    }


@OPERATIONS("GetObjectAttributes")
async def get_object_attributes(store: ObjectStore, call: Call) -> Response:
    bucket, key, version = bucket_of(call), key_of(call), call.params.get("VersionId")
    store.buckets.get(bucket)
    if version is not None:
        check_version_id(version)
    wanted = requested_attributes(call.request.headers.get("x-amz-object-attributes"))
    item = await run_in_threadpool(store.objects.get, bucket, key, version)
    check_customer_key(item.headers, call.params)
    checksum = Checksum.decode(item.checksum)
    max_parts = min(call.params.get("MaxParts") or MAX_PARTS, MAX_PARTS)
    every = {
        "ETag": item.etag,  # bare: this document's ETag carries no quotes
        "Checksum": checksum.members() if checksum is not None else None,
        "ObjectParts": object_parts(item, max_parts, call.params.get("PartNumberMarker") or 0),
        "StorageClass": "STANDARD",
        "ObjectSize": item.size,
    }
    result = {name: value for name, value in every.items() if name in wanted}
    result["LastModified"] = moment(item.modified_ms)
    result["VersionId"] = version_header(store, bucket, item)
    return respond(call, result, "GetObjectAttributesResponse")
