"""S3's access control operations: Get/PutBucketAcl, Get/PutObjectAcl, the bucket's Object
Ownership controls and its Block Public Access configuration (the rules: ownership.py; the
grants: acl.py), and the ACL a write (`x-amz-acl`, `x-amz-grant-*`) gives its object."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from overcast.aws.operations import Call
from overcast.services.s3.acl import Acl, AclRequest, from_headers, from_policy
from overcast.services.s3.api.call import OPERATIONS, bucket_of, key_of, respond
from overcast.services.s3.body_errors import UnexpectedContent
from overcast.services.s3.errors import MissingSecurityHeader
from overcast.services.s3.store import ObjectStore


def object_acl(store: ObjectStore, call: Call) -> Acl | None:
    """The grants an object written by this request keeps (None: the owner's alone), once
    the bucket has taken them (AccessControlListNotSupported where its ACLs are disabled,
    AccessDenied for a public ACL its Block Public Access blocks)."""
    asked = from_headers(call.request.headers, store.owner_id)
    return store.access.object_acl(bucket_of(call), asked)


def _policy(store: ObjectStore, call: Call) -> AclRequest:
    """The ACL a PutBucketAcl or PutObjectAcl sets: by its headers or by its document, not
    both (S3's words for each: not confirmed)."""
    asked = from_headers(call.request.headers, store.owner_id)
    document = call.params.get("AccessControlPolicy")
    if asked is not None and document is not None:
        raise UnexpectedContent("This request does not support content")
    if asked is None and document is None:
        raise MissingSecurityHeader(
            "Your request was missing a required header", MissingHeaderName="x-amz-acl"
        )
    return asked or AclRequest(from_policy(document, store.owner_id))


def _answer(store: ObjectStore, call: Call, grants: Acl, **headers: object) -> Response:
    result = {"Owner": {"ID": store.owner_id}, "Grants": [g.to_dict() for g in grants], **headers}
    return respond(call, result, "AccessControlPolicy")


@OPERATIONS("GetBucketAcl")
async def get_bucket_acl(store: ObjectStore, call: Call) -> Response:
    return _answer(store, call, store.access.acl(bucket_of(call)))


@OPERATIONS("PutBucketAcl")
async def put_bucket_acl(store: ObjectStore, call: Call) -> Response:
    store.buckets.get(bucket_of(call))
    asked = _policy(store, call)
    await run_in_threadpool(store.access.put_acl, bucket_of(call), asked.grants)
    return respond(call, {})


@OPERATIONS("GetObjectAcl")
async def get_object_acl(store: ObjectStore, call: Call) -> Response:
    version = call.params.get("VersionId")
    grants = await run_in_threadpool(store.objects.acl, bucket_of(call), key_of(call), version)
    return _answer(store, call, grants)


@OPERATIONS("PutObjectAcl")
async def put_object_acl(store: ObjectStore, call: Call) -> Response:
    bucket, version = bucket_of(call), call.params.get("VersionId")
    store.objects.get(bucket, key_of(call), version)  # NoSuchKey before the ACL's errors
    grants = store.access.object_acl(bucket, _policy(store, call))
    await run_in_threadpool(store.objects.set_acl, bucket, key_of(call), grants, version)
    return respond(call, {})


# --- Object Ownership ---------------------------------------------------------------------


@OPERATIONS("GetBucketOwnershipControls")
async def get_bucket_ownership_controls(store: ObjectStore, call: Call) -> Response:
    ownership = store.access.ownership(bucket_of(call))
    return respond(call, {"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}})


@OPERATIONS("PutBucketOwnershipControls")
async def put_bucket_ownership_controls(store: ObjectStore, call: Call) -> Response:
    controls = call.params.get("OwnershipControls")
    await run_in_threadpool(store.access.put_ownership, bucket_of(call), controls)
    return respond(call, {})


@OPERATIONS("DeleteBucketOwnershipControls")
async def delete_bucket_ownership_controls(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.access.delete_ownership, bucket_of(call))
    return respond(call, {})


# --- Block Public Access ------------------------------------------------------------------


@OPERATIONS("GetPublicAccessBlock")
async def get_public_access_block(store: ObjectStore, call: Call) -> Response:
    block = store.access.public_access(bucket_of(call))
    return respond(call, {"PublicAccessBlockConfiguration": block})


@OPERATIONS("PutPublicAccessBlock")
async def put_public_access_block(store: ObjectStore, call: Call) -> Response:
    configuration = call.params.get("PublicAccessBlockConfiguration")
    await run_in_threadpool(store.access.put_public_access, bucket_of(call), configuration)
    return respond(call, {})


@OPERATIONS("DeletePublicAccessBlock")
async def delete_public_access_block(store: ObjectStore, call: Call) -> Response:
    await run_in_threadpool(store.access.delete_public_access, bucket_of(call))
    return respond(call, {})
