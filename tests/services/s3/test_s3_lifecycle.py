"""A bucket's lifecycle configuration through boto3 against a real server: kept, returned,
deleted, checked as S3 checks it, and the expiry it gives objects (`x-amz-expiration`).
Applying it, on a clock that can be moved: test_lifecycle.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int, str]:
    response = raised.value.response
    error = response["Error"]
    return error["Code"], response["ResponseMetadata"]["HTTPStatusCode"], error["Message"]


def put_rules(s3, bucket: str, *rules: dict) -> dict:
    configuration = {"Rules": [{"Status": "Enabled", **rule} for rule in rules]}
    return s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration=configuration
    )


def test_a_configuration_is_kept_and_deleted(s3, bucket: str) -> None:
    rules = [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}},
        {
            "ID": "old",
            "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "a", "Value": "b"}]}},
            "Expiration": {"Date": datetime(2030, 1, 1, tzinfo=UTC)},
            "Transitions": [{"Days": 10, "StorageClass": "GLACIER"}],
        },
        {
            "Filter": {},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 5, "NewerNoncurrentVersions": 3},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
    ]
    put = put_rules(s3, bucket, *rules)
    assert put["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    kept = got["Rules"]
    assert [rule["ID"] for rule in kept[:2]] == ["logs", "old"]
    assert kept[2]["ID"]  # S3 names a rule put without an ID
    assert kept[0] == {
        "ID": "logs",
        "Status": "Enabled",
        "Filter": {"Prefix": "logs/"},
        "Expiration": {"Days": 30},
    }
    assert kept[1]["Expiration"]["Date"] == datetime(2030, 1, 1, tzinfo=UTC)
    assert kept[1]["Filter"]["And"]["Tags"] == [{"Key": "a", "Value": "b"}]
    assert kept[1]["Transitions"] == [{"Days": 10, "StorageClass": "GLACIER"}]
    assert kept[2]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": 5,
        "NewerNoncurrentVersions": 3,
    }
    deleted = s3.delete_bucket_lifecycle(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(raised)[:2] == ("NoSuchLifecycleConfiguration", 404)


BAD_RULES = [
    ({"Status": "enabled", "Prefix": "", "Expiration": {"Days": 1}}, "MalformedXML", None),
    ({"ID": "a" * 256, "Prefix": "", "Expiration": {"Days": 1}}, "InvalidArgument", None),
    (
        {"Prefix": "", "Expiration": {"Days": 0}},
        "InvalidArgument",
        "'Days' for Expiration action must be a positive integer",
    ),
    (
        {"Prefix": "", "NoncurrentVersionExpiration": {"NoncurrentDays": 0}},
        "InvalidArgument",
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    ),
    (
        {"Prefix": "", "Expiration": {"Date": datetime(2030, 1, 1, 12, tzinfo=UTC)}},
        "InvalidArgument",
        "'Date' must be at midnight GMT",
    ),
    (
        {"Prefix": "", "Expiration": {"Days": 1, "Date": datetime(2030, 1, 1, tzinfo=UTC)}},
        "MalformedXML",
        None,
    ),
    ({"Prefix": "", "Filter": {}, "Expiration": {"Days": 1}}, "MalformedXML", None),
    ({"Expiration": {"Days": 1}}, "MalformedXML", None),
    (
        {"Filter": {"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}}, "Expiration": {"Days": 1}},
        "MalformedXML",
        None,
    ),
    ({"Prefix": ""}, "InvalidRequest", "At least one action needs to be specified in a rule"),
    (
        {
            "Filter": {"Tag": {"Key": "k", "Value": "v"}},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
        "InvalidRequest",
        None,
    ),
]


@pytest.mark.parametrize(("rule", "code", "message"), BAD_RULES)
def test_a_rule_s3_refuses(s3, bucket: str, rule: dict, code: str, message: str | None) -> None:
    with pytest.raises(ClientError) as raised:
        put_rules(s3, bucket, rule)
    assert error_of(raised)[:2] == (code, 400)
    if message is not None:
        assert error_of(raised)[2] == message
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)  # nothing kept


def test_rule_ids_are_unique(s3, bucket: str) -> None:
    rule = {"ID": "same", "Prefix": "", "Expiration": {"Days": 1}}
    with pytest.raises(ClientError) as raised:
        put_rules(s3, bucket, rule, rule)
    assert error_of(raised)[:2] == ("InvalidArgument", 400)


def test_an_object_tells_when_it_expires(s3, bucket: str) -> None:
    put_rules(
        s3, bucket, {"ID": "tmp-rule", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 3}}
    )
    put = s3.put_object(Bucket=bucket, Key="tmp/a", Body=b"x")
    assert 'rule-id="tmp-rule"' in put["Expiration"]
    head = s3.head_object(Bucket=bucket, Key="tmp/a")
    found = re.fullmatch(r'expiry-date="([^"]+)", rule-id="tmp-rule"', head["Expiration"])
    assert found is not None and found[1].endswith("00:00:00 GMT")
    expires = datetime.strptime(found[1], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    made = head["LastModified"]
    assert 3 * 86400 < (expires - made).total_seconds() <= 4 * 86400
    assert "Expiration" in s3.get_object(Bucket=bucket, Key="tmp/a")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")  # no rule expires it
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="kept")
