"""S3's access map, against the Service Authorization Reference and the API Reference's
Permissions sections: renamed actions, versions, copies, batch deletes, condition keys;
bucket policies; and the gateway asking with them."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import CONTEXT, SIGNED, check_shape, recording_client

from overcast.services.s3 import access
from overcast.services.s3.access import BucketPolicies, s3_access
from overcast.services.s3.api.service import OPERATIONS, s3_api
from overcast.services.s3.errors import NoSuchBucket

SPECIAL = {"CopyObject", "UploadPartCopy", "DeleteObjects", "GetObjectAttributes"}


def needs(operation: str, params: dict) -> list[tuple[str, str]]:
    return [(n.action, n.resource) for n in s3_access(operation, params, CONTEXT).needs]


def test_every_operation_has_a_mapping() -> None:
    assert set(OPERATIONS) - set(access.ACTIONS) - SPECIAL == set()
    params = {"Bucket": "b", "Key": "k", "CopySource": "src/k"}
    for operation in OPERATIONS:
        check_shape(s3_access(operation, dict(params), CONTEXT), "s3", "arn:aws:s3:::")


def test_renamed_and_versioned_actions() -> None:
    assert needs("ListObjectsV2", {"Bucket": "b"}) == [("s3:ListBucket", "arn:aws:s3:::b")]
    assert needs("HeadBucket", {"Bucket": "b"}) == [("s3:ListBucket", "arn:aws:s3:::b")]
    assert needs("ListBuckets", {}) == [("s3:ListAllMyBuckets", "*")]
    assert needs("HeadObject", {"Bucket": "b", "Key": "k"}) == [
        ("s3:GetObject", "arn:aws:s3:::b/k")
    ]
    versioned = s3_access("GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v"}, CONTEXT)
    assert versioned.needs[0].action == "s3:GetObjectVersion"
    assert versioned.conditions == {"s3:versionid": "v"}
    assert needs("UploadPart", {"Bucket": "b", "Key": "k"})[0][0] == "s3:PutObject"
    assert needs("ListParts", {"Bucket": "b", "Key": "k"})[0][0] == "s3:ListMultipartUploadParts"
    assert needs("DeleteBucketCors", {"Bucket": "b"})[0][0] == "s3:PutBucketCORS"
    for operation in ("PutBucketEncryption", "DeleteBucketEncryption"):
        assert needs(operation, {"Bucket": "b"})[0][0] == "s3:PutEncryptionConfiguration"
    assert needs("GetBucketEncryption", {"Bucket": "b"})[0][0] == "s3:GetEncryptionConfiguration"
    assert needs("PutBucketVersioning", {"Bucket": "b"})[0][0] == "s3:PutBucketVersioning"


def test_copies_and_batch_deletes_need_each_object() -> None:
    assert needs("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "/src/a%20b"}) == [
        ("s3:GetObject", "arn:aws:s3:::src/a b"),
        ("s3:PutObject", "arn:aws:s3:::b/k"),
    ]
    delete = {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}, {"Key": "a"}]}
    assert needs("DeleteObjects", {"Bucket": "b", "Delete": delete}) == [
        ("s3:DeleteObject", "arn:aws:s3:::b/a"),
        ("s3:DeleteObjectVersion", "arn:aws:s3:::b/b"),
    ]


def test_condition_keys() -> None:
    listing = s3_access(
        "ListObjectsV2", {"Bucket": "b", "Prefix": "p/", "Delimiter": "/", "MaxKeys": 5}, CONTEXT
    )
    assert listing.conditions == {"s3:prefix": "p/", "s3:delimiter": "/", "s3:max-keys": "5"}
    put = s3_access(
        "PutObject", {"Bucket": "b", "Key": "k", "ACL": "public-read", "Tagging": "a=1"}, CONTEXT
    )
    assert put.conditions == {
        "s3:x-amz-acl": "public-read",
        "s3:RequestObjectTag/a": "1",
        "s3:RequestObjectTagKeys": ["a"],
    }


class _Buckets:
    def get(self, name: str) -> SimpleNamespace:
        if name != "b":
            raise NoSuchBucket("The specified bucket does not exist", BucketName=name)
        return SimpleNamespace(policy='{"Statement": []}', public_access=None)


def test_bucket_policies_govern_the_bucket_and_its_objects() -> None:
    policies = BucketPolicies(type("Store", (), {"buckets": _Buckets()}))
    assert policies.policy("arn:aws:s3:::b") == '{"Statement": []}'
    assert policies.policy("arn:aws:s3:::b/some/key") == '{"Statement": []}'
    assert policies.policy("arn:aws:s3:::other") is None


def test_the_gateway_asks_with_the_mapped_access() -> None:
    buckets = type(
        "Buckets", (), {"cors_rules": lambda self, name: None, "exists": lambda self, name: True}
    )
    client, recording = recording_client([s3_api(type("Store", (), {"buckets": buckets()})())])
    response = client.get(
        "/b?list-type=2&prefix=logs/", headers={"authorization": SIGNED.format("s3")}
    )
    # S3 renders what is not an S3Error as InvalidArgument: the refusal itself is the
    # IAM authorizer's to word (S3's AccessDenied); what matters here is what was asked.
    assert response.status_code == 400
    assert [(n.action, n.resource) for n in recording.asked[0].needs] == [
        ("s3:ListBucket", "arn:aws:s3:::b")
    ]
    assert recording.asked[0].conditions == {"s3:prefix": "logs/"}
