"""Browser POST uploads: boto3's generate_presigned_post sent with requests, as a browser's
form would be, and the policy's conditions enforced as S3 enforces them."""

from __future__ import annotations

import base64
import hmac
import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import requests

from overcast.aws.signing_key import derived_key
from support import RunningServer


def policy_of(bucket: str, *conditions: object, expires: timedelta = timedelta(hours=1)) -> str:
    expiration = (datetime.now(UTC) + expires).strftime("%Y-%m-%dT%H:%M:%SZ")
    # covered, as boto3 does (the credential whoever signs, its key id filled in by `signed`)
    signing = [{name: value} for name, value in SIGNING.items() if name != "x-amz-credential"]
    signing.append(["starts-with", "$x-amz-credential", ""])
    document = {"expiration": expiration, "conditions": [{"bucket": bucket}, *signing, *conditions]}
    return base64.b64encode(json.dumps(document).encode()).decode()


SIGNING = {
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": "{key}/20250101/us-east-1/s3/aws4_request",
    "x-amz-date": "20250101T000000Z",
}


def signed(server: RunningServer, policy: str, key: dict | None = None) -> dict:
    """The SigV4 fields a form carries with its policy, signed by `key` (boto3's keyword
    arguments; the server's root key unless given): the hex HMAC-SHA256 of the policy under
    the key derived for the credential's scope."""
    key = key or server.credentials
    fields = {**SIGNING, "policy": policy}
    fields["x-amz-credential"] = fields["x-amz-credential"].format(key=key["aws_access_key_id"])
    signing_key = derived_key(key["aws_secret_access_key"], "20250101", "us-east-1", "s3")
    fields["x-amz-signature"] = hmac.new(signing_key, policy.encode(), "sha256").hexdigest()
    return fields


def open_form(server: RunningServer, bucket: str, **fields: str) -> dict:
    """`fields` with a signed policy that allows any value of each."""
    conditions = [["starts-with", f"${name}", ""] for name in fields if name != "key"]
    policy = policy_of(bucket, ["starts-with", "$key", ""], *conditions)
    return {**fields, **signed(server, policy)}


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
    base = {"key": "user/a.txt", "acl": "bucket-owner-full-control", **signed(server, policy)}
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
    expired = signed(
        server, policy_of(bucket, ["starts-with", "$key", ""], expires=timedelta(hours=-1))
    )
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
        data={"key": "k", **signed(server, policy)},
        files={"file": b"a"},
        timeout=30,
    )
    assert error_code(answer) == (400, "InvalidPolicyDocument", message)


def test_form_answers_and_required_fields(server: RunningServer, s3, bucket: str) -> None:
    url = f"{server.endpoint}/{bucket}"
    created = requests.post(
        url,
        data=open_form(server, bucket, key="k", success_action_status="201"),
        files={"file": b"x"},
        timeout=30,
    )
    assert created.status_code == 201
    assert ElementTree.fromstring(created.content).findtext("Key") == "k"
    redirected = requests.post(
        url,
        data=open_form(
            server, bucket, key="r", success_action_redirect="http://example.invalid/done"
        ),
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
    checksum = base64.b64encode(b"0" * 32).decode()
    wrong = open_form(server, bucket, key="k", **{"x-amz-checksum-sha256": checksum})
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


def test_the_policy_signature_is_verified(server: RunningServer, s3, bucket: str) -> None:
    url = f"{server.endpoint}/{bucket}"
    policy = policy_of(bucket, ["starts-with", "$key", ""])
    forged = {"key": "k", **signed(server, policy), "x-amz-signature": "0" * 64}
    answer = requests.post(url, data=forged, files={"file": b"x"}, timeout=30)
    assert error_code(answer) == (
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    )
    assert ElementTree.fromstring(answer.content).findtext("StringToSign") == policy
    unknown = {"aws_access_key_id": "AKIAUNKNOWNKEY000000", "aws_secret_access_key": "x"}
    stranger = {"key": "k", **signed(server, policy, unknown)}
    answer = requests.post(url, data=stranger, files={"file": b"x"}, timeout=30)
    assert error_code(answer)[:2] == (403, "InvalidAccessKeyId")
    # SigV2's form: AWSAccessKeyId and the base64 HMAC-SHA1 of the policy.
    root = server.credentials
    secret = root["aws_secret_access_key"].encode()
    expiration = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"expiration": expiration, "conditions": [{"bucket": bucket}, {"key": "v2"}]}
    v2_policy = base64.b64encode(json.dumps(document).encode()).decode()
    v2 = base64.b64encode(hmac.new(secret, v2_policy.encode(), "sha1").digest()).decode()
    v2_form = {"key": "v2", "AWSAccessKeyId": root["aws_access_key_id"], "policy": v2_policy}
    answer = requests.post(url, data={**v2_form, "signature": v2}, files={"file": b"x"}, timeout=30)
    assert answer.status_code == 204, answer.text
    answer = requests.post(
        url, data={**v2_form, "signature": "AAAA"}, files={"file": b"x"}, timeout=30
    )
    assert error_code(answer)[:2] == (403, "SignatureDoesNotMatch")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == ["v2"]


def test_uploads_are_authorized_as_the_signer(server: RunningServer, s3, bucket: str) -> None:
    url = f"{server.endpoint}/{bucket}"
    anonymous = requests.post(url, data={"key": "anon"}, files={"file": b"x"}, timeout=30)
    assert error_code(anonymous) == (403, "AccessDenied", "Access Denied")
    iam = server.client("iam")
    user = f"poster-{bucket}"[:64]
    iam.create_user(UserName=user)
    created = iam.create_access_key(UserName=user)["AccessKey"]
    key = {
        "aws_access_key_id": created["AccessKeyId"],
        "aws_secret_access_key": created["SecretAccessKey"],
    }
    form = {
        "key": "mine/a.txt",
        **signed(server, policy_of(bucket, ["starts-with", "$key", ""]), key),
    }
    refused = requests.post(url, data=form, files={"file": b"x"}, timeout=30)
    status, code, message = error_code(refused)
    assert (status, code) == (403, "AccessDenied")
    assert "is not authorized to perform: s3:PutObject" in message
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/mine/*",
            }
        ],
    }
    iam.put_user_policy(UserName=user, PolicyName="post", PolicyDocument=json.dumps(document))
    allowed = requests.post(url, data=form, files={"file": b"x"}, timeout=30)
    assert allowed.status_code == 204, allowed.text
    elsewhere = requests.post(url, data={**form, "key": "other"}, files={"file": b"x"}, timeout=30)
    assert error_code(elsewhere)[:2] == (403, "AccessDenied")
    # A bucket policy that lets everyone put objects lets an unsigned form in.
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/drop/*",
            }
        ],
    }
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public))
    dropped = requests.post(url, data={"key": "drop/x"}, files={"file": b"x"}, timeout=30)
    assert dropped.status_code == 204, dropped.text
