"""What each S3 operation needs of IAM ("Actions, resources, and condition keys for Amazon
S3", Service Authorization Reference; each operation's "Permissions" in the S3 API
Reference): the action, on the bucket (`arn:PARTITION:s3:::BUCKET`) or the object
(`arn:PARTITION:s3:::BUCKET/KEY`), and the condition keys the request sets.

Many actions are not spelled as their operations: listing is s3:ListBucket (HeadBucket too),
s3:ListBucketVersions, s3:ListBucketMultipartUploads, s3:ListAllMyBuckets; HeadObject is
s3:GetObject; the multipart upload steps are s3:PutObject, ListParts
s3:ListMultipartUploadParts; a bucket configuration's Delete is its Put action
(DeleteBucketCors: s3:PutBucketCORS). An operation on one version (a VersionId) needs the
`...Version` action (GetObject -> s3:GetObjectVersion). CopyObject and UploadPartCopy need
s3:GetObject (or s3:GetObjectVersion) on the source and s3:PutObject on the target;
DeleteObjects s3:DeleteObject (or s3:DeleteObjectVersion) on each key.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from overcast.aws.arn import partition_for
from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.services.s3.api.header_values import copy_source, copy_source_version
from overcast.services.s3.buckets import BucketState
from overcast.services.s3.errors import S3Error
from overcast.services.s3.public_policy import is_public
from overcast.services.s3.store import ObjectStore

Conditions = dict[str, str | list[str]]

# operation -> (action, what it acts on: "bucket", "object" or "*")
ACTIONS: dict[str, tuple[str, str]] = {
    "ListBuckets": ("ListAllMyBuckets", "*"),
    "CreateBucket": ("CreateBucket", "bucket"),
    "DeleteBucket": ("DeleteBucket", "bucket"),
    "HeadBucket": ("ListBucket", "bucket"),
    "ListObjects": ("ListBucket", "bucket"),
    "ListObjectsV2": ("ListBucket", "bucket"),
    "ListObjectVersions": ("ListBucketVersions", "bucket"),
    "ListMultipartUploads": ("ListBucketMultipartUploads", "bucket"),
    "GetBucketAccelerateConfiguration": ("GetAccelerateConfiguration", "bucket"),
    "GetBucketAcl": ("GetBucketAcl", "bucket"),
    "PutBucketAcl": ("PutBucketAcl", "bucket"),
    "GetBucketCors": ("GetBucketCORS", "bucket"),
    "PutBucketCors": ("PutBucketCORS", "bucket"),
    "DeleteBucketCors": ("PutBucketCORS", "bucket"),
    "GetBucketEncryption": ("GetEncryptionConfiguration", "bucket"),
    "GetBucketLifecycleConfiguration": ("GetLifecycleConfiguration", "bucket"),
    "PutBucketLifecycleConfiguration": ("PutLifecycleConfiguration", "bucket"),
    "DeleteBucketLifecycle": ("PutLifecycleConfiguration", "bucket"),
    "GetBucketLocation": ("GetBucketLocation", "bucket"),
    "GetBucketLogging": ("GetBucketLogging", "bucket"),
    "GetBucketNotificationConfiguration": ("GetBucketNotification", "bucket"),
    "PutBucketNotificationConfiguration": ("PutBucketNotification", "bucket"),
    "GetBucketOwnershipControls": ("GetBucketOwnershipControls", "bucket"),
    "PutBucketOwnershipControls": ("PutBucketOwnershipControls", "bucket"),
    "DeleteBucketOwnershipControls": ("PutBucketOwnershipControls", "bucket"),
    "GetBucketPolicy": ("GetBucketPolicy", "bucket"),
    "PutBucketPolicy": ("PutBucketPolicy", "bucket"),
    "DeleteBucketPolicy": ("DeleteBucketPolicy", "bucket"),
    "GetBucketReplication": ("GetReplicationConfiguration", "bucket"),
    "GetBucketRequestPayment": ("GetBucketRequestPayment", "bucket"),
    "GetBucketTagging": ("GetBucketTagging", "bucket"),
    "PutBucketTagging": ("PutBucketTagging", "bucket"),
    "DeleteBucketTagging": ("PutBucketTagging", "bucket"),
    "GetBucketVersioning": ("GetBucketVersioning", "bucket"),
    "PutBucketVersioning": ("PutBucketVersioning", "bucket"),
    "GetBucketWebsite": ("GetBucketWebsite", "bucket"),
    "GetObjectLockConfiguration": ("GetBucketObjectLockConfiguration", "bucket"),
    "GetPublicAccessBlock": ("GetBucketPublicAccessBlock", "bucket"),
    "PutPublicAccessBlock": ("PutBucketPublicAccessBlock", "bucket"),
    "DeletePublicAccessBlock": ("PutBucketPublicAccessBlock", "bucket"),
    "GetObject": ("GetObject", "object"),
    "HeadObject": ("GetObject", "object"),
    "PutObject": ("PutObject", "object"),
    "DeleteObject": ("DeleteObject", "object"),
    "GetObjectAcl": ("GetObjectAcl", "object"),
    "PutObjectAcl": ("PutObjectAcl", "object"),
    "GetObjectTagging": ("GetObjectTagging", "object"),
    "PutObjectTagging": ("PutObjectTagging", "object"),
    "DeleteObjectTagging": ("DeleteObjectTagging", "object"),
    "CreateMultipartUpload": ("PutObject", "object"),
    "UploadPart": ("PutObject", "object"),
    "CompleteMultipartUpload": ("PutObject", "object"),
    "AbortMultipartUpload": ("AbortMultipartUpload", "object"),
    "ListParts": ("ListMultipartUploadParts", "object"),
}
# The action on one version of an object, when the request names a VersionId.
VERSIONED = {
    "GetObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "GetObjectAcl": "GetObjectVersionAcl",
    "PutObjectAcl": "PutObjectVersionAcl",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
}
# Request members and the condition keys they set.
ACL_KEYS = {
    "ACL": "s3:x-amz-acl",
    "GrantFullControl": "s3:x-amz-grant-full-control",
    "GrantRead": "s3:x-amz-grant-read",
    "GrantReadACP": "s3:x-amz-grant-read-acp",
    "GrantWrite": "s3:x-amz-grant-write",
    "GrantWriteACP": "s3:x-amz-grant-write-acp",
}
WRITE_KEYS = {
    **ACL_KEYS,
    "ServerSideEncryption": "s3:x-amz-server-side-encryption",
    "SSEKMSKeyId": "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "SSECustomerAlgorithm": "s3:x-amz-server-side-encryption-customer-algorithm",
    "StorageClass": "s3:x-amz-storage-class",
    "WebsiteRedirectLocation": "s3:x-amz-website-redirect-location",
    "MetadataDirective": "s3:x-amz-metadata-directive",
    "CopySource": "s3:x-amz-copy-source",
    "IfMatch": "s3:if-match",
    "IfNoneMatch": "s3:if-none-match",
    "ObjectLockMode": "s3:object-lock-mode",
    "ObjectLockLegalHoldStatus": "s3:object-lock-legal-hold",
    "ObjectLockRetainUntilDate": "s3:object-lock-retain-until-date",
}
LIST_KEYS = {"Prefix": "s3:prefix", "Delimiter": "s3:delimiter", "MaxKeys": "s3:max-keys"}
BUCKET_KEYS = {**ACL_KEYS, "ObjectOwnership": "s3:x-amz-object-ownership"}
KEYS_OF = {
    "CreateBucket": BUCKET_KEYS,
    "PutBucketAcl": ACL_KEYS,
    "PutObjectAcl": ACL_KEYS,
    "PutObject": WRITE_KEYS,
    "CopyObject": WRITE_KEYS,
    "CreateMultipartUpload": WRITE_KEYS,
    "ListObjects": LIST_KEYS,
    "ListObjectsV2": LIST_KEYS,
    "ListObjectVersions": LIST_KEYS,
}


def s3_access(operation: str, params: dict, context: RequestContext) -> Access:
    partition = partition_for(context.region)
    bucket, key = str(params.get("Bucket") or ""), str(params.get("Key") or "")
    target = f"arn:{partition}:s3:::{bucket}/{key}"
    version = params.get("VersionId")
    conditions = _conditions(operation, params)
    if version:
        conditions["s3:versionid"] = str(version)
    if operation in ("CopyObject", "UploadPartCopy"):
        return Access((_source(params, partition), Need("s3:PutObject", target)), conditions)
    if operation == "DeleteObjects":
        return Access(_deletions(params, bucket, partition), conditions)
    if operation == "GetObjectAttributes":
        # "If the bucket is versioned, you need both s3:GetObjectVersion and
        # s3:GetObjectVersionAttributes; if not, s3:GetObject and s3:GetObjectAttributes."
        pair = (
            ("GetObjectVersion", "GetObjectVersionAttributes")
            if version
            else ("GetObject", "GetObjectAttributes")
        )
        return Access(tuple(Need(f"s3:{a}", target) for a in pair), conditions)
    action, kind = ACTIONS.get(operation, (operation, "bucket"))
    if version and operation in ("GetObject", "HeadObject", *VERSIONED):
        action = VERSIONED.get(operation, "GetObjectVersion")
    resource = {"bucket": f"arn:{partition}:s3:::{bucket}", "object": target}.get(kind, "*")
    return Access((Need(f"s3:{action}", resource),), conditions)


def _source(params: dict, partition: str) -> Need:
    """s3:GetObject, or s3:GetObjectVersion for a `?versionId=`, on the copy's source (its
    `x-amz-copy-source` read as the operation reads it, refused the same way)."""
    text = params.get("CopySource")
    try:
        bucket, key = copy_source(text)
        version = copy_source_version(text)
    except S3Error:
        return Need("s3:GetObject", "*")  # the operation refuses it (InvalidArgument)
    action = "s3:GetObjectVersion" if version else "s3:GetObject"
    return Need(action, f"arn:{partition}:s3:::{bucket}/{key}")


def _deletions(params: dict, bucket: str, partition: str) -> tuple[Need, ...]:
    objects = (params.get("Delete") or {}).get("Objects") or ()
    needs = {
        Need(
            "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject",
            f"arn:{partition}:s3:::{bucket}/{item.get('Key', '')}",
        ): None
        for item in objects
        if isinstance(item, dict)
    }
    return tuple(needs) or (Need("s3:DeleteObject", f"arn:{partition}:s3:::{bucket}/*"),)


def _conditions(operation: str, params: dict) -> Conditions:
    found: Conditions = {
        key: _text(params[member])
        for member, key in KEYS_OF.get(operation, {}).items()
        if params.get(member) is not None
    }
    if operation == "CreateBucket":
        location = (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
        if location:
            found["s3:locationconstraint"] = str(location)
    tagging = params.get("Tagging")
    if operation in ("PutObject", "CopyObject", "CreateMultipartUpload") and tagging:
        found |= _object_tags(dict(parse_qsl(str(tagging), keep_blank_values=True)))
    if operation == "PutObjectTagging":
        tag_set = (params.get("Tagging") or {}).get("TagSet") or ()
        found |= _object_tags(
            {str(t.get("Key")): str(t.get("Value", "")) for t in tag_set if isinstance(t, dict)}
        )
    return found


def _object_tags(tags: dict[str, str]) -> Conditions:
    """`s3:RequestObjectTag/<key>` and `s3:RequestObjectTagKeys` of the tags a write sets."""
    if not tags:
        return {}
    found: Conditions = {f"s3:RequestObjectTag/{k}": v for k, v in tags.items()}
    found["s3:RequestObjectTagKeys"] = list(tags)
    return found


def _text(value: object) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class BucketPolicies:
    """Buckets' policies (PutBucketPolicy), by bucket or object ARN: an object's request
    is governed by its bucket's policy. In memory (the bucket states the store keeps).

    RestrictPublicBuckets: while it is on and the bucket's policy is public, "only AWS
    service principals and authorized users within the bucket owner's account" have access
    through the policy; "public and cross-account access within any public bucket policy,
    including non-public delegation to specific accounts, is blocked". Every signed caller
    here is of the one account, so what it closes is the policy to unsigned requests."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def policy(self, resource_arn: str) -> str | None:
        state = self._state(resource_arn)
        return None if state is None else state.policy

    def anonymous_policy(self, resource_arn: str) -> str | None:
        state = self._state(resource_arn)
        if state is None or state.policy is None:
            return None
        restricted = (state.public_access or {}).get("RestrictPublicBuckets")
        return None if restricted and is_public(state.policy) else state.policy

    def _state(self, resource_arn: str) -> BucketState | None:
        prefix, _, path = resource_arn.partition(":s3:::")
        if not prefix.startswith("arn:") or not path:
            return None
        try:
            return self.store.buckets.get(path.split("/", 1)[0])
        except S3Error:  # no such bucket
            return None
