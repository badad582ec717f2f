"""A bucket's configuration as S3 answers the read-only queries tools make (Terraform's
aws_s3_bucket reads most of them on every refresh), for the settings this server does not
let a bucket change: each is answered with what S3 answers for a bucket where it was never
set.

- S3's own defaults for a new bucket: SSE-S3 (AES256) encryption (since January 2023),
  the owner paying for requests, no access logging, no transfer acceleration.
- Settings that do not exist until configured are S3's "no such configuration" errors
  (website, Object Lock, replication).
"""

from __future__ import annotations

from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.api.call import OPERATIONS, bucket_of, respond
from overcast.services.s3.errors import (
    NoSuchWebsiteConfiguration,
    ObjectLockConfigurationNotFoundError,
    ReplicationConfigurationNotFoundError,
)
from overcast.services.s3.store import ObjectStore


def _checked(store: ObjectStore, call: Call) -> str:
    """The bucket's name, once it is known to exist (else NoSuchBucket)."""
    store.buckets.get(bucket_of(call))
    return bucket_of(call)


@OPERATIONS("GetBucketEncryption")
async def get_bucket_encryption(store: ObjectStore, call: Call) -> Response:
    _checked(store, call)
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    configuration = {"Rules": [{**rule, "BucketKeyEnabled": False}]}
    return respond(call, {"ServerSideEncryptionConfiguration": configuration})


@OPERATIONS("GetBucketRequestPayment")
async def get_bucket_request_payment(store: ObjectStore, call: Call) -> Response:
    _checked(store, call)
    return respond(call, {"Payer": "BucketOwner"}, "RequestPaymentConfiguration")


@OPERATIONS("GetBucketLogging")
async def get_bucket_logging(store: ObjectStore, call: Call) -> Response:
    _checked(store, call)
    return respond(call, {}, "BucketLoggingStatus")


@OPERATIONS("GetBucketAccelerateConfiguration")
async def get_bucket_accelerate(store: ObjectStore, call: Call) -> Response:
    _checked(store, call)
    return respond(call, {}, "AccelerateConfiguration")


@OPERATIONS("GetBucketWebsite")
async def get_bucket_website(store: ObjectStore, call: Call) -> Response:
    name = _checked(store, call)
    raise NoSuchWebsiteConfiguration(
        "The specified bucket does not have a website configuration", BucketName=name
    )


@OPERATIONS("GetObjectLockConfiguration")
async def get_object_lock_configuration(store: ObjectStore, call: Call) -> Response:
    name = _checked(store, call)
    raise ObjectLockConfigurationNotFoundError(
        "Object Lock configuration does not exist for this bucket", BucketName=name
    )


@OPERATIONS("GetBucketReplication")
async def get_bucket_replication(store: ObjectStore, call: Call) -> Response:
    name = _checked(store, call)
    raise ReplicationConfigurationNotFoundError(
        "The replication configuration was not found", BucketName=name
    )
