"""S3's bucket lifecycle operations: Put/Get/DeleteBucketLifecycleConfiguration (the rules:
lifecycle_rules.py; applying them: lifecycle.py)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.call import OPERATIONS, bucket_of, respond
from overcast.services.s3.store import ObjectStore


@OPERATIONS("GetBucketLifecycleConfiguration")
async def get_bucket_lifecycle(store: ObjectStore, call: Call) -> Response:
    configuration = store.lifecycle.configuration(bucket_of(call))
    return respond(call, configuration.to_dict(), "LifecycleConfiguration")


@OPERATIONS("PutBucketLifecycleConfiguration")
async def put_bucket_lifecycle(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("LifecycleConfiguration")
    minimum_size = call.params.get("TransitionDefaultMinimumObjectSize")
    await run_in_threadpool(store.lifecycle.put, bucket_of(call), configuration, minimum_size)
    kept = store.lifecycle.configuration(bucket_of(call))
    return respond(call, {"TransitionDefaultMinimumObjectSize": kept.minimum_size})


@OPERATIONS("DeleteBucketLifecycle")
async def delete_bucket_lifecycle(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.lifecycle.delete, bucket_of(call))
    return respond(call, {})
