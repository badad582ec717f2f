"""Objects through boto3: put and get (ranges, conditions), head, delete, copy, listing,
checksums, and S3's errors with nothing stored."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError

from support import http_call, signed


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_put_get_head_delete(s3, bucket: str) -> None:
    body = b"hello world"
    put = s3.put_object(
        Bucket=bucket,
        Key="dir/hello.txt",
        Body=body,
        ContentType="text/plain",
        CacheControl="max-age=60",
        Metadata={"owner": "me", "Kind": "greeting"},
    )
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain" and got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"owner": "me", "kind": "greeting"}
    assert got["ETag"] == put["ETag"] and got["ContentLength"] == len(body)
    assert got["AcceptRanges"] == "bytes"
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ContentLength"] == len(body) and head["Metadata"]["owner"] == "me"
    assert head["LastModified"] == got["LastModified"]
    s3.delete_object(Bucket=bucket, Key="dir/hello.txt")
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    assert error_of(raised) == ("NoSuchKey", 404)
    s3.delete_object(Bucket=bucket, Key="never-was")  # deleting nothing succeeds, as on S3


def test_default_content_type_and_empty_object(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b"" and got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_overwrite_replaces(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"one", Metadata={"v": "1"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"two" and got["Metadata"] == {}


@pytest.mark.parametrize(
    ("header", "content", "content_range"),
    [
        ("bytes=0-4", b"01234", "bytes 0-4/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-2", b"89", "bytes 8-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
    ],
)
def test_ranges(s3, bucket: str, header: str, content: bytes, content_range: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="digits", Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == content and got["ContentRange"] == content_range
    assert got["ContentLength"] == len(content)


def test_invalid_range(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=10-20")
    assert error_of(raised) == ("InvalidRange", 416)
    assert raised.value.response["Error"]["ActualObjectSize"] == "10"


def test_conditional_reads(s3, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"data")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", IfMatch='"0000"')
    assert error_of(raised) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert error_of(raised)[1] == 304
    later = datetime.now(UTC) + timedelta(hours=1)
    earlier = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=later)
    assert error_of(raised)[1] == 304
    with pytest.raises(ClientError) as raised:
        s3.head_object(Bucket=bucket, Key="k", IfUnmodifiedSince=earlier)
    assert error_of(raised)[1] == 412
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=earlier)["Body"].read()


def test_conditional_writes(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert error_of(raised) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"


def test_errors_store_nothing(s3, bucket: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=f"{bucket}-missing", Key="k", Body=b"x")
    assert error_of(raised) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(raised) == ("KeyTooLongError", 400)
    with pytest.raises(ClientError) as raised:
        s3.put_object(
            Bucket=bucket,
            Key="k",
            Body=b"x",
            ContentMD5=base64.b64encode(hashlib.md5(b"y").digest()).decode(),
        )
    assert error_of(raised) == ("BadDigest", 400)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentMD5="not-an-md5")
    assert error_of(raised) == ("InvalidDigest", 400)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"big": "v" * 2100})
    assert error_of(raised) == ("MetadataTooLarge", 400)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_flexible_checksums_are_checked_and_returned(s3, bucket: str) -> None:
    body = b"checked bytes"
    put = s3.put_object(Bucket=bucket, Key="sha", Body=body, ChecksumAlgorithm="SHA256")
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert put["ChecksumSHA256"] == expected
    got = s3.get_object(Bucket=bucket, Key="sha", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == expected and got["Body"].read() == body
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="bad", Body=body, ChecksumCRC32="AAAAAA==")
    assert error_of(raised) == ("BadDigest", 400)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="bad")


def test_copy_object(s3, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="src", Body=b"payload", ContentType="text/x", Metadata={"a": "1"}
    )
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"payload").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"payload" and got["Metadata"] == {"a": "1"}
    assert got["ContentType"] == "text/x"
    s3.copy_object(
        Bucket=bucket,
        Key="src",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
        ContentType="text/y",
    )
    replaced = s3.head_object(Bucket=bucket, Key="src")
    assert replaced["Metadata"] == {"b": "2"} and replaced["ContentType"] == "text/y"
    with pytest.raises(ClientError) as raised:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert error_of(raised) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as raised:
        s3.copy_object(
            Bucket=bucket, Key="x", CopySource=f"{bucket}/src", CopySourceIfMatch='"nope"'
        )
    assert error_of(raised) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as raised:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/missing")
    assert error_of(raised) == ("NoSuchKey", 404)


def test_delete_objects(s3, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    deleted = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zzz"}]}
    )
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["a", "b", "zzz"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet and "Errors" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


KEYS = ["a b.txt", "a+b.txt", "dir/one", "dir/sub/two", "dir/three", "é/ü", "~tilde", "z&z=z?"]


def test_listing_v2_with_prefix_delimiter_pages_and_odd_keys(s3, bucket: str) -> None:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    listed = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == sorted(KEYS)
    assert listed["KeyCount"] == len(KEYS) and not listed["IsTruncated"]
    entry = listed["Contents"][0]
    assert entry["Size"] == len(entry["Key"].encode()) and entry["StorageClass"] == "STANDARD"
    rolled = s3.list_objects_v2(Bucket=bucket, Prefix="dir/", Delimiter="/")
    assert [o["Key"] for o in rolled["Contents"]] == ["dir/one", "dir/three"]
    assert rolled["CommonPrefixes"] == [{"Prefix": "dir/sub/"}]
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="dir/three")
    assert [o["Key"] for o in after["Contents"]] == ["z&z=z?", "~tilde", "é/ü"]
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}
    )
    seen, counts = [], []
    for page in pages:
        counts.append(page["KeyCount"])
        seen += [o["Key"] for o in page.get("Contents", [])]
        seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert sorted(seen) == sorted(["a b.txt", "a+b.txt", "dir/", "é/", "~tilde", "z&z=z?"])
    assert counts == [2, 2, 2]
    with pytest.raises(ClientError) as raised:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="@@garbage@@")
    assert error_of(raised) == ("InvalidArgument", 400)


def test_listing_v1_with_markers(s3, bucket: str) -> None:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    pages = s3.get_paginator("list_objects").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 3}
    )
    assert [o["Key"] for page in pages for o in page["Contents"]] == sorted(KEYS)
    first = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=3)
    assert first["IsTruncated"] and first["NextMarker"] == "dir/"
    assert first["Contents"][0]["Owner"]["ID"]
    rest = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=first["NextMarker"])
    assert [o["Key"] for o in rest["Contents"]] == ["z&z=z?", "~tilde"]
    assert rest["CommonPrefixes"] == [{"Prefix": "é/"}]


# S3 accepts any UTF-8 in a key: line breaks and tabs included.
SPACING_KEYS = ["line\nbreak", "tab\there", "carriage\rreturn", "ends\n", "\n", "\r\n/x"]


def test_keys_with_line_breaks_and_tabs(server, s3, bucket: str) -> None:
    for key in SPACING_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
        assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(key)
    # boto3 asks for encoding-type=url in listings, and decodes what comes back.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == sorted(SPACING_KEYS)
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == sorted(SPACING_KEYS)
    # Without it, the keys are XML text: CR and LF as character references, so that an XML
    # parser (which turns a literal CR into LF) reads the keys back unchanged.
    status, _, body = http_call(
        f"{server.endpoint}/{bucket}?list-type=2",
        headers=signed(f"{server.endpoint}/{bucket}?list-type=2"),
    )
    assert status == 200 and b"carriage&#13;return" in body and b"line&#10;break" in body
    listed = ElementTree.fromstring(body)
    keys = [e.text for e in listed.iter("{http://s3.amazonaws.com/doc/2006-03-01/}Key")]
    assert keys == sorted(SPACING_KEYS)
    doomed = [{"Key": key} for key in SPACING_KEYS if "\r" not in key]  # botocore writes CR raw
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed})["Deleted"]
    assert sorted(d["Key"] for d in deleted) == sorted(d["Key"] for d in doomed)
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert left == sorted(key for key in SPACING_KEYS if "\r" in key)


def test_listing_missing_bucket(s3) -> None:
    with pytest.raises(ClientError) as raised:
        s3.list_objects_v2(Bucket="no-such-bucket-here-at-all")
    assert error_of(raised) == ("NoSuchBucket", 404)


def test_not_modified_carries_the_etag_and_last_modified(s3, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"data")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]
    for read in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as raised:
            read(Bucket=bucket, Key="k", IfNoneMatch=etag)
        headers = raised.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
        assert headers["etag"] == etag  # a cache revalidates its copy with these
        assert headers["last-modified"] == modified["last-modified"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("gzip", "gzip"),
        ("deflate, gzip", "deflate, gzip"),
        ("gzip, aws-chunked", "gzip"),
        ("aws-chunked, gzip", "gzip"),
        ("aws-chunked", None),
    ],
)
def test_content_encoding_is_kept_as_sent(s3, bucket: str, sent: str, kept: str | None) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentEncoding=sent)
    assert s3.head_object(Bucket=bucket, Key="k").get("ContentEncoding") == kept


def test_metadata_beyond_ascii_comes_back_rfc2047_encoded(server, s3, bucket: str) -> None:
    def send_unicode(params, **kwargs) -> None:
        params["headers"]["x-amz-meta-greeting"] = "Hello World\xe9"  # botocore sends UTF-8

    s3.meta.events.register("before-call.s3.PutObject", send_unicode)
    try:
        s3.put_object(Bucket=bucket, Key="utf8", Body=b"x", Metadata={"plain": "ascii"})
    finally:
        s3.meta.events.unregister("before-call.s3.PutObject", send_unicode)
    got = s3.head_object(Bucket=bucket, Key="utf8")["Metadata"]
    assert got == {"plain": "ascii", "greeting": "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="}
    assert str(make_header(decode_header(got["greeting"]))) == "Hello World\xe9"
    # Latin-1 bytes on the wire, and encoded words, are read as the text they are.
    status, _, _ = http_call(
        f"{server.endpoint}/{bucket}/latin1",
        "PUT",
        b"x",
        signed(f"{server.endpoint}/{bucket}/latin1", "PUT", b"x", {"x-amz-meta-word": "caf\xe9"}),
    )
    assert status == 200
    assert s3.head_object(Bucket=bucket, Key="latin1")["Metadata"] == {
        "word": "=?UTF-8?B?Y2Fmw6k=?="
    }
    s3.put_object(Bucket=bucket, Key="words", Body=b"x", Metadata={"word": "=?UTF-8?B?Y2Fmw6k=?="})
    assert s3.head_object(Bucket=bucket, Key="words")["Metadata"] == {
        "word": "=?UTF-8?B?Y2Fmw6k=?="
    }


def test_conditional_deletes_judge_if_match_against_the_current_object(s3, bucket: str) -> None:
    # "How to perform conditional deletes" (S3 User Guide): a differing ETag is 412, a
    # matching one (or `*`) deletes; DeleteObjects takes each object's ETag element.
    etag = s3.put_object(Bucket=bucket, Key="obj", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket=bucket, Key="obj", IfMatch='"0123"')
    assert error_of(excinfo) == ("PreconditionFailed", 412)
    s3.head_object(Bucket=bucket, Key="obj")  # still there
    s3.delete_object(Bucket=bucket, Key="obj", IfMatch=etag)
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket=bucket, Key="obj", IfMatch="*")
    assert error_of(excinfo) == ("NoSuchKey", 404)

    etag = s3.put_object(Bucket=bucket, Key="obj", Body=b"y")["ETag"]
    objects = {"Objects": [{"Key": "obj", "ETag": '"0123"'}]}
    answer = s3.delete_objects(Bucket=bucket, Delete=objects)
    assert [e["Code"] for e in answer["Errors"]] == ["PreconditionFailed"]
    assert "Deleted" not in answer
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "obj", "ETag": etag}]})
    assert [d["Key"] for d in answer["Deleted"]] == ["obj"]
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="obj")
