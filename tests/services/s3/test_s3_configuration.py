"""A bucket's configuration through boto3, as tools read it: the answers S3 gives for a
bucket where nothing was configured, in the order Terraform's aws_s3_bucket reads them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def body_of(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


MISSING = [
    ("get_bucket_cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    (
        "get_bucket_website",
        "NoSuchWebsiteConfiguration",
        "The specified bucket does not have a website configuration",
    ),
    (
        "get_bucket_lifecycle_configuration",
        "NoSuchLifecycleConfiguration",
        "The lifecycle configuration does not exist",
    ),
    (
        "get_bucket_replication",
        "ReplicationConfigurationNotFoundError",
        "The replication configuration was not found",
    ),
    (
        "get_object_lock_configuration",
        "ObjectLockConfigurationNotFoundError",
        "Object Lock configuration does not exist for this bucket",
    ),
]


@pytest.mark.parametrize(("method", "code", "message"), MISSING)
def test_what_was_never_configured(s3, bucket: str, method: str, code: str, message: str) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(s3, method)(Bucket=bucket)
    assert error_of(raised) == (code, 404)
    error = raised.value.response["Error"]
    assert error["Message"] == message and error["BucketName"] == bucket


def test_s3_s_defaults_for_a_new_bucket(s3, bucket: str) -> None:
    owner = s3.list_buckets()["Owner"]["ID"]
    assert body_of(s3.get_bucket_versioning(Bucket=bucket)) == {}
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"] == {"ID": owner}
    assert acl["Grants"] == [
        {"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}
    ]
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False,
        }
    ]
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    assert body_of(s3.get_bucket_logging(Bucket=bucket)) == {}
    assert body_of(s3.get_bucket_accelerate_configuration(Bucket=bucket)) == {}


def test_an_object_s_acl_is_its_owner_s(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    grants = s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    with pytest.raises(ClientError) as raised:
        s3.get_object_acl(Bucket=bucket, Key="missing")
    assert error_of(raised) == ("NoSuchKey", 404)


def test_a_missing_bucket_is_no_such_bucket(s3) -> None:
    for method, _, _ in MISSING:
        with pytest.raises(ClientError) as raised:
            getattr(s3, method)(Bucket="no-such-bucket-here")
        assert error_of(raised) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_versioning(Bucket="no-such-bucket-here")
    assert error_of(raised) == ("NoSuchBucket", 404)


def test_every_object_is_its_null_version(s3, bucket: str) -> None:
    for key in ("a", "b/1", "b/2", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    listed = s3.list_object_versions(Bucket=bucket)
    versions = listed["Versions"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions] == [
        (key, "null", True) for key in ("a", "b/1", "b/2", "c")
    ]
    assert versions[0]["Size"] == 1 and versions[0]["ETag"].startswith('"')
    assert "DeleteMarkers" not in listed and listed["IsTruncated"] is False
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert [v["Key"] for v in rolled["Versions"]] == ["a"]
    assert rolled["CommonPrefixes"] == [{"Prefix": "b/"}] and rolled["IsTruncated"]
    rest = s3.list_object_versions(Bucket=bucket, Delimiter="/", KeyMarker=rolled["NextKeyMarker"])
    assert [v["Key"] for v in rest["Versions"]] == ["c"]
    paged = s3.list_object_versions(Bucket=bucket, MaxKeys=1)
    assert (paged["NextKeyMarker"], paged["NextVersionIdMarker"]) == ("a", "null")
    # What force_destroy and `aws s3 rb --force` do: list every version, delete each.
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, MaxKeys=3)
    every = [{"Key": v["Key"], "VersionId": v["VersionId"]} for p in pages for v in p["Versions"]]
    assert len(every) == 4
    s3.delete_objects(Bucket=bucket, Delete={"Objects": every})
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    with pytest.raises(ClientError) as raised:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="null")
    assert error_of(raised) == ("InvalidArgument", 400)


def policy_for(bucket: str, **statement: object) -> str:
    allow = {
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [{**allow, **statement}]})


def test_a_bucket_policy_is_kept_as_written(s3, bucket: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(raised) == ("NoSuchBucketPolicy", 404)
    assert raised.value.response["Error"]["Message"] == "The bucket policy does not exist"
    policy = policy_for(bucket)
    s3.delete_public_access_block(Bucket=bucket)  # the policy is public: S3 blocks it else
    put = s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    deleted = s3.delete_bucket_policy(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(raised) == ("NoSuchBucketPolicy", 404)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("not json", "Policies must be valid JSON and the first byte must be '{'"),
        ('{"Version": "2012-10-17"}', "Missing required field Statement"),
        ("effect", "Invalid effect: Maybe"),
        ("principal", "Missing required field Principal"),
        ("resource", "Policy has invalid resource"),
    ],
)
def test_a_malformed_policy_is_refused(s3, bucket: str, policy: str, message: str) -> None:
    broken = {
        "effect": policy_for(bucket, Effect="Maybe"),
        "principal": json.dumps(
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
        "resource": policy_for(bucket, Resource="arn:aws:s3:::another-bucket/*"),
    }
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_policy(Bucket=bucket, Policy=broken.get(policy, policy))
    assert error_of(raised) == ("MalformedPolicy", 400)
    assert raised.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=bucket)  # nothing kept


def test_terraform_s_read_of_a_bucket(s3, bucket: str) -> None:
    """aws_s3_bucket's read, in the provider's order: what is configured answers, what is
    not answers the error the provider treats as "not configured"."""
    s3.head_bucket(Bucket=bucket)
    not_configured = {
        "get_bucket_policy": "NoSuchBucketPolicy",
        "get_bucket_cors": "NoSuchCORSConfiguration",
        "get_bucket_website": "NoSuchWebsiteConfiguration",
        "get_bucket_lifecycle_configuration": "NoSuchLifecycleConfiguration",
        "get_bucket_replication": "ReplicationConfigurationNotFoundError",
        "get_object_lock_configuration": "ObjectLockConfigurationNotFoundError",
        "get_bucket_tagging": "NoSuchTagSet",
    }
    for method in (
        "get_bucket_policy",
        "get_bucket_acl",
        "get_bucket_cors",
        "get_bucket_website",
        "get_bucket_versioning",
        "get_bucket_accelerate_configuration",
        "get_bucket_request_payment",
        "get_bucket_logging",
        "get_bucket_lifecycle_configuration",
        "get_bucket_replication",
        "get_bucket_encryption",
        "get_object_lock_configuration",
        "get_bucket_location",
        "get_bucket_tagging",
    ):
        if method in not_configured:
            with pytest.raises(ClientError) as raised:
                getattr(s3, method)(Bucket=bucket)
            assert raised.value.response["Error"]["Code"] == not_configured[method], method
        else:
            getattr(s3, method)(Bucket=bucket)


def test_the_null_version_is_the_only_one(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"x"
    assert s3.head_object(Bucket=bucket, Key="k", VersionId="null")["ContentLength"] == 1
    for read in (s3.get_object, s3.head_object, s3.delete_object):
        with pytest.raises(ClientError) as raised:
            read(Bucket=bucket, Key="k", VersionId="3HL4kqtJlcpXroDTDmJ")
        assert error_of(raised)[1] == 400
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", VersionId="3HL4kqtJlcpXroDTDmJ")
    assert raised.value.response["Error"]["Message"] == "Invalid version id specified"
    answer = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "k", "VersionId": "other"}, {"Key": "k", "VersionId": "null"}]},
    )
    assert answer["Errors"] == [
        {
            "Key": "k",
            "VersionId": "other",
            "Code": "NoSuchVersion",
            "Message": "The specified version does not exist.",
        }
    ]
    assert [d["Key"] for d in answer["Deleted"]] == ["k"]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
