"""Buckets through boto3: create, head, list, location, tags, delete, and S3's errors."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from support import RunningServer


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_bucket_lifecycle(s3) -> None:
    name = f"life-{uuid.uuid4().hex[:12]}"
    assert s3.create_bucket(Bucket=name)["Location"] == f"/{name}"
    head = s3.head_bucket(Bucket=name)
    assert head["BucketRegion"] == "us-east-1"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as raised:
        s3.head_bucket(Bucket=name)
    assert error_of(raised) == ("404", 404)
    with pytest.raises(ClientError) as raised:
        s3.delete_bucket(Bucket=name)
    assert error_of(raised) == ("NoSuchBucket", 404)
    assert raised.value.response["Error"]["BucketName"] == name


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "Upper-case",
        "under_score",
        "-starts-with-dash",
        "two..dots",
        "192.168.5.4",
        "a" * 64,
        "xn--punycode",
        "ends-s3alias",
    ],
)
def test_invalid_bucket_names(s3, name: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.create_bucket(Bucket=name)
    assert error_of(raised) == ("InvalidBucketName", 400)


def test_recreating_your_bucket_is_200_in_us_east_1_and_409_elsewhere(
    server: RunningServer,
) -> None:
    east = server.client("s3")
    name = f"again-{uuid.uuid4().hex[:12]}"
    east.create_bucket(Bucket=name)
    east.create_bucket(Bucket=name)  # S3's legacy answer in us-east-1: 200
    west = boto3_client(server, "eu-west-1")
    other = f"west-{uuid.uuid4().hex[:12]}"
    west.create_bucket(Bucket=other, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket=other)["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as raised:
        west.create_bucket(
            Bucket=other, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    assert error_of(raised) == ("BucketAlreadyOwnedByYou", 409)
    regions = {b["Name"]: b["BucketRegion"] for b in east.list_buckets()["Buckets"]}
    assert regions[other] == "eu-west-1" and regions[name] == "us-east-1"


def boto3_client(server: RunningServer, region: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=region,
        **server.credentials,
        config=Config(retries={"max_attempts": 0}),
    )


def test_location_constraint_must_match_the_region(server: RunningServer) -> None:
    west = boto3_client(server, "eu-west-1")
    with pytest.raises(ClientError) as raised:
        west.create_bucket(Bucket=f"nowhere-{uuid.uuid4().hex[:12]}")
    assert error_of(raised) == ("IllegalLocationConstraintException", 400)
    east = server.client("s3")
    with pytest.raises(ClientError) as raised:
        east.create_bucket(
            Bucket=f"east-{uuid.uuid4().hex[:12]}",
            CreateBucketConfiguration={"LocationConstraint": "us-east-1"},
        )
    assert error_of(raised) == ("InvalidLocationConstraint", 400)


def test_bucket_not_empty(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as raised:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(raised) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_bucket_tagging(s3, bucket: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(raised) == ("NoSuchTagSet", 404)
    tags = [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": ""}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_tagging(
            Bucket=bucket,
            Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]},
        )
    assert error_of(raised) == ("InvalidTag", 400)
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags  # nothing stored
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_list_buckets_pages(s3) -> None:
    stem = f"page-{uuid.uuid4().hex[:8]}"
    names = [f"{stem}-{i}" for i in range(3)]
    for name in names:
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(Prefix=stem, MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == names[:2]
    rest = s3.list_buckets(Prefix=stem, MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in rest["Buckets"]] == names[2:] and "ContinuationToken" not in rest
