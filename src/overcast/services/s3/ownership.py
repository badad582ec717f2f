"""Whether a bucket takes ACLs, as S3 decides it: its Object Ownership controls and its
Block Public Access configuration.

Since April 2023 S3 makes every new bucket with ACLs disabled (`BucketOwnerEnforced`) and
all public access blocked, unless the CreateBucket request says otherwise:
- ACLs disabled: an ACL is refused (AccessControlListNotSupported), but for an object's
  `bucket-owner-full-control` (or the grant it stands for); a new bucket may be `private`
  alone (InvalidBucketAclWithObjectOwnership); reads of ACLs answer the owner alone.
- ACLs enabled (`ObjectWriter`, `BucketOwnerPreferred`, or no controls at all, as buckets
  made before S3 had them): ACLs are kept as set.
- BlockPublicAcls: a public ACL (to everyone, or to every AWS account) is AccessDenied, or
  for a new bucket InvalidBucketAclWithBlockPublicAccessError.
"""

from __future__ import annotations

from overcast.services.s3.acl import Acl, AclRequest, is_public, owner_only
from overcast.services.s3.errors import (
    AccessControlListNotSupported,
    AccessDenied,
    InvalidBucketAclWithBlockPublicAccessError,
    InvalidBucketAclWithObjectOwnership,
    InvalidRequest,
    MalformedXML,
)

ENFORCED = "BucketOwnerEnforced"
OWNERSHIPS = ("BucketOwnerPreferred", "ObjectWriter", ENFORCED)
BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)
ALL_BLOCKED = dict.fromkeys(BLOCK_SETTINGS, True)
NOT_SUPPORTED = "The bucket does not allow ACLs"
WITH_OWNERSHIP = "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
WITH_BLOCK = "Bucket cannot have public ACLs set with BlockPublicAccess enabled"
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


def acls_disabled(ownership: str | None) -> bool:
    return ownership == ENFORCED


def blocks_public_acls(block: dict | None) -> bool:
    return bool((block or {}).get("BlockPublicAcls"))


def check_object_acl(
    ownership: str | None, block: dict | None, asked: AclRequest, owner: str
) -> None:
    """An ACL for an object being written (PutObject, CopyObject, CreateMultipartUpload)
    or set (PutObjectAcl)."""
    if acls_disabled(ownership) and not _bucket_owner_full_control(asked, owner):
        raise AccessControlListNotSupported(NOT_SUPPORTED)
    if blocks_public_acls(block) and is_public(asked.grants):
        raise AccessDenied("Access Denied")


def check_bucket_acl(ownership: str | None, block: dict | None, grants: Acl) -> None:
    """An ACL set on a bucket (PutBucketAcl): none at all where ACLs are disabled."""
    if acls_disabled(ownership):
        raise AccessControlListNotSupported(NOT_SUPPORTED)
    if blocks_public_acls(block) and is_public(grants):
        raise AccessDenied("Access Denied")


def check_new_bucket(ownership: str, grants: Acl, owner: str) -> None:
    """A new bucket's ACL, under its ownership and the Block Public Access it starts with."""
    if acls_disabled(ownership) and grants != owner_only(owner):
        raise InvalidBucketAclWithObjectOwnership(WITH_OWNERSHIP)
    if is_public(grants):
        raise InvalidBucketAclWithBlockPublicAccessError(WITH_BLOCK)


def check_ownership_change(ownership: str, bucket_acl: Acl | None, owner: str) -> None:
    """ACLs cannot be disabled while the bucket's own ACL grants anyone but its owner."""
    if acls_disabled(ownership) and bucket_acl not in (None, owner_only(owner)):
        raise InvalidBucketAclWithObjectOwnership(WITH_OWNERSHIP)


def parse_ownership(controls: dict | None) -> str:
    """OwnershipControls' one rule's ObjectOwnership (MalformedXML otherwise)."""
    rules = (controls or {}).get("Rules") or []
    if len(rules) != 1 or rules[0].get("ObjectOwnership") not in OWNERSHIPS:
        raise MalformedXML(MALFORMED)
    return rules[0]["ObjectOwnership"]


def parse_block(configuration: dict | None) -> dict:
    """A PublicAccessBlockConfiguration, each setting it leaves out false; one that sets
    none is refused, as S3 refuses it."""
    given = {name: value for name, value in (configuration or {}).items() if name in BLOCK_SETTINGS}
    if not given:
        raise InvalidRequest("Must specify at least one configuration.")
    return {name: bool(given.get(name, False)) for name in BLOCK_SETTINGS}


def _bucket_owner_full_control(asked: AclRequest, owner: str) -> bool:
    """What a bucket without ACLs still takes: `bucket-owner-full-control`, or the grant
    it stands for given explicitly."""
    if asked.canned is not None:
        return asked.canned == "bucket-owner-full-control"
    return asked.grants == owner_only(owner)
