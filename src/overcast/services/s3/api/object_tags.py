"""S3's object tagging operations: GetObjectTagging, PutObjectTagging, DeleteObjectTagging.
(An object's first tags come with the write that makes it: `x-amz-tagging`, objects.py.)"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.call import OPERATIONS, bucket_of, key_of, respond
from overcast.services.s3.api.objects import version_header
from overcast.services.s3.errors import MalformedXML
from overcast.services.s3.store import ObjectStore
from overcast.services.s3.tagging import MAX_OBJECT_TAGS, check_tags

MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


@OPERATIONS("GetObjectTagging")
async def get_object_tagging(store: ObjectStore, call: Call) -> Response:
    bucket, version = bucket_of(call), call.params.get("VersionId")
    item = await run_in_threadpool(store.objects.get, bucket, key_of(call), version)
    # An object without tags has an empty tag set (not an error, as a bucket's is).
    tag_set = [{"Key": key, "Value": value} for key, value in item.tags]
    result = {"TagSet": tag_set, "VersionId": version_header(store, bucket, item)}
    return respond(call, result, "Tagging")


@OPERATIONS("PutObjectTagging")
async def put_object_tagging(store: ObjectStore, call: Call) -> Response:
    tagging = call.params.get("Tagging")
    if tagging is None or "TagSet" not in tagging:
        raise MalformedXML(MALFORMED)
    pairs = [(tag.get("Key", ""), tag.get("Value", "")) for tag in tagging["TagSet"]]
    tags = check_tags(pairs, MAX_OBJECT_TAGS, "Object")
    return await _tagged(store, call, tags)


@OPERATIONS("DeleteObjectTagging")
async def delete_object_tagging(store: ObjectStore, call: Call) -> Response:
    return await _tagged(store, call, ())


async def _tagged(store: ObjectStore, call: Call, tags: tuple[tuple[str, str], ...]) -> Response:
    bucket, version = bucket_of(call), call.params.get("VersionId")
    item = await run_in_threadpool(store.objects.set_tags, bucket, key_of(call), tags, version)
    return respond(call, {"VersionId": version_header(store, bucket, item)})
