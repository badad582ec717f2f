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


def complete(s3, bucket: str, key: str, upload_id: str, etags: list[str]) -> dict:
    parts = [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, start=1)]
    return s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
    )


def upload_in_parts(s3, bucket: str, key: str, parts: list[bytes]) -> tuple[str, list[str]]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=body)["ETag"]
        for n, body in enumerate(parts, start=1)
    ]
    return upload_id, etags


def test_a_part_is_read_by_its_number(s3, bucket: str) -> None:
    parts = [os.urandom(5 * MIB), os.urandom(1000)]
    upload_id, etags = upload_in_parts(s3, bucket, "big", parts)
    etag = complete(s3, bucket, "big", upload_id, etags)["ETag"]
    size = sum(len(p) for p in parts)
    for number, first, body in [(1, 0, parts[0]), (2, 5 * MIB, parts[1])]:
        got = s3.get_object(Bucket=bucket, Key="big", PartNumber=number)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["Body"].read() == body and got["ContentLength"] == len(body)
        assert got["PartsCount"] == 2 and got["ETag"] == etag
        assert got["ContentRange"] == f"bytes {first}-{first + len(body) - 1}/{size}"
        head = s3.head_object(Bucket=bucket, Key="big", PartNumber=number)
        assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert head["PartsCount"] == 2 and head["ContentLength"] == len(body)
    assert "PartsCount" not in s3.head_object(Bucket=bucket, Key="big")  # only when asked
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=3)
    assert error_of(raised) == ("InvalidPart", 400)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=1, Range="bytes=0-1")
    assert error_of(raised) == ("InvalidRequest", 400)
    assert "Cannot specify both Range header and partNumber" in str(raised.value)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=10001)
    assert error_of(raised) == ("InvalidArgument", 400)


def test_an_object_stored_whole_is_its_own_part_one(s3, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="whole", Body=b"body")["ETag"]
    got = s3.get_object(Bucket=bucket, Key="whole", PartNumber=1)
    assert got["Body"].read() == b"body" and got["ETag"] == etag
    assert got["ContentRange"] == "bytes 0-3/4" and "PartsCount" not in got
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="whole", PartNumber=2)
    assert error_of(raised) == ("InvalidPart", 400)


def test_a_repeated_completion_answers_as_the_first(s3, bucket: str) -> None:
    parts = [os.urandom(5 * MIB), b"tail"]
    upload_id, etags = upload_in_parts(s3, bucket, "k", parts)
    first = complete(s3, bucket, "k", upload_id, etags)
    # An SDK retrying a completion whose answer was lost hears the same answer, as from S3.
    again = complete(s3, bucket, "k", upload_id, etags)
    assert again["ETag"] == first["ETag"] == multipart_etag(parts)
    assert again["Key"] == "k" and again["Bucket"] == bucket
    with pytest.raises(ClientError) as raised:  # other parts: not a repeat of that completion
        complete(s3, bucket, "k", upload_id, etags[:1])
    assert error_of(raised) == ("NoSuchUpload", 404)
    s3.put_object(Bucket=bucket, Key="k", Body=b"replaced")
    with pytest.raises(ClientError) as raised:  # the object it made is gone
        complete(s3, bucket, "k", upload_id, etags)
    assert error_of(raised) == ("NoSuchUpload", 404)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"replaced"


def test_copy_source_range_is_read_strictly(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"01234")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]

    def copy(byte_range: str) -> tuple:
        with pytest.raises(ClientError) as raised:
            s3.upload_part_copy(
                Bucket=bucket,
                Key="dest",
                UploadId=upload_id,
                PartNumber=1,
                CopySource={"Bucket": bucket, "Key": "source"},
                CopySourceRange=byte_range,
            )
        return error_of(raised)

    for improper in ("0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=0-2,3-4"):
        assert copy(improper) == ("InvalidArgument", 400), improper
    assert copy("bytes=3-1") == ("InvalidArgument", 400)
    assert copy("bytes=0-21") == ("InvalidArgument", 400)  # ends past the source's end
    assert copy("bytes=5-6") == ("InvalidRequest", 400)  # starts past it
    part = s3.upload_part_copy(
        Bucket=bucket,
        Key="dest",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "source"},
        CopySourceRange="bytes=1-3",
    )
    assert part["CopyPartResult"]["ETag"] == f'"{hashlib.md5(b"123").hexdigest()}"'
