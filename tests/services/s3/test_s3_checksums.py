"""Flexible checksums through boto3 and raw requests: every algorithm computed and checked
(headers and aws-chunked trailers), S3's default CRC64NVME, and multipart uploads'
COMPOSITE and FULL_OBJECT checksums checked at completion."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest
from awscrt import checksums as crt
from botocore.exceptions import ClientError

from support import RunningServer, error_of, http_call, signed

PART = 5 * 1024 * 1024


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def crc32c(data: bytes) -> str:
    return b64(crt.crc32c(data).to_bytes(4, "big"))


def crc64nvme(data: bytes) -> str:
    return b64(crt.crc64nvme(data).to_bytes(8, "big"))


def crc32(data: bytes) -> str:
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def put(server: RunningServer, path: str, body: bytes, headers: dict) -> tuple[int, dict, bytes]:
    status, response_headers, data = http_call(
        f"{server.endpoint}{path}",
        "PUT",
        body,
        signed(f"{server.endpoint}{path}", "PUT", body, headers),
    )
    return status, dict(response_headers), data


@pytest.mark.parametrize(
    "algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "XXHASH64"]
)
def test_each_algorithm_is_computed_and_returned(s3, bucket: str, algorithm: str) -> None:
    body = b"checked bytes " * 100
    put_answer = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    sent = put_answer[f"Checksum{algorithm}"]
    assert put_answer["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == sent and got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == body  # botocore validates the body against the checksum
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == sent
    assert "ChecksumType" not in s3.head_object(Bucket=bucket, Key="k")


def test_a_wrong_or_malformed_checksum_is_refused(s3, bucket: str) -> None:
    body = b"some bytes"
    with pytest.raises(ClientError) as wrong:
        s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumCRC32C=crc32c(b"other"))
    assert error_of(wrong) == (
        "BadDigest",
        "The CRC32C you specified did not match the calculated checksum.",
        400,
    )
    with pytest.raises(ClientError) as malformed:
        s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumCRC64NVME="AAAA")
    assert error_of(malformed) == (
        "InvalidRequest",
        "Value for x-amz-checksum-crc64nvme header is invalid.",
        400,
    )
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_two_checksum_headers_and_a_mismatched_sdk_algorithm(
    server: RunningServer, bucket: str
) -> None:
    body = b"payload"
    both = {"x-amz-checksum-crc32": crc32(body), "x-amz-checksum-crc32c": crc32c(body)}
    status, _, data = put(server, f"/{bucket}/k", body, both)
    assert status == 400 and b"Multiple checksum Types are not allowed." in data
    named = {"x-amz-checksum-crc32": crc32(body), "x-amz-sdk-checksum-algorithm": "SHA256"}
    status, _, data = put(server, f"/{bucket}/k", body, named)
    assert status == 400 and b"Value for x-amz-sdk-checksum-algorithm header is invalid." in data


def test_s3_adds_a_crc64nvme_to_an_object_sent_without_a_checksum(
    server: RunningServer, bucket: str
) -> None:
    plain = server.client("s3", request_checksum_calculation="when_required")
    body = b"no checksum sent"
    answer = plain.put_object(Bucket=bucket, Key="k", Body=body)
    assert answer["ChecksumCRC64NVME"] == crc64nvme(body)
    got = plain.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC64NVME"] == crc64nvme(body) and got["ChecksumType"] == "FULL_OBJECT"


def framed(payload: bytes, trailer: str) -> bytes:
    return f"{len(payload):x}\r\n".encode() + payload + f"\r\n0\r\n{trailer}\r\n\r\n".encode()


def test_trailing_checksums_are_checked(server: RunningServer, s3, bucket: str) -> None:
    payload = b"chunked body " * 50
    headers = {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(payload)),
        "x-amz-trailer": "x-amz-checksum-crc32c",
    }
    good = framed(payload, f"x-amz-checksum-crc32c:{crc32c(payload)}")
    status, answer, _ = put(server, f"/{bucket}/good", good, headers)
    assert status == 200 and answer["x-amz-checksum-crc32c"] == crc32c(payload)
    wrong = framed(payload, f"x-amz-checksum-crc32c:{crc32c(b'x')}")
    status, _, data = put(server, f"/{bucket}/wrong", wrong, headers)
    assert status == 400 and b"<Code>BadDigest</Code>" in data
    assert b"The CRC32C you specified did not match the calculated checksum." in data
    malformed = framed(payload, "x-amz-checksum-crc32c:nope")
    status, _, data = put(server, f"/{bucket}/malformed", malformed, headers)
    assert status == 400
    assert b"Value for x-amz-checksum-crc32c trailing header is invalid." in data
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["good"]


def upload_two_parts(s3, bucket: str, key: str, upload_id: str, algorithm: str | None):
    bodies = [b"a" * PART, b"tail bytes"]
    parts = []
    for number, body in enumerate(bodies, start=1):
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        answer = s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, **extra
        )
        part = {"PartNumber": number, "ETag": answer["ETag"]}
        if algorithm:
            part[f"Checksum{algorithm}"] = answer[f"Checksum{algorithm}"]
        parts.append(part)
    return bodies, parts


def test_composite_checksum_of_a_multipart_upload(s3, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")
    assert upload["ChecksumAlgorithm"] == "SHA256" and upload["ChecksumType"] == "COMPOSITE"
    bodies, parts = upload_two_parts(s3, bucket, "mp", upload["UploadId"], "SHA256")
    joined = b"".join(hashlib.sha256(body).digest() for body in bodies)
    expected = f"{b64(hashlib.sha256(joined).digest())}-2"
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])
    assert listed["ChecksumType"] == "COMPOSITE"
    assert [p["ChecksumSHA256"] for p in listed["Parts"]] == [p["ChecksumSHA256"] for p in parts]
    with pytest.raises(ClientError) as missing:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="mp",
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{k: p[k] for k in ("PartNumber", "ETag")} for p in parts]},
        )
    assert error_of(missing) == (
        "InvalidRequest",
        "The upload was created using a sha256 checksum. The complete request must include "
        "the checksum for each part. It was missing for part 1 in the request.",
        400,
    )
    with pytest.raises(ClientError) as wrong:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="mp",
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": parts},
            ChecksumSHA256=b64(hashlib.sha256(b"wrong").digest()),
        )
    assert error_of(wrong)[0] == "BadDigest"
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": parts},
        ChecksumSHA256=expected.partition("-")[0],  # S3 takes it with or without `-2`
    )
    again = s3.complete_multipart_upload(  # a retry, naming the composite value as it is
        Bucket=bucket,
        Key="mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": parts},
        ChecksumSHA256=expected,
    )
    assert again["ChecksumSHA256"] == expected
    assert done["ChecksumSHA256"] == expected and done["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected and head["ChecksumType"] == "COMPOSITE"


def test_full_object_checksum_of_a_multipart_upload(s3, bucket: str) -> None:
    upload = s3.create_multipart_upload(
        Bucket=bucket, Key="mp", ChecksumAlgorithm="CRC32C", ChecksumType="FULL_OBJECT"
    )
    bodies, parts = upload_two_parts(s3, bucket, "mp", upload["UploadId"], "CRC32C")
    whole = b"".join(bodies)
    with pytest.raises(ClientError) as wrong:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="mp",
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": parts},
            ChecksumCRC32C=crc32c(b"not the object"),
            ChecksumType="FULL_OBJECT",
        )
    assert error_of(wrong) == (
        "BadDigest",
        "The CRC32C you specified did not match the calculated checksum.",
        400,
    )
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": parts},
        ChecksumCRC32C=crc32c(whole),
        ChecksumType="FULL_OBJECT",
    )
    assert done["ChecksumCRC32C"] == crc32c(whole) and done["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32C"] == crc32c(whole)
    assert got["Body"].read() == whole  # botocore checks a FULL_OBJECT checksum as it reads


def test_upload_without_an_algorithm_gets_a_full_object_crc64nvme(s3, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    bodies, parts = upload_two_parts(s3, bucket, "mp", upload["UploadId"], None)
    s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    head = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == crc64nvme(b"".join(bodies))


def test_checksum_types_and_part_algorithms_are_checked(s3, bucket: str) -> None:
    with pytest.raises(ClientError) as sha_full:
        s3.create_multipart_upload(
            Bucket=bucket, Key="k", ChecksumAlgorithm="SHA1", ChecksumType="FULL_OBJECT"
        )
    assert error_of(sha_full) == (
        "InvalidRequest",
        "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.",
        400,
    )
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")
    with pytest.raises(ClientError) as other:
        s3.upload_part(
            Bucket=bucket,
            Key="k",
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=b"x",
            ChecksumAlgorithm="SHA256",
        )
    assert error_of(other) == (
        "InvalidRequest",
        "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum "
        "Type: sha256",
        400,
    )


def test_a_wrong_part_checksum_is_refused(s3, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")
    with pytest.raises(ClientError) as wrong:
        s3.upload_part(
            Bucket=bucket,
            Key="k",
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=b"part",
            ChecksumCRC32=crc32(b"other"),
        )
    assert error_of(wrong)[0] == "BadDigest"


def test_get_object_attributes(s3, bucket: str) -> None:
    body = b"attributes"
    s3.put_object(Bucket=bucket, Key="one", Body=body, ChecksumAlgorithm="SHA1")
    answer = s3.get_object_attributes(
        Bucket=bucket, Key="one", ObjectAttributes=["ETag", "Checksum", "ObjectSize"]
    )
    assert answer["ETag"] == hashlib.md5(body).hexdigest() and answer["ObjectSize"] == len(body)
    assert answer["Checksum"] == {
        "ChecksumSHA1": b64(hashlib.sha1(body).digest()),
        "ChecksumType": "FULL_OBJECT",
    }
    assert "ObjectParts" not in answer and "StorageClass" not in answer
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")
    bodies, parts = upload_two_parts(s3, bucket, "mp", upload["UploadId"], "SHA256")
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    paged = s3.get_object_attributes(
        Bucket=bucket,
        Key="mp",
        ObjectAttributes=["Checksum", "ObjectParts", "StorageClass"],
        MaxParts=1,
    )
    assert paged["Checksum"]["ChecksumSHA256"] == done["ChecksumSHA256"]
    assert paged["StorageClass"] == "STANDARD"
    listed = paged["ObjectParts"]
    assert listed["TotalPartsCount"] == 2 and listed["IsTruncated"] is True
    assert listed["Parts"] == [{"PartNumber": 1, "Size": len(bodies[0])}]
    with pytest.raises(ClientError) as unnamed:
        s3.get_object_attributes(Bucket=bucket, Key="one", ObjectAttributes=[])
    assert error_of(unnamed)[0::2] == ("InvalidRequest", 400)


def test_a_copy_takes_the_checksum_algorithm_it_names(s3, bucket: str) -> None:
    # CopyObject: "If the CopyObject request does not include this x-amz-checksum-algorithm
    # header, the checksum algorithm will be copied from the source object ... You can
    # optionally specify a different checksum algorithm" (a new checksum of the copy).
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    body = b"copied bytes"
    s3.put_object(Bucket=bucket, Key="source", Body=body, ChecksumAlgorithm="SHA256")
    source = {"Bucket": bucket, "Key": "source"}
    copied = s3.copy_object(
        Bucket=bucket, Key="crc32", CopySource=source, ChecksumAlgorithm="CRC32"
    )["CopyObjectResult"]
    assert copied["ChecksumCRC32"] == crc32(body)
    assert "ChecksumSHA256" not in copied
    head = s3.head_object(Bucket=bucket, Key="crc32", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC32"], head["ChecksumType"]) == (crc32(body), "FULL_OBJECT")
    assert "ChecksumSHA256" not in head

    s3.copy_object(Bucket=bucket, Key="same", CopySource=source)
    head = s3.head_object(Bucket=bucket, Key="same", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == b64(hashlib.sha256(body).digest())
    assert "ChecksumCRC32" not in head


def test_a_copy_refuses_an_unknown_checksum_algorithm(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(
            Bucket=bucket, Key="copy", CopySource=f"{bucket}/source", ChecksumAlgorithm="MD4"
        )
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidRequest", 400)
    assert message.startswith("Checksum algorithm provided is unsupported.")
