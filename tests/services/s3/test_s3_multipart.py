"""Multipart uploads through boto3: parts, the `-N` ETag, listing, aborting, and S3's errors
at completion; and s3transfer's managed upload, download and copy."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def multipart_etag(parts: list[bytes]) -> str:
    digests = b"".join(hashlib.md5(part).digest() for part in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def test_upload_in_parts(s3, bucket: str) -> None:
    parts = [os.urandom(5 * MIB), os.urandom(1000)]
    upload = s3.create_multipart_upload(
        Bucket=bucket, Key="big", ContentType="video/mp4", Metadata={"m": "1"}
    )
    upload_id = upload["UploadId"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [
        upload_id
    ]
    etags = [
        s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=n, Body=body)[
            "ETag"
        ]
        for n, body in enumerate(parts, start=1)
    ]
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [
        (1, etags[0], 5 * MIB),
        (2, etags[1], 1000),
    ]
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, start=1)]
        },
    )
    assert done["ETag"] == multipart_etag(parts)
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["Body"].read() == b"".join(parts) and got["ETag"] == done["ETag"]
    assert got["ContentType"] == "video/mp4" and got["Metadata"] == {"m": "1"}
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as raised:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    assert error_of(raised) == ("NoSuchUpload", 404)


def test_abort(s3, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x")
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    with pytest.raises(ClientError) as raised:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"x")
    assert error_of(raised) == ("NoSuchUpload", 404)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def completion_error(s3, bucket: str, parts: list[dict], sizes=(5 * MIB, 10)) -> tuple:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    for number, size in enumerate(sizes, start=1):
        s3.upload_part(
            Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=b"a" * size
        )
    real = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    etags = {p["PartNumber"]: p["ETag"] for p in real}
    wanted = [
        {"PartNumber": p["PartNumber"], "ETag": p.get("ETag") or etags.get(p["PartNumber"], '"0"')}
        for p in parts
    ]
    with pytest.raises(ClientError) as raised:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": wanted}
        )
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")  # nothing stored
    return error_of(raised)


def test_completion_errors(s3, bucket: str) -> None:
    assert completion_error(s3, bucket, [{"PartNumber": 2}, {"PartNumber": 1}]) == (
        "InvalidPartOrder",
        400,
    )
    assert completion_error(s3, bucket, [{"PartNumber": 1}, {"PartNumber": 3}]) == (
        "InvalidPart",
        400,
    )
    assert completion_error(s3, bucket, [{"PartNumber": 1, "ETag": '"beef"'}]) == (
        "InvalidPart",
        400,
    )
    assert completion_error(s3, bucket, [{"PartNumber": 1}, {"PartNumber": 2}], sizes=(10, 10)) == (
        "EntityTooSmall",
        400,
    )


def test_bad_part_number(s3, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as raised:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=10001, Body=b"x")
    assert error_of(raised) == ("InvalidArgument", 400)


def test_managed_transfers_use_multipart_and_part_copies(s3, bucket: str) -> None:
    from boto3.s3.transfer import TransferConfig

    body = os.urandom(12 * MIB)
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_fileobj(io.BytesIO(body), bucket, "managed", Config=config)
    head = s3.head_object(Bucket=bucket, Key="managed")
    assert head["ContentLength"] == len(body) and head["ETag"].endswith('-3"')
    # A managed copy of a large object is a multipart upload of UploadPartCopy parts.
    s3.copy({"Bucket": bucket, "Key": "managed"}, bucket, "copied", Config=config)
    out = io.BytesIO()
    s3.download_fileobj(bucket, "copied", out, Config=config)  # ranged GETs
    assert out.getvalue() == body
