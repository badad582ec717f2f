"""S3's bucket operations: create, delete, head, list buckets, location, tagging,
notification configuration, and deleting many objects at once."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.protocols import rest_xml
from overcast.services.s3.api.call import S3Call, handles
from overcast.services.s3.buckets import LEGACY_REGION
from overcast.services.s3.catalog import Bucket
from overcast.services.s3.errors import InvalidArgument, MalformedXML, S3Error
from overcast.services.s3.listing import decode_token, encode_token
from overcast.services.s3.store import ObjectStore

MAX_DELETE_KEYS = 1000
MAX_BUCKETS_PAGE = 10_000
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


def owner(store: ObjectStore) -> dict:
    return {"ID": store.owner_id}


def created(bucket: Bucket) -> datetime:
    return datetime.fromtimestamp(bucket.created_ms / 1000, UTC)


@handles("ListBuckets")
async def list_buckets(store: ObjectStore, call: S3Call) -> Response:
    params = call.params
    prefix, region = params.get("Prefix"), params.get("BucketRegion")
    limit = params.get("MaxBuckets") or MAX_BUCKETS_PAGE
    if not 1 <= limit <= MAX_BUCKETS_PAGE:
        raise InvalidArgument("Max buckets must be between 1 and 10000", ArgumentName="max-buckets")
    after = decode_token(params["ContinuationToken"]) if params.get("ContinuationToken") else ""
    chosen = [
        b
        for b in store.buckets.all()
        if b.name > (after or "")
        and (prefix is None or b.name.startswith(prefix))
        and (region is None or b.region == region)
    ]
    page = chosen[:limit]
    result = {
        "Buckets": [
            {"Name": b.name, "CreationDate": created(b), "BucketRegion": b.region} for b in page
        ],
        "Owner": owner(store),
        "Prefix": prefix,
        "ContinuationToken": encode_token(page[-1].name) if len(chosen) > limit else None,
    }
    return call.respond(result, "ListAllMyBucketsResult")


@handles("CreateBucket")
async def create_bucket(store: ObjectStore, call: S3Call) -> Response:
    configuration = call.params.get("CreateBucketConfiguration") or {}
    location = configuration.get("LocationConstraint")
    bucket = await run_in_threadpool(store.buckets.create, call.bucket, call.region, location)
    return call.respond({"Location": f"/{bucket.name}"})


@handles("DeleteBucket")
async def delete_bucket(store: ObjectStore, call: S3Call) -> Response:
    part_blobs = await run_in_threadpool(store.buckets.delete, call.bucket)
    store.blobs.remove(part_blobs)
    return call.respond({})


@handles("HeadBucket")
async def head_bucket(store: ObjectStore, call: S3Call) -> Response:
    bucket = store.buckets.get(call.bucket).bucket
    return call.respond({"BucketRegion": bucket.region, "AccessPointAlias": False})


@handles("GetBucketLocation")
async def get_bucket_location(store: ObjectStore, call: S3Call) -> Response:
    region = store.buckets.get(call.bucket).bucket.region
    # S3 answers an empty LocationConstraint for us-east-1, its original region.
    element = ElementTree.Element("LocationConstraint", xmlns=rest_xml.XMLNS)
    element.text = None if region == LEGACY_REGION else region
    content = rest_xml.XML_DECLARATION + ElementTree.tostring(element, encoding="utf-8")
    return Response(content, media_type="application/xml")


# --- tagging ------------------------------------------------------------------------------


@handles("GetBucketTagging")
async def get_bucket_tagging(store: ObjectStore, call: S3Call) -> Response:
    tags = store.buckets.tags(call.bucket)
    return call.respond({"TagSet": [{"Key": k, "Value": v} for k, v in tags]}, "Tagging")


@handles("PutBucketTagging")
async def put_bucket_tagging(store: ObjectStore, call: S3Call) -> Response:
    tagging = call.params.get("Tagging")
    if tagging is None or "TagSet" not in tagging:
        raise MalformedXML(MALFORMED)
    tags = [(tag.get("Key", ""), tag.get("Value", "")) for tag in tagging["TagSet"]]
    await run_in_threadpool(store.buckets.put_tags, call.bucket, tags)
    return call.respond({}, status=204)


@handles("DeleteBucketTagging")
async def delete_bucket_tagging(store: ObjectStore, call: S3Call) -> Response:
    await run_in_threadpool(store.buckets.delete_tags, call.bucket)
    return call.respond({})


# --- notifications ------------------------------------------------------------------------


@handles("GetBucketNotificationConfiguration")
async def get_notification(store: ObjectStore, call: S3Call) -> Response:
    configuration = store.buckets.notification(call.bucket)
    return call.respond(configuration, "NotificationConfiguration")


@handles("PutBucketNotificationConfiguration")
async def put_notification(store: ObjectStore, call: S3Call) -> Response:
    configuration = call.params.get("NotificationConfiguration")
    if configuration is None:
        raise MalformedXML(MALFORMED)
    events = frozenset(call.operation.service_model.shape_for("Event").enum)
    await run_in_threadpool(
        store.buckets.put_notification,
        call.bucket,
        configuration,
        events,
        call.request_id,
        call.caller.host_id,
        not call.params.get("SkipDestinationValidation", False),
    )
    return call.respond({})


# --- deleting many objects ----------------------------------------------------------------


@handles("DeleteObjects")
async def delete_objects(store: ObjectStore, call: S3Call) -> Response:
    request = call.params.get("Delete")
    if not request or not request.get("Objects"):
        raise MalformedXML(MALFORMED)
    keys = [entry.get("Key", "") for entry in request["Objects"]]
    if len(keys) > MAX_DELETE_KEYS:
        raise MalformedXML(MALFORMED)
    store.buckets.get(call.bucket)
    deleted, errors = await run_in_threadpool(_delete_each, store, call, keys)
    quiet = bool(request.get("Quiet"))
    return call.respond({"Deleted": [] if quiet else deleted, "Errors": errors}, "DeleteResult")


def _delete_each(store: ObjectStore, call: S3Call, keys: list[str]) -> tuple[list, list]:
    deleted, errors = [], []
    for key in keys:
        try:
            store.objects.delete(call.bucket, key, call.caller)
        except S3Error as exc:
            errors.append({"Key": key, "Code": exc.code, "Message": exc.message})
            continue
        deleted.append({"Key": key})
    return deleted, errors
