"""S3 Block Public Access as S3 enforces it, through boto3 and plain HTTP against a server:
BlockPublicPolicy refuses a public bucket policy, RestrictPublicBuckets closes a public
policy to anonymous callers, and a missing key is 403 to a reader that may not list."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import RunningServer, error_of, http_call, make_public

BPA_OFF = dict.fromkeys(
    ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), False
)


def policy(bucket: str, **statement: object) -> str:
    """Everyone may read the bucket's objects, with what `statement` changes."""
    allow = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [{**allow, **statement}]})


def test_a_new_bucket_blocks_public_policies(s3, bucket: str) -> None:
    """New buckets have all four settings on (S3 since April 2023): a public policy is
    refused, with S3's sentence, until BlockPublicPolicy is turned off."""
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(BPA_OFF, True)
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket))
    code, message, status = error_of(raised)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        "User: arn:aws:iam::000000000000:root is not authorized to perform: "
        f's3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" because public policies '
        "are blocked by the BlockPublicPolicy block public access setting."
    )
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=bucket)  # nothing kept

    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=BPA_OFF)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket))
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy(bucket)


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ({}, True),
        ({"Principal": {"AWS": "*"}}, True),
        ({"Principal": {"AWS": ["arn:aws:iam::000000000000:root", "*"]}}, True),
        ({"Principal": {"AWS": "arn:aws:iam::000000000000:root"}}, False),
        ({"Principal": {"Service": "cloudfront.amazonaws.com"}}, False),
        ({"Effect": "Deny"}, False),
        ({"Condition": {"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}}, False),
        ({"Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}}, True),
        ({"Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"}}}, False),
        ({"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::0:d/E1"}}}, False),
        ({"Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}, False),
        ({"Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}, True),
        ({"Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}, True),
        ({"Condition": {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-91237329"}}}, True),
        ({"Condition": {"StringEquals": {"aws:SourceVpc": "${aws:username}"}}}, True),
        ({"Condition": {"StringEquals": {"s3:prefix": "home/"}}}, True),
        ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, True),
    ],
)
def test_what_block_public_policy_calls_public(s3, bucket: str, statement: dict, public) -> None:
    """S3's "meaning of public": a grant to everyone not pinned to fixed values of the
    caller's source (IP, VPC, ARN, account) or principal."""
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={**BPA_OFF, "BlockPublicPolicy": True}
    )
    if not public:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, **statement))
        return
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, **statement))
    assert error_of(raised)[0] == "AccessDenied"


def test_restrict_public_buckets_closes_a_public_policy_to_anonymous(
    server: RunningServer, s3, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"shared")
    make_public(s3, bucket)
    url = f"{server.endpoint}/{bucket}/k"
    assert http_call(url)[0] == 200
    # The policy stays (BlockPublicPolicy does not touch existing ones), but is closed.
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={**BPA_OFF, "RestrictPublicBuckets": True}
    )
    status, _, body = http_call(url)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"shared"  # the account's
    # A policy that is not public (pinned to a source IP) still applies to anonymous.
    pinned = policy(bucket, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=pinned)
    assert http_call(url)[0] == 200
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket))
    assert http_call(url)[0] == 200


def test_a_missing_key_is_403_without_list_bucket(server: RunningServer, s3, bucket: str) -> None:
    """GetObject / HeadObject of a key that does not exist: 404 NoSuchKey to a caller that may
    s3:ListBucket the bucket, 403 AccessDenied to one that may not."""
    s3.put_object(Bucket=bucket, Key="there", Body=b"x")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket))  # GetObject only
    base = f"{server.endpoint}/{bucket}"
    assert http_call(f"{base}/there")[0] == 200
    status, _, body = http_call(f"{base}/missing")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    assert http_call(f"{base}/missing", "HEAD")[0] == 403

    # A user allowed s3:GetObject alone: the same, through boto3.
    reader = _user(server, "reader", {"Action": "s3:GetObject", "Resource": f"{bucket}/*"})
    assert reader.get_object(Bucket=bucket, Key="there")["Body"].read() == b"x"
    with pytest.raises(ClientError) as raised:
        reader.get_object(Bucket=bucket, Key="missing")
    code, message, status = error_of(raised)
    assert (code, status) == ("AccessDenied", 403)
    assert "s3:ListBucket" in message
    with pytest.raises(ClientError) as raised:
        reader.head_object(Bucket=bucket, Key="missing")
    assert error_of(raised)[2] == 403

    # With s3:ListBucket, the miss is told as it is.
    lister = _user(
        server,
        "lister",
        {"Action": "s3:GetObject", "Resource": f"{bucket}/*"},
        {"Action": "s3:ListBucket", "Resource": bucket},
    )
    with pytest.raises(ClientError) as raised:
        lister.get_object(Bucket=bucket, Key="missing")
    assert error_of(raised)[0::2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as raised:
        s3.head_object(Bucket=bucket, Key="missing")  # the root user may list
    assert error_of(raised)[2] == 404
    make_public(s3, bucket)  # grants s3:ListBucket to everyone too
    status, _, body = http_call(f"{base}/missing")
    assert status == 404 and b"<Code>NoSuchKey</Code>" in body


def _user(server: RunningServer, name: str, *grants: dict):
    """An S3 client signing as a new IAM user whose inline policy allows `grants` (actions
    on `arn:aws:s3:::` + each grant's Resource)."""
    iam = server.client("iam")
    user = f"{name}-{uuid.uuid4().hex[:12]}"
    iam.create_user(UserName=user)
    statements = [
        {"Effect": "Allow", "Action": g["Action"], "Resource": f"arn:aws:s3:::{g['Resource']}"}
        for g in grants
    ]
    document = {"Version": "2012-10-17", "Statement": statements}
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        config=Config(retries={"max_attempts": 0}),
    )
