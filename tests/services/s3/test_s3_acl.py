"""ACLs through boto3 against a real server: S3's defaults since April 2023 (ACLs disabled,
public access blocked), canned ACLs, grant headers and AccessControlPolicy documents kept
and returned where a bucket takes ACLs, Object Ownership controls and Block Public Access."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def refused(call, *args: object, **params: object) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call(*args, **params)
    return error_of(raised)


def grants_of(answer: dict) -> list[tuple[str, str]]:
    """(grantee id or group URI, permission) of each grant."""
    return [
        (g["Grantee"].get("ID") or g["Grantee"]["URI"], g["Permission"]) for g in answer["Grants"]
    ]


def new_name() -> str:
    return f"acl-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def owner(s3) -> str:
    return s3.list_buckets()["Owner"]["ID"]


@pytest.fixture
def open_bucket(s3) -> str:
    """A bucket that takes ACLs (ObjectWriter), its public access no longer blocked."""
    name = new_name()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    return name


def test_a_new_bucket_takes_no_acls(s3, bucket: str, owner: str) -> None:
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    not_supported = ("AccessControlListNotSupported", 400)
    for acl in ("private", "public-read"):
        assert refused(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ACL=acl) == not_supported
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    assert raised.value.response["Error"]["Message"] == "The bucket does not allow ACLs"
    source = {"Bucket": bucket, "Key": "k"}
    assert refused(s3.copy_object, Bucket=bucket, Key="c", CopySource=source, ACL="private") == (
        not_supported
    )
    assert (
        refused(s3.create_multipart_upload, Bucket=bucket, Key="m", ACL="public-read")
        == not_supported
    )
    assert refused(s3.put_bucket_acl, Bucket=bucket, ACL="private") == not_supported
    assert refused(s3.put_object_acl, Bucket=bucket, Key="k", ACL="private") == not_supported
    assert grants_of(s3.get_object_acl(Bucket=bucket, Key="k")) == [(owner, "FULL_CONTROL")]
    assert grants_of(s3.get_bucket_acl(Bucket=bucket)) == [(owner, "FULL_CONTROL")]
    # A missing bucket is reported as missing, not as refusing ACLs.
    assert refused(
        s3.create_multipart_upload, Bucket="no-such-bucket-here", Key="m", ACL="private"
    ) == ("NoSuchBucket", 404)


def test_a_new_bucket_s_acl_is_checked_against_its_ownership(s3, owner: str) -> None:
    name = new_name()
    assert refused(s3.create_bucket, Bucket=name, ACL="public-read") == (
        "InvalidBucketAclWithObjectOwnership",
        400,
    )
    assert refused(
        s3.create_bucket, Bucket=name, ACL="public-read", ObjectOwnership="ObjectWriter"
    ) == ("InvalidBucketAclWithBlockPublicAccessError", 400)
    assert refused(
        s3.create_bucket,
        Bucket=name,
        GrantRead=f'uri="{ALL_USERS}"',
        ObjectOwnership="ObjectWriter",
    ) == ("InvalidBucketAclWithBlockPublicAccessError", 400)
    assert refused(s3.create_bucket, Bucket=name, ObjectOwnership="Nobody") == (
        "InvalidArgument",
        400,
    )
    s3.create_bucket(Bucket=name, ACL="private")  # the owner alone is fine either way
    other = new_name()
    s3.create_bucket(Bucket=other, ACL="private", ObjectOwnership="ObjectWriter")
    controls = s3.get_bucket_ownership_controls(Bucket=other)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "ObjectWriter"}]
    assert grants_of(s3.get_bucket_acl(Bucket=other)) == [(owner, "FULL_CONTROL")]


def test_canned_acls_are_kept_and_returned(s3, open_bucket: str, owner: str) -> None:
    s3.put_object(Bucket=open_bucket, Key="public", Body=b"x", ACL="public-read")
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="public")) == [
        (owner, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
    ]
    acl = s3.get_object_acl(Bucket=open_bucket, Key="public")
    assert acl["Owner"]["ID"] == owner
    assert acl["Grants"][1]["Grantee"] == {"Type": "Group", "URI": ALL_USERS}
    # A copy has the request's ACL, not its source's; an overwrite, its own request's.
    source = {"Bucket": open_bucket, "Key": "public"}
    s3.copy_object(Bucket=open_bucket, Key="copy", CopySource=source)
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="copy")) == [(owner, "FULL_CONTROL")]
    s3.copy_object(Bucket=open_bucket, Key="copy", CopySource=source, ACL="authenticated-read")
    assert (AUTHENTICATED, "READ") in grants_of(s3.get_object_acl(Bucket=open_bucket, Key="copy"))
    s3.put_object(Bucket=open_bucket, Key="public", Body=b"y")
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="public")) == [
        (owner, "FULL_CONTROL")
    ]
    s3.put_bucket_acl(Bucket=open_bucket, ACL="public-read-write")
    assert grants_of(s3.get_bucket_acl(Bucket=open_bucket)) == [
        (owner, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
        (ALL_USERS, "WRITE"),
    ]
    s3.put_bucket_acl(Bucket=open_bucket, ACL="log-delivery-write")
    assert (LOG_DELIVERY, "READ_ACP") in grants_of(s3.get_bucket_acl(Bucket=open_bucket))
    upload = s3.create_multipart_upload(Bucket=open_bucket, Key="m", ACL="public-read")
    part = s3.upload_part(
        Bucket=open_bucket, Key="m", UploadId=upload["UploadId"], PartNumber=1, Body=b"p"
    )
    s3.complete_multipart_upload(
        Bucket=open_bucket,
        Key="m",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert (ALL_USERS, "READ") in grants_of(s3.get_object_acl(Bucket=open_bucket, Key="m"))


def test_explicit_grants_are_kept_as_given(s3, open_bucket: str, owner: str) -> None:
    s3.put_object(Bucket=open_bucket, Key="k", Body=b"x", GrantRead=f'uri="{AUTHENTICATED}"')
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="k")) == [(AUTHENTICATED, "READ")]
    policy = {
        "Owner": {"ID": owner},
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "READ_ACP"},
            {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
        ],
    }
    s3.put_object_acl(Bucket=open_bucket, Key="k", AccessControlPolicy=policy)
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="k")) == [
        (owner, "READ_ACP"),
        (ALL_USERS, "READ"),
    ]
    s3.put_bucket_acl(
        Bucket=open_bucket, AccessControlPolicy={"Owner": {"ID": owner}, "Grants": []}
    )
    assert s3.get_bucket_acl(Bucket=open_bucket).get("Grants", []) == []
    both = {"ACL": "private", "GrantRead": f'id="{owner}"'}
    assert refused(s3.put_object_acl, Bucket=open_bucket, Key="k", **both) == (
        "InvalidRequest",
        400,
    )
    bad_id = {"Grantee": {"Type": "CanonicalUser", "ID": "_foo"}, "Permission": "READ"}
    assert refused(
        s3.put_bucket_acl,
        Bucket=open_bucket,
        AccessControlPolicy={"Owner": {"ID": owner}, "Grants": [bad_id]},
    ) == ("InvalidArgument", 400)
    email = {"Type": "AmazonCustomerByEmail", "EmailAddress": "nobody@example.com"}
    assert refused(
        s3.put_bucket_acl,
        Bucket=open_bucket,
        AccessControlPolicy={
            "Owner": {"ID": owner},
            "Grants": [{"Grantee": email, "Permission": "READ"}],
        },
    ) == ("UnresolvableGrantByEmailAddress", 400)
    assert refused(s3.put_bucket_acl, Bucket=open_bucket, AccessControlPolicy={"Grants": []}) == (
        "MalformedACLError",
        400,
    )


def test_block_public_access_refuses_public_acls(s3, owner: str) -> None:
    name = new_name()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert set(block.values()) == {True}
    for acl in ("public-read", "public-read-write", "authenticated-read"):
        assert refused(s3.put_object, Bucket=name, Key="k", Body=b"", ACL=acl) == (
            "AccessDenied",
            403,
        )
    s3.put_object(Bucket=name, Key="k", Body=b"", ACL="private")
    assert refused(s3.put_object_acl, Bucket=name, Key="k", GrantRead=f'uri="{ALL_USERS}"') == (
        "AccessDenied",
        403,
    )
    assert refused(s3.put_bucket_acl, Bucket=name, ACL="authenticated-read") == (
        "AccessDenied",
        403,
    )
    s3.put_bucket_acl(Bucket=name, ACL="log-delivery-write")  # that group is not public
    s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration={"BlockPublicAcls": False}
    )
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }
    s3.put_object(Bucket=name, Key="k", Body=b"", ACL="public-read")
    assert refused(s3.put_public_access_block, Bucket=name, PublicAccessBlockConfiguration={}) == (
        "InvalidRequest",
        400,
    )
    deleted = s3.delete_public_access_block(Bucket=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert refused(s3.get_public_access_block, Bucket=name) == (
        "NoSuchPublicAccessBlockConfiguration",
        404,
    )


def test_ownership_controls_turn_acls_off_and_on(s3, open_bucket: str, owner: str) -> None:
    for ownership in ("BucketOwnerPreferred", "ObjectWriter"):
        s3.put_bucket_ownership_controls(
            Bucket=open_bucket,
            OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]},
        )
        rules = s3.get_bucket_ownership_controls(Bucket=open_bucket)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": ownership}]
    s3.put_object(Bucket=open_bucket, Key="k", Body=b"x", ACL="public-read")
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    s3.put_bucket_acl(Bucket=open_bucket, ACL="public-read")
    # ACLs cannot be disabled while the bucket's own ACL grants others.
    assert refused(
        s3.put_bucket_ownership_controls, Bucket=open_bucket, OwnershipControls=enforced
    ) == ("InvalidBucketAclWithObjectOwnership", 400)
    s3.put_bucket_acl(Bucket=open_bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=open_bucket, OwnershipControls=enforced)
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="k")) == [(owner, "FULL_CONTROL")]
    deleted = s3.delete_bucket_ownership_controls(Bucket=open_bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert refused(s3.get_bucket_ownership_controls, Bucket=open_bucket) == (
        "OwnershipControlsNotFoundError",
        404,
    )
    # Without controls ACLs are enabled again: the object's ACL is back.
    assert (ALL_USERS, "READ") in grants_of(s3.get_object_acl(Bucket=open_bucket, Key="k"))
    assert refused(
        s3.put_bucket_ownership_controls,
        Bucket=open_bucket,
        OwnershipControls={"Rules": [{"ObjectOwnership": "Everyone"}]},
    ) == ("MalformedXML", 400)


def test_a_version_has_its_own_acl(s3, open_bucket: str, owner: str) -> None:
    s3.put_bucket_versioning(Bucket=open_bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=open_bucket, Key="k", Body=b"1", ACL="public-read")["VersionId"]
    s3.put_object(Bucket=open_bucket, Key="k", Body=b"2")
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="k")) == [(owner, "FULL_CONTROL")]
    old = s3.get_object_acl(Bucket=open_bucket, Key="k", VersionId=first)
    assert (ALL_USERS, "READ") in grants_of(old)
    s3.put_object_acl(Bucket=open_bucket, Key="k", VersionId=first, ACL="private")
    assert grants_of(s3.get_object_acl(Bucket=open_bucket, Key="k", VersionId=first)) == [
        (owner, "FULL_CONTROL")
    ]
