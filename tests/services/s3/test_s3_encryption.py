"""Server-side encryption through boto3: SSE-S3 reported for every object, SSE-KMS recorded
and returned, SSE-C enforced on reads, copies and parts, and its key never stored."""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, error_of

KEY = os.urandom(32)
OTHER_KEY = os.urandom(32)
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
OTHER = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": OTHER_KEY}
KEY_MD5 = base64.b64encode(hashlib.md5(KEY).digest()).decode()


def test_every_object_is_reported_as_sse_s3(s3, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"plain")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    assert copied["ServerSideEncryption"] == "AES256"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert upload["ServerSideEncryption"] == "AES256"


def test_sse_kms_is_recorded_and_returned(s3, bucket: str) -> None:
    context = base64.b64encode(b'{"purpose": "test"}').decode()
    put = s3.put_object(
        Bucket=bucket,
        Key="k",
        Body=b"kms",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId="1234abcd-12ab-34cd-56ef-1234567890ab",
        SSEKMSEncryptionContext=context,
        BucketKeyEnabled=True,
    )
    arn = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"].endswith(arn[-45:])
    assert put["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:")
    assert put["SSEKMSEncryptionContext"] == context and put["BucketKeyEnabled"] is True
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == put["SSEKMSKeyId"]
    assert head["BucketKeyEnabled"] is True
    managed = s3.put_object(Bucket=bucket, Key="m", Body=b"x", ServerSideEncryption="aws:kms")
    assert ":key/" in managed["SSEKMSKeyId"]  # the account's aws/s3 key


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ServerSideEncryption": "aes:kms"}, "The encryption method specified is not supported"),
        (
            {"ServerSideEncryption": "AES256", "SSEKMSKeyId": "key"},
            "Server Side Encryption with AWS KMS managed key requires HTTP header "
            "x-amz-server-side-encryption : aws:kms",
        ),
        (
            {"ServerSideEncryption": "AES256", **SSE_C},
            "Server Side Encryption with Customer provided key is incompatible with the "
            "encryption method specified",
        ),
    ],
)
def test_invalid_encryption_requests(s3, bucket: str, options: dict, message: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", **options)
    assert error_of(raised) == ("InvalidArgument", message, 400)


def test_sse_c_object_is_read_only_with_its_key(s3, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="secret", Body=b"classified", **SSE_C)
    assert put["SSECustomerAlgorithm"] == "AES256" and put["SSECustomerKeyMD5"] == KEY_MD5
    assert "ServerSideEncryption" not in put
    with pytest.raises(ClientError) as without:
        s3.get_object(Bucket=bucket, Key="secret")
    assert error_of(without) == (
        "InvalidRequest",
        "The object was stored using a form of Server Side Encryption. The correct parameters "
        "must be provided to retrieve the object.",
        400,
    )
    with pytest.raises(ClientError) as head_without:
        s3.head_object(Bucket=bucket, Key="secret")
    assert head_without.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as other:
        s3.get_object(Bucket=bucket, Key="secret", **OTHER)
    assert error_of(other)[0::2] == ("AccessDenied", 403)
    got = s3.get_object(Bucket=bucket, Key="secret", **SSE_C)
    assert got["Body"].read() == b"classified" and got["SSECustomerKeyMD5"] == KEY_MD5
    head = s3.head_object(Bucket=bucket, Key="secret", **SSE_C)
    assert head["SSECustomerAlgorithm"] == "AES256" and "ServerSideEncryption" not in head
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    with pytest.raises(ClientError) as not_applicable:
        s3.get_object(Bucket=bucket, Key="plain", **SSE_C)
    assert error_of(not_applicable) == (
        "InvalidRequest",
        "The encryption parameters are not applicable to this object.",
        400,
    )


def test_sse_c_key_md5_and_length_are_checked(s3, bucket: str) -> None:
    wrong_md5 = {  # with its MD5 given, botocore sends the key as it is (base64)
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(KEY).decode(),
        "SSECustomerKeyMD5": base64.b64encode(b"0" * 16).decode(),
    }
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", **wrong_md5)
    assert error_of(raised) == (
        "InvalidArgument",
        "The calculated MD5 hash of the key did not match the hash that was provided.",
        400,
    )
    with pytest.raises(ClientError) as short:
        s3.put_object(
            Bucket=bucket, Key="k", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey="k"
        )
    assert error_of(short) == (
        "InvalidArgument",
        "The secret key was invalid for the specified algorithm.",
        400,
    )
    with pytest.raises(ClientError) as algorithm:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", **{**SSE_C, "SSECustomerAlgorithm": "X"})
    assert error_of(algorithm)[0::2] == ("InvalidEncryptionAlgorithmError", 400)


def test_sse_c_copies_and_parts_need_the_key(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="secret", Body=b"classified", **SSE_C)
    source = {"Bucket": bucket, "Key": "secret"}
    with pytest.raises(ClientError) as keyless:
        s3.copy_object(Bucket=bucket, Key="copy", CopySource=source)
    assert error_of(keyless)[0::2] == ("InvalidRequest", 400)
    copy_keys = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY}
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource=source, **copy_keys)
    assert copied["ServerSideEncryption"] == "AES256"  # the copy is SSE-S3, as asked
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"classified"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", **SSE_C)
    assert upload["SSECustomerKeyMD5"] == KEY_MD5
    part = {"Bucket": bucket, "Key": "mp", "UploadId": upload["UploadId"], "PartNumber": 1}
    with pytest.raises(ClientError) as no_key:
        s3.upload_part(Body=b"part", **part)
    assert error_of(no_key)[0::2] == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as other_key:
        s3.upload_part(Body=b"part", **part, **OTHER)
    assert error_of(other_key) == (
        "InvalidRequest",
        "The provided encryption parameters did not match the ones used originally.",
        400,
    )
    etag = s3.upload_part(Body=b"part", **part, **SSE_C)["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="mp")
    assert s3.get_object(Bucket=bucket, Key="mp", **SSE_C)["Body"].read() == b"part"


def test_the_customer_key_is_never_stored(server: RunningServer, s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="secret", Body=b"classified", **SSE_C)
    with sqlite3.connect(server.data_dir / "s3.db") as db:
        rows = db.execute("SELECT headers FROM objects WHERE key='secret'").fetchall()
    text = repr(rows).encode()
    assert KEY_MD5.encode() in text  # what S3 returns is kept
    assert base64.b64encode(KEY) not in text and KEY not in text
