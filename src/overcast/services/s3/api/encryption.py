"""S3's bucket default encryption operations: Put/Get/DeleteBucketEncryption (the rule and
what it does to new objects: default_encryption.py)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.call import OPERATIONS, bucket_of, respond
from overcast.services.s3.store import ObjectStore


@OPERATIONS("GetBucketEncryption")
async def get_bucket_encryption(store: ObjectStore, call: Call) -> Response:
    rule = store.encryption.configuration(bucket_of(call)).to_rule()
    return respond(call, {"ServerSideEncryptionConfiguration": {"Rules": [rule]}})


@OPERATIONS("PutBucketEncryption")
async def put_bucket_encryption(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("ServerSideEncryptionConfiguration")
    await run_in_threadpool(store.encryption.put, bucket_of(call), configuration)
    return respond(call, {})


@OPERATIONS("DeleteBucketEncryption")
async def delete_bucket_encryption(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.encryption.delete, bucket_of(call))
    return respond(call, {})
