"""S3's bucket versioning operations: PutBucketVersioning and GetBucketVersioning (what
versioning does to objects: versioning.py; ListObjectVersions: listing.py)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.call import OPERATIONS, bucket_of, respond
from overcast.services.s3.store import ObjectStore


@OPERATIONS("GetBucketVersioning")
async def get_bucket_versioning(store: ObjectStore, call: Call) -> Response:
    # Never enabled: S3 answers the configuration with no Status at all.
    configuration = store.buckets.get(bucket_of(call)).versioning or {}
    return respond(call, configuration, "VersioningConfiguration")


@OPERATIONS("PutBucketVersioning")
async def put_bucket_versioning(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("VersioningConfiguration")
    await run_in_threadpool(store.buckets.put_versioning, bucket_of(call), configuration)
    return respond(call, {})
