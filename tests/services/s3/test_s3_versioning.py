"""Bucket versioning through boto3 against a real server: versions, delete markers, the
`null` version of a suspended bucket, ListObjectVersions, and what each answer says of them."""

from __future__ import annotations

import urllib.request
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError

XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def headers_of(raised: pytest.ExceptionInfo) -> dict[str, str]:
    return raised.value.response["ResponseMetadata"]["HTTPHeaders"]


def versioned(s3, bucket: str, status: str = "Enabled") -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def versions_of(s3, bucket: str, **options: object) -> list[tuple[str, str, bool, bool]]:
    """(key, version id, is latest, is a delete marker), in S3's order as far as boto3
    keeps it: it hands Versions and DeleteMarkers apart (a key's latest comes first)."""
    listed = s3.list_object_versions(Bucket=bucket, **options)
    entries = [(v, False) for v in listed.get("Versions", [])]
    entries += [(m, True) for m in listed.get("DeleteMarkers", [])]
    found = [(e["Key"], e["VersionId"], e["IsLatest"], marker) for e, marker in entries]
    return sorted(found, key=lambda entry: (entry[0], not entry[2], found.index(entry)))


def raw_listing(s3, bucket: str) -> list[tuple[str, str]]:
    """(element, version id) of each entry of ListObjectVersions' document, in its order."""
    url = s3.generate_presigned_url("list_object_versions", Params={"Bucket": bucket})
    with urllib.request.urlopen(url) as answer:
        root = ElementTree.fromstring(answer.read())
    entries = [e for e in root if e.tag.split("}")[-1] in ("Version", "DeleteMarker")]
    return [(e.tag.split("}")[-1], e.findtext(f"{{{XMLNS}}}VersionId")) for e in entries]


