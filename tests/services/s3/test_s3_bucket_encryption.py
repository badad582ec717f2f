"""A bucket's default encryption through boto3 (Put/Get/DeleteBucketEncryption) and what it
does to objects written without encryption headers; kept across a restart (in process)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

from overcast.delivery import Delivery, Destinations
from overcast.services.s3.deliveries import ObjectDeliveries
from overcast.services.s3.store import ObjectStore
from support import error_of

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:000000000000:key/{KEY_ID}"
MALFORMED = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)
SSE_S3_RULE = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}


def configuration(algorithm: str, key: str | None = None, bucket_key: bool | None = None) -> dict:
    default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}
    rule: dict = {"ApplyServerSideEncryptionByDefault": default}
    if bucket_key is not None:
        rule["BucketKeyEnabled"] = bucket_key
    return {"Rules": [rule]}


def rules_of(s3, bucket: str) -> list[dict]:
    return s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]


def encryption_of(answer: dict) -> dict:
    names = ("ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled")
    return {name: answer[name] for name in names if name in answer}


def test_sse_kms_by_default_with_a_key_and_a_bucket_key(s3, bucket: str) -> None:
    answer = s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=configuration("aws:kms", KEY_ID, True)
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert rules_of(s3, bucket) == [
        {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": KEY_ID,
            },
            "BucketKeyEnabled": True,
        }
    ]  # the key as it was put; objects name it by its ARN
    sealed = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KEY_ARN, "BucketKeyEnabled": True}
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    assert encryption_of(put) == sealed
    assert put["ResponseMetadata"]["HTTPHeaders"]["x-amz-server-side-encryption"] == "aws:kms"
    assert encryption_of(s3.head_object(Bucket=bucket, Key="k")) == sealed
    got = s3.get_object(Bucket=bucket, Key="k")
    assert encryption_of(got) == sealed and got["Body"].read() == b"secret"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert encryption_of(upload) == sealed
    part = s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"p"
    )
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"], MultipartUpload=parts
    )
    assert encryption_of(s3.head_object(Bucket=bucket, Key="mp")) == sealed


def test_sse_kms_without_a_key_uses_the_account_s_aws_s3_key(s3, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=configuration("aws:kms")
    )
    assert rules_of(s3, bucket) == [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
            "BucketKeyEnabled": False,
        }
    ]
    asked = s3.put_object(Bucket=bucket, Key="asked", Body=b"x", ServerSideEncryption="aws:kms")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert encryption_of(put) == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": asked["SSEKMSKeyId"],  # the aws/s3 key, as for a request naming none
    }


def test_a_request_s_own_encryption_wins(s3, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=configuration("aws:kms", KEY_ID, True)
    )
    plain = s3.put_object(Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256")
    assert encryption_of(plain) == {"ServerSideEncryption": "AES256"}
    customer = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": os.urandom(32)}
    sse_c = s3.put_object(Bucket=bucket, Key="c", Body=b"x", **customer)
    assert encryption_of(sse_c) == {} and sse_c["SSECustomerAlgorithm"] == "AES256"
    # A KMS write that does not say whether to use a Bucket Key takes the bucket's setting.
    other = "arn:aws:kms:us-east-1:000000000000:key/other"
    kms = s3.put_object(
        Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=other
    )
    assert encryption_of(kms) == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": other,
        "BucketKeyEnabled": True,
    }
    without = s3.put_object(
        Bucket=bucket, Key="nb", Body=b"x", ServerSideEncryption="aws:kms", BucketKeyEnabled=False
    )
    assert "BucketKeyEnabled" not in without


def test_a_copy_takes_its_target_bucket_s_default(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"x")
    target = f"{bucket}-kms"
    s3.create_bucket(Bucket=target)
    s3.put_bucket_encryption(
        Bucket=target, ServerSideEncryptionConfiguration=configuration("aws:kms:dsse", KEY_ARN)
    )
    copied = s3.copy_object(
        Bucket=target, Key="copy", CopySource={"Bucket": bucket, "Key": "source"}
    )
    assert encryption_of(copied) == {"ServerSideEncryption": "aws:kms:dsse", "SSEKMSKeyId": KEY_ARN}
    back = s3.copy_object(Bucket=bucket, Key="back", CopySource={"Bucket": target, "Key": "copy"})
    assert encryption_of(back) == {"ServerSideEncryption": "AES256"}


def test_a_browser_upload_takes_the_default(s3, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=configuration("aws:kms", KEY_ID, True)
    )
    post = s3.generate_presigned_post(Bucket=bucket, Key="form", ExpiresIn=600)
    answer = requests.post(post["url"], data=post["fields"], files={"file": b"x"}, timeout=30)
    assert answer.status_code == 204, answer.text
    assert answer.headers["x-amz-server-side-encryption"] == "aws:kms"
    assert answer.headers["x-amz-server-side-encryption-aws-kms-key-id"] == KEY_ARN
    assert answer.headers["x-amz-server-side-encryption-bucket-key-enabled"] == "true"


def test_sse_s3_reports_no_bucket_key_on_objects(s3, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=configuration("AES256", bucket_key=True)
    )
    assert rules_of(s3, bucket) == [{**SSE_S3_RULE, "BucketKeyEnabled": True}]
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert encryption_of(put) == {"ServerSideEncryption": "AES256"}


def test_delete_returns_the_bucket_to_sse_s3(s3, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=configuration("aws:kms", KEY_ID)
    )
    deleted = s3.delete_bucket_encryption(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    again = s3.delete_bucket_encryption(Bucket=bucket)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert rules_of(s3, bucket) == [{**SSE_S3_RULE, "BucketKeyEnabled": False}]
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert encryption_of(put) == {"ServerSideEncryption": "AES256"}


AES_WITH_KEY = {
    "Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}
    ]
}


@pytest.mark.parametrize(
    ("document", "code", "message", "status"),
    [
        ({"Rules": []}, "MalformedXML", MALFORMED, 400),
        (
            {"Rules": [*configuration("aws:kms")["Rules"], SSE_S3_RULE]},
            "MalformedXML",
            MALFORMED,
            400,
        ),
        (configuration("aws:fsx"), "MalformedXML", MALFORMED, 400),
        (configuration("AES128"), "MalformedXML", MALFORMED, 400),
        (
            AES_WITH_KEY,
            "InvalidArgument",
            "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or "
            "aws:kms:dsse",
            400,
        ),
        (
            {"Rules": [{**SSE_S3_RULE, "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]},
            "NotImplemented",
            "Blocking encryption types (BlockedEncryptionTypes) is not supported by this server",
            501,
        ),
    ],
)
def test_configurations_s3_refuses(
    s3, bucket: str, document: dict, code: str, message: str, status: int
) -> None:
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=document)
    assert error_of(raised) == (code, message, status)
    if code == "InvalidArgument":
        assert (
            raised.value.response["Error"]["ArgumentName"] == "ApplyServerSideEncryptionByDefault"
        )
    assert rules_of(s3, bucket) == [{**SSE_S3_RULE, "BucketKeyEnabled": False}]


def test_a_bucket_that_does_not_exist(s3) -> None:
    missing = f"missing-{os.urandom(6).hex()}"
    calls = [
        lambda: s3.get_bucket_encryption(Bucket=missing),
        lambda: s3.delete_bucket_encryption(Bucket=missing),
        lambda: s3.put_bucket_encryption(
            Bucket=missing, ServerSideEncryptionConfiguration={"Rules": []}
        ),
    ]
    for operation in calls:
        with pytest.raises(ClientError) as raised:
            operation()
        assert error_of(raised) == ("NoSuchBucket", "The specified bucket does not exist", 404)


def opened(data_dir: Path) -> ObjectStore:
    return ObjectStore(data_dir, "000000000000", None, None, Destinations(), permissions=None)  # type: ignore[arg-type]


def test_an_object_delivered_by_lambda_takes_the_default(tmp_path: Path) -> None:
    store = opened(tmp_path)
    try:
        store.buckets.create("failures", "us-east-1", None)
        store.encryption.put("failures", configuration("aws:kms"))
        delivery = Delivery("arn:aws:s3:::failures", b"{}", 0, object_key="aws/lambda/record")
        ObjectDeliveries(store).deliver(delivery)
        kept = store.catalog.get("failures", "aws/lambda/record")
        assert kept is not None and kept.headers["ServerSideEncryption"] == "aws:kms"
        assert kept.headers["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:000000000000:key/")
    finally:
        store.close()


def test_the_default_is_kept_across_a_restart(tmp_path: Path) -> None:
    first = opened(tmp_path)
    first.buckets.create("kept", "us-east-1", None)
    first.buckets.create("reset", "us-east-1", None)
    first.encryption.put("kept", configuration("aws:kms", KEY_ID, True))
    first.encryption.put("reset", configuration("aws:kms"))
    first.encryption.delete("reset")
    first.close()
    second = opened(tmp_path)
    try:
        assert second.encryption.configuration("kept").to_rule() == {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": KEY_ID,
            },
            "BucketKeyEnabled": True,
        }
        assert second.encryption.for_write("kept", {}) == {
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": KEY_ARN,
            "BucketKeyEnabled": True,
        }
        assert second.encryption.for_write("reset", {}) == {"ServerSideEncryption": "AES256"}
    finally:
        second.close()
