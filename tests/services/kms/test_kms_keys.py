"""KMS through boto3 against a server: the key lifecycle, aliases, policy, rotation, tags."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError


def error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_create_and_describe_by_every_name(kms) -> None:
    key = kms.create_key(Description="orders", Tags=[{"TagKey": "team", "TagValue": "a"}])
    meta = key["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT" and meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeyManager"] == "CUSTOMER" and meta["MultiRegion"] is False
    alias = f"alias/orders-{uuid.uuid4().hex[:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    alias_arn = meta["Arn"].replace(f"key/{meta['KeyId']}", alias)
    for name in (meta["KeyId"], meta["Arn"], alias, alias_arn):
        assert kms.describe_key(KeyId=name)["KeyMetadata"]["Arn"] == meta["Arn"]
    assert {"KeyId": meta["KeyId"], "KeyArn": meta["Arn"]} in kms.list_keys(Limit=1000)["Keys"]
    tags = kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"]
    assert tags == [{"TagKey": "team", "TagValue": "a"}]


def test_default_policy_and_put_policy(kms) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::000000000000:root"}
    assert policy["Statement"][0]["Action"] == "kms:*"
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]
    mine = json.dumps({"Version": "2012-10-17", "Statement": []})
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=mine)
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == mine


def test_missing_key_and_alias(kms) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(ClientError) as caught:
        kms.describe_key(KeyId=missing)
    assert error(caught) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist",
        400,
    )
    with pytest.raises(ClientError) as caught:
        kms.describe_key(KeyId="alias/nothing-here")
    assert error(caught)[1] == (
        "Alias arn:aws:kms:us-east-1:000000000000:alias/nothing-here is not found."
    )


def test_disable_enable_and_deletion_window(kms) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key_id)
    with pytest.raises(ClientError) as caught:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=6)
    assert error(caught)[0] == "ValidationException"
    scheduled = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert scheduled["KeyState"] == "PendingDeletion" and scheduled["PendingWindowInDays"] == 7
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["DeletionDate"] == scheduled["DeletionDate"]
    assert (meta["DeletionDate"] - meta["CreationDate"]).days == 7
    with pytest.raises(ClientError) as caught:
        kms.enable_key(KeyId=key_id)
    assert error(caught) == ("KMSInvalidStateException", f"{meta['Arn']} is pending deletion.", 400)
    assert kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == meta["Arn"]
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and "DeletionDate" not in meta
    with pytest.raises(ClientError) as caught:
        kms.cancel_key_deletion(KeyId=key_id)
    assert error(caught)[0] == "KMSInvalidStateException"


def test_update_key_description(kms) -> None:
    key_id = kms.create_key(Description="old")["KeyMetadata"]["KeyId"]
    kms.update_key_description(KeyId=key_id, Description="new")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new"
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with pytest.raises(ClientError) as caught:
        kms.update_key_description(KeyId=key_id, Description="later")
    assert error(caught)[0] == "KMSInvalidStateException"
    with pytest.raises(ClientError) as caught:
        kms.update_key_description(KeyId="alias/aws/s3", Description="mine")
    assert error(caught)[0] == "AccessDeniedException"


def test_alias_rules(kms) -> None:
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    name = f"alias/app-{uuid.uuid4().hex[:8]}"
    kms.create_alias(AliasName=name, TargetKeyId=first)
    with pytest.raises(ClientError) as caught:
        kms.create_alias(AliasName=name, TargetKeyId=second)
    assert error(caught) == (
        "AlreadyExistsException",
        f"An alias with the name arn:aws:kms:us-east-1:000000000000:{name} already exists",
        400,
    )
    kms.update_alias(AliasName=name, TargetKeyId=second)
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=second)["Aliases"]] == [name]
    assert kms.list_aliases(KeyId=first)["Aliases"] == []
    for reserved in ("alias/aws/mine", "alias/aws/lambda"):
        with pytest.raises(ClientError) as caught:
            kms.create_alias(AliasName=reserved, TargetKeyId=first)
        assert error(caught)[0] == "InvalidAliasNameException"
    with pytest.raises(ClientError) as caught:
        kms.create_alias(AliasName="no-prefix", TargetKeyId=first)
    assert error(caught)[0] == "ValidationException"
    kms.delete_alias(AliasName=name)
    with pytest.raises(ClientError) as caught:
        kms.delete_alias(AliasName=name)
    assert error(caught)[0] == "NotFoundException"


def test_aws_managed_key_made_on_first_use(kms) -> None:
    names = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    assert "alias/aws/secretsmanager" not in names
    meta = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    again = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
    assert again["KeyId"] == meta["KeyId"]
    entries = kms.list_aliases(KeyId=meta["KeyId"])["Aliases"]
    assert [e["AliasName"] for e in entries] == ["alias/aws/secretsmanager"]


def test_aws_managed_keys_refuse_changes(kms) -> None:
    """Only AWS changes an AWS managed key: the account may use and read it, nothing more."""
    meta = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]
    attempts = {
        "kms:DisableKey": lambda: kms.disable_key(KeyId=meta["KeyId"]),
        "kms:EnableKey": lambda: kms.enable_key(KeyId=meta["Arn"]),
        "kms:ScheduleKeyDeletion": lambda: kms.schedule_key_deletion(KeyId=meta["KeyId"]),
        "kms:CancelKeyDeletion": lambda: kms.cancel_key_deletion(KeyId=meta["KeyId"]),
        "kms:PutKeyPolicy": lambda: kms.put_key_policy(KeyId=meta["KeyId"], Policy="{}"),
        "kms:DisableKeyRotation": lambda: kms.disable_key_rotation(KeyId=meta["KeyId"]),
        "kms:TagResource": lambda: kms.tag_resource(
            KeyId=meta["KeyId"], Tags=[{"TagKey": "a", "TagValue": "b"}]
        ),
        "kms:UntagResource": lambda: kms.untag_resource(KeyId=meta["KeyId"], TagKeys=["a"]),
    }
    for action, attempt in attempts.items():
        with pytest.raises(ClientError) as caught:
            attempt()
        code, message, status = error(caught)
        assert (code, status) == ("AccessDeniedException", 400), action
        assert message.endswith(
            f"is not authorized to perform: {action} on resource: {meta['Arn']} because no "
            f"resource-based policy allows the {action} action"
        )
    after = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert (after["KeyState"], after["Enabled"]) == ("Enabled", True)
    assert kms.list_resource_tags(KeyId=meta["KeyId"])["Tags"] == []


def test_rotation_and_tags(kms) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    kms.disable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "1"}])
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "b", "TagValue": "2"}])
    kms.untag_resource(KeyId=key_id, TagKeys=["a"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    with pytest.raises(ClientError) as caught:
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "aws:x", "TagValue": "1"}])
    assert error(caught)[0] == "TagException"


def test_list_keys_pages(kms) -> None:
    for _ in range(3):
        kms.create_key()
    first = kms.list_keys(Limit=2)
    assert len(first["Keys"]) == 2 and first["Truncated"] is True
    rest = kms.list_keys(Limit=1000, Marker=first["NextMarker"])
    assert not {k["KeyId"] for k in first["Keys"]} & {k["KeyId"] for k in rest["Keys"]}
    with pytest.raises(ClientError) as caught:
        kms.list_keys(Marker="not-a-marker")
    assert error(caught)[0] == "InvalidMarkerException"
