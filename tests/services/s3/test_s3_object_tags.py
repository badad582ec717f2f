"""Object tags through boto3: set with the write (x-amz-tagging) or afterwards, read, counted
on reads, kept or replaced by copies, carried by a multipart upload, and S3's refusals."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def tags_of(s3, bucket: str, key: str) -> list[dict]:
    return s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]


def test_tags_with_the_write_and_after(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="team=blue&stage=dev%20one")
    assert tags_of(s3, bucket, "k") == [
        {"Key": "team", "Value": "blue"},
        {"Key": "stage", "Value": "dev one"},
    ]
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    assert s3.head_object(Bucket=bucket, Key="k")["TagCount"] == 2
    s3.put_object_tagging(
        Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]}
    )
    assert tags_of(s3, bucket, "k") == [{"Key": "only", "Value": "one"}]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"  # bytes untouched
    deleted = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags_of(s3, bucket, "k") == []
    assert "TagCount" not in s3.head_object(Bucket=bucket, Key="k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")  # a new object: no tags
    assert tags_of(s3, bucket, "k") == []


def test_copies_keep_or_replace_tags(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="kept", CopySource={"Bucket": bucket, "Key": "source"})
    assert tags_of(s3, bucket, "kept") == [{"Key": "a", "Value": "1"}]
    s3.copy_object(
        Bucket=bucket,
        Key="replaced",
        CopySource={"Bucket": bucket, "Key": "source"},
        TaggingDirective="REPLACE",
        Tagging="b=2",
    )
    assert tags_of(s3, bucket, "replaced") == [{"Key": "b", "Value": "2"}]


def test_a_multipart_upload_carries_its_tags(s3, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="c=3")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=b"x")
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag["ETag"]}]},
    )
    assert tags_of(s3, bucket, "mp") == [{"Key": "c", "Value": "3"}]


def test_tag_sets_s3_refuses(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    eleven = [{"Key": f"k{n}", "Value": "v"} for n in range(11)]
    cases = [
        (eleven, "Object tag count cannot be greater than 10"),
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], "Cannot provide multiple"),
        ([{"Key": "aws:reserved", "Value": "1"}], "System tags cannot be added"),
        ([{"Key": "k" * 129, "Value": "1"}], "The TagKey you have provided is invalid"),
    ]
    for tag_set, message in cases:
        with pytest.raises(ClientError) as raised:
            s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tag_set})
        assert error_of(raised) == ("InvalidTag", 400)
        assert raised.value.response["Error"]["Message"].startswith(message)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="dup", Body=b"x", Tagging="a=1&a=2")
    assert error_of(raised) == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as raised:
        s3.get_object_tagging(Bucket=bucket, Key="missing")
    assert error_of(raised) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as raised:
        s3.put_object_tagging(Bucket=bucket, Key="missing", Tagging={"TagSet": []})
    assert error_of(raised) == ("NoSuchKey", 404)