def test_versioning_is_enabled_then_suspended(s3, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    versioned(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    versioned(s3, bucket, "Suspended")
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert answer["Status"] == "Suspended" and "MFADelete" not in answer
    s3.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"}
    )
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert (answer["Status"], answer["MFADelete"]) == ("Enabled", "Disabled")


@pytest.mark.parametrize(
    "configuration", [{"Status": "Disabled"}, {"Status": "enabled"}, {"MFADelete": "Disabled"}]
)
def test_a_configuration_s3_does_not_take_is_malformed(
    s3, bucket: str, configuration: dict
) -> None:
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=configuration)
    assert error_of(raised) == ("MalformedXML", 400)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_mfa_delete_is_refused_without_mfa(s3, bucket: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
        )
    assert error_of(raised) == ("AccessDenied", 403)
    assert raised.value.response["Error"]["Message"] == (
        "Mfa Authentication must be used for this request"
    )
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_each_write_is_a_version(s3, bucket: str) -> None:
    versioned(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert first != second and "null" not in (first, second) and len(first) == 32
    latest = s3.get_object(Bucket=bucket, Key="k")
    assert (latest["Body"].read(), latest["VersionId"]) == (b"two", second)
    old = s3.get_object(Bucket=bucket, Key="k", VersionId=first)
    assert (old["Body"].read(), old["VersionId"]) == (b"one", first)
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=first)["ContentLength"] == 3
    copied = s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "k"})
    assert copied["CopySourceVersionId"] == second and copied["VersionId"] not in (first, second)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"three")
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="k",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    third = done["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == third
    assert versions_of(s3, bucket) == [
        ("c", copied["VersionId"], True, False),
        ("k", third, True, False),
        ("k", second, False, False),
        ("k", first, False, False),
    ]


def test_a_delete_leaves_a_marker(s3, bucket: str) -> None:
    versioned(s3, bucket)
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["VersionId"]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    marker = deleted["VersionId"]
    assert deleted["DeleteMarker"] is True and marker != kept
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(raised) == ("NoSuchKey", 404)
    assert headers_of(raised)["x-amz-delete-marker"] == "true"
    assert headers_of(raised)["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as raised:
        s3.head_object(Bucket=bucket, Key="k")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert headers_of(raised)["x-amz-delete-marker"] == "true"
    for read in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as raised:
            read(Bucket=bucket, Key="k", VersionId=marker)
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
        assert headers_of(raised)["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker)
    assert raised.value.response["Error"]["Code"] == "MethodNotAllowed"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert versions_of(s3, bucket) == [("k", marker, True, True), ("k", kept, False, False)]
    # A second delete stacks another marker; removing both by id brings the object back.
    again = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    for version in (again, marker):
        removed = s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
        assert (removed["DeleteMarker"], removed["VersionId"]) == (True, version)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"
    # A key that never existed gets a marker too.
    assert s3.delete_object(Bucket=bucket, Key="never")["DeleteMarker"] is True


def test_deleting_a_version_is_for_good(s3, bucket: str) -> None:
    versioned(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    removed = s3.delete_object(Bucket=bucket, Key="k", VersionId=second)
    assert removed["VersionId"] == second and "DeleteMarker" not in removed
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", VersionId=second)
    assert error_of(raised) == ("NoSuchVersion", 404)
    assert versions_of(s3, bucket) == [("k", first, True, False)]
    # An id S3 could not have given is refused; one it could have, but did not, is no error.
    with pytest.raises(ClientError) as raised:
        s3.delete_object(Bucket=bucket, Key="k", VersionId="9999999999999999")
    assert error_of(raised) == ("InvalidArgument", 400)
    s3.delete_object(Bucket=bucket, Key="k", VersionId=second)
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="k", VersionId="null")
    assert error_of(raised) == ("NoSuchVersion", 404)


def test_a_suspended_bucket_writes_the_null_version(s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")  # the null version, from before
    versioned(s3, bucket)
    enabled = s3.put_object(Bucket=bucket, Key="k", Body=b"enabled")["VersionId"]
    versioned(s3, bucket, "Suspended")
    s3.put_object(Bucket=bucket, Key="k", Body=b"first null")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"second null")
    assert put["VersionId"] == "null"
    read = s3.get_object(Bucket=bucket, Key="k")
    assert (read["Body"].read(), read["VersionId"]) == (b"second null", "null")
    assert versions_of(s3, bucket) == [("k", "null", True, False), ("k", enabled, False, False)]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert (deleted["DeleteMarker"], deleted["VersionId"]) == (True, "null")
    assert versions_of(s3, bucket) == [("k", "null", True, True), ("k", enabled, False, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=enabled)["Body"].read() == b"enabled"
    # S3's document lists versions and delete markers in one sequence, newest first.
    versioned(s3, bucket)
    revived = s3.copy_object(
        Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": enabled}
    )
    assert raw_listing(s3, bucket) == [
        ("Version", revived["VersionId"]),
        ("DeleteMarker", "null"),
        ("Version", enabled),
    ]


def test_list_object_versions_pages_by_key_and_version(s3, bucket: str) -> None:
    versioned(s3, bucket)
    for key in ("a", "b/1", "b/2", "c"):
        for round_ in range(2):
            s3.put_object(Bucket=bucket, Key=key, Body=f"{key}{round_}".encode())
    s3.delete_object(Bucket=bucket, Key="c")
    every = versions_of(s3, bucket)
    assert [(key, latest, marker) for key, _, latest, marker in every] == [
        ("a", True, False),
        ("a", False, False),
        ("b/1", True, False),
        ("b/1", False, False),
        ("b/2", True, False),
        ("b/2", False, False),
        ("c", True, True),
        ("c", False, False),
        ("c", False, False),
    ]
    first = s3.list_object_versions(Bucket=bucket, MaxKeys=3)
    assert first["IsTruncated"] and first["NextKeyMarker"] == "b/1"
    assert first["NextVersionIdMarker"] == every[2][1]
    rest = s3.list_object_versions(
        Bucket=bucket,
        MaxKeys=3,
        KeyMarker=first["NextKeyMarker"],
        VersionIdMarker=first["NextVersionIdMarker"],
    )
    assert [v["VersionId"] for v in rest["Versions"]] == [v[1] for v in every[3:6]]
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, MaxKeys=2)
    listed = [
        v["VersionId"]
        for page in pages
        for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
    ]
    assert sorted(listed) == sorted(v[1] for v in every) and len(listed) == len(every)
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/", Prefix="")
    assert rolled["CommonPrefixes"] == [{"Prefix": "b/"}]
    assert {v["Key"] for v in rolled["Versions"]} == {"a", "c"}
    after_a = versions_of(s3, bucket, KeyMarker="a")
    assert after_a[0][0] == "b/1"


def test_delete_objects_names_versions(s3, bucket: str) -> None:
    versioned(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    answer = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "k", "VersionId": first}, {"Key": "k"}]},
    )
    removed, marked = answer["Deleted"]
    assert removed == {"Key": "k", "VersionId": first}
    assert marked["DeleteMarker"] is True and marked["DeleteMarkerVersionId"]
    (latest, version) = versions_of(s3, bucket)
    assert latest == ("k", marked["DeleteMarkerVersionId"], True, True)
    answer = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "k", "VersionId": marked["DeleteMarkerVersionId"]}]},
    )
    (entry,) = answer["Deleted"]
    assert entry["DeleteMarker"] is True
    assert entry["DeleteMarkerVersionId"] == marked["DeleteMarkerVersionId"]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"


def test_copy_names_its_source_version(s3, bucket: str) -> None:
    versioned(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    # Copying an earlier version over its key restores it.
    restored = s3.copy_object(
        Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": first}
    )
    assert restored["CopySourceVersionId"] == first
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as raised:
        s3.copy_object(
            Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "k", "VersionId": marker}
        )
    assert error_of(raised) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as raised:
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "k"})
    assert error_of(raised) == ("NoSuchKey", 404)


def test_object_tags_of_a_version(s3, bucket: str) -> None:
    versioned(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one", Tagging="v=1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"two", Tagging="v=2")
    tags = s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)
    assert tags["TagSet"] == [{"Key": "v", "Value": "1"}] and tags["VersionId"] == first
    s3.put_object_tagging(
        Bucket=bucket, Key="k", VersionId=first, Tagging={"TagSet": [{"Key": "v", "Value": "x"}]}
    )
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "v", "Value": "2"}]
    tags = s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"]
    assert tags == [{"Key": "v", "Value": "x"}]


def test_a_bucket_is_not_empty_while_versions_remain(s3, bucket: str) -> None:
    versioned(s3, bucket)
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as raised:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(raised) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    with pytest.raises(ClientError) as raised:
        s3.delete_bucket(Bucket=bucket)  # the marker alone still counts
    assert error_of(raised) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    s3.delete_bucket(Bucket=bucket)
