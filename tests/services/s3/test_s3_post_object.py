"""Browser POST uploads: boto3's generate_presigned_post sent with requests, as a browser's
form would be, and the policy's conditions enforced as S3 enforces them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import requests

from support import RunningServer


def policy_of(bucket: str, *conditions: object, expires: timedelta = timedelta(hours=1)) -> str:
    expiration = (datetime.now(UTC) + expires).strftime("%Y-%m-%dT%H:%M:%SZ")
    signing = [{name: value} for name, value in SIGNING.items()]  # covered, as boto3 does
    document = {"expiration": expiration, "conditions": [{"bucket": bucket}, *signing, *conditions]}
    return base64.b64encode(json.dumps(document).encode()).decode()


SIGNING = {
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": "test/20250101/us-east-1/s3/aws4_request",
    "x-amz-date": "20250101T000000Z",
}


def signed(policy: str) -> dict:
    """The SigV4 fields a form carries with its policy (their values are not verified)."""
    return {**SIGNING, "x-amz-signature": "0" * 64, "policy": policy}


def error_code(response: requests.Response) -> tuple[int, str, str]:
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code"), root.findtext("Message")


def test_presigned_post_from_boto3(server: RunningServer, s3, bucket: str) -> None:
    post = s3.generate_presigned_post(
        Bucket=bucket,
        Key="uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-origin": "browser"},
        Conditions=[
            ["starts-with", "$key", "uploads/"],
            {"Content-Type": "text/plain"},
            {"x-amz-meta-origin": "browser"},
            ["content-length-range", 1, 1024],
        ],
        ExpiresIn=600,
    )
    answer = requests.post(
        post["url"], data=post["fields"], files={"file": ("hello.txt", b"hi there")}, timeout=30
    )
    assert answer.status_code == 204, answer.text
    assert answer.headers["ETag"] and answer.headers["x-amz-server-side-encryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="uploads/hello.txt")
    assert got["Body"].read() == b"hi there" and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"origin": "browser"}
    too_big = requests.post(
        post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 2000)}, timeout=30
    )
    assert error_code(too_big)[:2] == (400, "EntityTooLarge")


def test_policy_conditions_are_enforced(server: RunningServer, bucket: str) -> None:
    url = f"{server.endpoint}/{bucket}"
    # A new bucket has ACLs disabled (BucketOwnerEnforced): the one ACL it takes is this.
    policy = policy_of(
        bucket, ["starts-with", "$key", "user/"], ["eq", "$acl", "bucket-owner-full-control"]
    )
    base = {"key": "user/a.txt", "acl": "bucket-owner-full-control", **signed(policy)}
    ok = requests.post(url, data=base, files={"file": b"a"}, timeout=30)
    assert ok.status_code == 204, ok.text
    outside = requests.post(
        url, data={**base, "key": "other/a.txt"}, files={"file": b"a"}, timeout=30
    )
    assert error_code(outside) == (
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]',
    )
    extra = requests.post(
        url, data={**base, "x-amz-meta-extra": "1"}, files={"file": b"a"}, timeout=30
    )
    assert error_code(extra) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-extra",
    )
    expired = signed(policy_of(bucket, ["starts-with", "$key", ""], expires=timedelta(hours=-1)))
    late = requests.post(url, data={"key": "k", **expired}, files={"file": b"a"}, timeout=30)
    assert error_code(late) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"conditions": []}, "Invalid Policy: Policy missing expiration."),
        ({"expiration": "2030-01-01T00:00:00Z"}, "Invalid Policy: Policy missing conditions."),
        (
            {"expiration": "2030-01-01 00:00:00", "conditions": []},
            "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00'",
        ),
    ],
)
def test_unreadable_policies(server: RunningServer, bucket: str, document: dict, message: str):
    policy = base64.b64encode(json.dumps(document).encode()).decode()
    answer = requests.post(
        f"{server.endpoint}/{bucket}",
        data={"key": "k", **signed(policy)},
        files={"file": b"a"},
        timeout=30,
    )
    assert error_code(answer) == (400, "InvalidPolicyDocument", message)


def test_form_answers_and_required_fields(server: RunningServer, s3, bucket: str) -> None:
    url = f"{server.endpoint}/{bucket}"
    created = requests.post(
        url, data={"key": "k", "success_action_status": "201"}, files={"file": b"x"}, timeout=30
    )
    assert created.status_code == 201
    assert ElementTree.fromstring(created.content).findtext("Key") == "k"
    redirected = requests.post(
        url,
        data={"key": "r", "success_action_redirect": "http://example.invalid/done"},
        files={"file": b"x"},
        allow_redirects=False,
        timeout=30,
    )
    etag = s3.head_object(Bucket=bucket, Key="r")["ETag"].strip('"')
    assert redirected.status_code == 303
    assert redirected.headers["Location"] == (
        f"http://example.invalid/done?bucket={bucket}&key=r&etag=%22{etag}%22"
    )
    keyless = requests.post(url, data={"acl": "private"}, files={"file": b"x"}, timeout=30)
    assert error_code(keyless)[:2] == (400, "InvalidArgument")
    fileless = requests.post(url, files={"key": (None, "k")}, timeout=30)
    assert error_code(fileless)[:2] == (400, "IncorrectNumberOfFilesInPostRequest")
    unsigned = requests.post(
        url, data={"key": "k", "policy": policy_of(bucket)}, files={"file": b"x"}, timeout=30
    )
    assert error_code(unsigned)[:2] == (400, "InvalidArgument")


def test_checksum_and_missing_bucket(server: RunningServer, bucket: str) -> None:
    url = f"{server.endpoint}/{bucket}"
    wrong = {"key": "k", "x-amz-checksum-sha256": base64.b64encode(b"0" * 32).decode()}
    answer = requests.post(url, data=wrong, files={"file": b"x"}, timeout=30)
    assert error_code(answer)[:2] == (400, "BadDigest")
    absent = requests.post(
        f"{server.endpoint}/",  # virtual-hosted style: the bucket in the Host
        data={"key": "k"},
        files={"file": b"x"},
        headers={"Host": "no-such-bucket-here.example.s3.localhost"},
        timeout=30,
    )
    assert error_code(absent)[:2] == (404, "NoSuchBucket")
