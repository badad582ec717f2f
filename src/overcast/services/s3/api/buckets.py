"""S3's bucket operations: create, delete, head, list buckets, location, tagging, policy,
notification configuration, and deleting many objects at once."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.aws.protocols import rest_xml
from overcast.services.s3.acl import from_headers
from overcast.services.s3.api.call import OPERATIONS, bucket_of, caller, respond
from overcast.services.s3.buckets import LEGACY_REGION
from overcast.services.s3.catalog import Bucket
from overcast.services.s3.conditions import delete_check
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


@OPERATIONS("ListBuckets")
async def list_buckets(store: ObjectStore, call: Call) -> Response:
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
    return respond(call, result, "ListAllMyBucketsResult")


@OPERATIONS("CreateBucket")
async def create_bucket(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("CreateBucketConfiguration") or {}
    location = configuration.get("LocationConstraint")
    ownership = call.params.get("ObjectOwnership")
    asked = from_headers(call.request.headers, store.owner_id)
    bucket = await run_in_threadpool(
        store.buckets.create, bucket_of(call), call.region, location, ownership, asked
    )
    return respond(call, {"Location": f"/{bucket.name}"})


@OPERATIONS("DeleteBucket")
async def delete_bucket(store: ObjectStore, call: Call) -> Response:
    part_blobs = await run_in_threadpool(store.buckets.delete, bucket_of(call))
    store.blobs.remove(part_blobs)
    return respond(call, {})


@OPERATIONS("HeadBucket")
async def head_bucket(store: ObjectStore, call: Call) -> Response:
    bucket = store.buckets.get(bucket_of(call)).bucket
    return respond(call, {"BucketRegion": bucket.region, "AccessPointAlias": False})


@OPERATIONS("GetBucketLocation")
async def get_bucket_location(store: ObjectStore, call: Call) -> Response:
    region = store.buckets.get(bucket_of(call)).bucket.region
    # S3 answers an empty LocationConstraint for us-east-1, its original region.
    element = ElementTree.Element("LocationConstraint", xmlns=rest_xml.XMLNS)
    element.text = None if region == LEGACY_REGION else region
    content = rest_xml.XML_DECLARATION + ElementTree.tostring(element, encoding="utf-8")
    return Response(content, media_type="application/xml")


# --- tagging ------------------------------------------------------------------------------


@OPERATIONS("GetBucketTagging")
async def get_bucket_tagging(store: ObjectStore, call: Call) -> Response:
    tags = store.buckets.tags(bucket_of(call))
    return respond(call, {"TagSet": [{"Key": k, "Value": v} for k, v in tags]}, "Tagging")


@OPERATIONS("PutBucketTagging")
async def put_bucket_tagging(store: ObjectStore, call: Call) -> Response:
    tagging = call.params.get("Tagging")
    if tagging is None or "TagSet" not in tagging:
        raise MalformedXML(MALFORMED)
    tags = [(tag.get("Key", ""), tag.get("Value", "")) for tag in tagging["TagSet"]]
    await run_in_threadpool(store.buckets.put_tags, bucket_of(call), tags)
    return respond(call, {}, status=204)


@OPERATIONS("DeleteBucketTagging")
async def delete_bucket_tagging(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.buckets.delete_tags, bucket_of(call))
    return respond(call, {})


# --- policy -------------------------------------------------------------------------------


@OPERATIONS("GetBucketPolicy")
async def get_bucket_policy(store: ObjectStore, call: Call) -> Response:
    # The document itself is the answer, as it was put (JSON, not XML).
    return Response(store.buckets.policy(bucket_of(call)), media_type="application/json")


@OPERATIONS("PutBucketPolicy")
async def put_bucket_policy(store: ObjectStore, call: Call) -> Response:
    identity = call.context.identity
    caller = identity.arn if identity is not None else None
    await run_in_threadpool(
        store.buckets.put_policy, bucket_of(call), call.params["Policy"], caller
    )
    return respond(call, {}, status=204)


@OPERATIONS("DeleteBucketPolicy")
async def delete_bucket_policy(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.buckets.delete_policy, bucket_of(call))
    return respond(call, {})


# --- notifications ------------------------------------------------------------------------


@OPERATIONS("GetBucketNotificationConfiguration")
async def get_notification(store: ObjectStore, call: Call) -> Response:
    configuration = store.buckets.notification(bucket_of(call))
    return respond(call, configuration, "NotificationConfiguration")


@OPERATIONS("PutBucketNotificationConfiguration")
async def put_notification(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("NotificationConfiguration")
    if configuration is None:
        raise MalformedXML(MALFORMED)
    events = frozenset(call.operation.service_model.shape_for("Event").enum)
    who = caller(call)
    await run_in_threadpool(
        store.buckets.put_notification,
        bucket_of(call),
        configuration,
        events,
        who.request_id,
        who.host_id,
        not call.params.get("SkipDestinationValidation", False),
    )
    return respond(call, {})


# --- deleting many objects ----------------------------------------------------------------


@OPERATIONS("DeleteObjects")
async def delete_objects(store: ObjectStore, call: Call) -> Response:
    request = call.params.get("Delete")
    if not request or not request.get("Objects"):
        raise MalformedXML(MALFORMED)
    entries = [
        (entry.get("Key", ""), entry.get("VersionId"), entry.get("ETag"))
        for entry in request["Objects"]
    ]
    if len(entries) > MAX_DELETE_KEYS:
        raise MalformedXML(MALFORMED)
    store.buckets.get(bucket_of(call))
    deleted, errors = await run_in_threadpool(_delete_each, store, call, entries)
    quiet = bool(request.get("Quiet"))
    return respond(call, {"Deleted": [] if quiet else deleted, "Errors": errors}, "DeleteResult")


def _delete_each(
    store: ObjectStore, call: Call, entries: list[tuple[str, str | None, str | None]]
) -> tuple[list, list]:
    deleted, errors = [], []
    bucket, who = bucket_of(call), caller(call)
    for key, version_id, etag in entries:
        # An entry's ETag makes its deletion conditional, as DeleteObject's If-Match does.
        check = delete_check(etag, key)
        try:
            done = store.objects.delete(bucket, key, who, version_id, check=check)
        except InvalidArgument:
            # An id S3 could not have given names no version (this document's words).
            error = {"Code": "NoSuchVersion", "Message": "The specified version does not exist."}
            errors.append({"Key": key, "VersionId": version_id, **error})
            continue
        except S3Error as exc:
            errors.append({"Key": key, "Code": exc.code, "Message": exc.message})
            continue
        entry: dict = {"Key": key, "VersionId": version_id}
        if done.delete_marker:
            entry.update(DeleteMarker=True, DeleteMarkerVersionId=done.version_id)
        deleted.append(entry)
    return deleted, errors
