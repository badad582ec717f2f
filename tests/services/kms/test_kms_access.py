"""KMS's access map: each operation's action on the key's ARN however the request names it
(id, ARN, alias, alias ARN, the ciphertext blob), the alias operations on alias and key,
the condition keys; key policies as the keys' ResourcePolicies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.kms.access import KeyPolicies, kms_access
from overcast.services.kms.api import OPERATIONS
from overcast.services.kms.ciphertext import seal
from overcast.services.kms.master_key import MasterKey
from overcast.services.kms.model import Alias
from overcast.services.kms.registry import KeyRegistry
from overcast.services.kms.store import SqliteKeyStore

# The Service Authorization Reference's actions that KMS's operations need.
REFERENCE = {
    "CancelKeyDeletion", "CreateAlias", "CreateKey", "Decrypt", "DeleteAlias", "DescribeKey",
    "DisableKey", "DisableKeyRotation", "EnableKey", "EnableKeyRotation", "Encrypt",
    "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateRandom", "GetKeyPolicy",
    "GetKeyRotationStatus", "ListAliases", "ListKeyPolicies", "ListKeys", "ListResourceTags",
    "PutKeyPolicy", "ReEncryptFrom", "ReEncryptTo", "ScheduleKeyDeletion", "TagResource",
    "UntagResource", "UpdateAlias", "UpdateKeyDescription",
}  # fmt: skip


@pytest.fixture
def registry(tmp_path: Path):
    store = SqliteKeyStore(tmp_path / "data" / "kms.db")
    master = MasterKey(tmp_path / "keys" / "master.key", tmp_path / "data", {})
    made = KeyRegistry(store, master, ACCOUNT)
    yield made
    store.close()


def _alias(registry: KeyRegistry, name: str, key_id: str) -> None:
    registry.put_alias(Alias(REGION, ACCOUNT, name, key_id, 0.0, 0.0))


def test_every_operation_has_a_mapping(registry) -> None:
    key = registry.create(REGION)
    access = kms_access(registry)
    params = {"KeyId": key.key_id, "AliasName": "alias/a", "TargetKeyId": key.key_id,
              "DestinationKeyId": key.arn, "CiphertextBlob": b"x"}  # fmt: skip
    for operation in OPERATIONS._operations:
        found = access(operation, dict(params), CONTEXT)
        check_shape(found, "kms", f"arn:aws:kms:{REGION}:{ACCOUNT}:")
        assert {n.action.split(":")[1] for n in found.needs} <= REFERENCE, operation
        assert found.conditions["kms:CallerAccount"] == ACCOUNT


def test_every_form_of_a_key_name_is_the_keys_arn(registry) -> None:
    key = registry.create(REGION)
    _alias(registry, "alias/app", key.key_id)
    access = kms_access(registry)
    for named in (key.key_id, key.arn, "alias/app", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"):
        found = access("Encrypt", {"KeyId": named, "EncryptionContext": {"a": "1"}}, CONTEXT)
        assert [(n.action, n.resource) for n in found.needs] == [("kms:Encrypt", key.arn)]
        assert found.conditions["kms:EncryptionContext:a"] == "1"
        assert found.conditions["kms:EncryptionContextKeys"] == ["a"]
        if "alias" in named:
            assert found.conditions["kms:RequestAlias"] == "alias/app"
        else:
            assert "kms:RequestAlias" not in found.conditions
    missing = access("DescribeKey", {"KeyId": "alias/none"}, CONTEXT)
    assert missing.needs[0].resource == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/none"
    assert registry.alias(REGION, "alias/aws/ssm") is None
    access("DescribeKey", {"KeyId": "alias/aws/ssm"}, CONTEXT)
    assert registry.alias(REGION, "alias/aws/ssm") is None  # asking made no managed key


def test_decrypt_and_reencrypt_find_the_key_in_the_blob(registry) -> None:
    key, other = registry.create(REGION), registry.create(REGION)
    blob = seal(key.key_id, bytes(32), b"secret", None)
    access = kms_access(registry)
    decrypt = access("Decrypt", {"CiphertextBlob": blob}, CONTEXT)
    assert [(n.action, n.resource) for n in decrypt.needs] == [("kms:Decrypt", key.arn)]
    assert decrypt.conditions["kms:EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    again = access("ReEncrypt", {"CiphertextBlob": blob, "DestinationKeyId": other.key_id}, CONTEXT)
    assert [(n.action, n.resource) for n in again.needs] == [
        ("kms:ReEncryptFrom", key.arn),
        ("kms:ReEncryptTo", other.arn),
    ]
    garbage = access("Decrypt", {"CiphertextBlob": b"not ours"}, CONTEXT)
    assert garbage.needs[0].resource == "*"


def test_alias_operations_need_the_alias_and_the_keys(registry) -> None:
    old, new = registry.create(REGION), registry.create(REGION)
    _alias(registry, "alias/app", old.key_id)
    access = kms_access(registry)
    alias = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"

    def needs(operation: str, **params: str) -> list[tuple[str, str]]:
        return [(n.action, n.resource) for n in access(operation, params, CONTEXT).needs]

    assert needs("CreateAlias", AliasName="alias/b", TargetKeyId=new.key_id) == [
        ("kms:CreateAlias", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/b"),
        ("kms:CreateAlias", new.arn),
    ]
    assert needs("UpdateAlias", AliasName="alias/app", TargetKeyId=new.key_id) == [
        ("kms:UpdateAlias", alias),
        ("kms:UpdateAlias", old.arn),
        ("kms:UpdateAlias", new.arn),
    ]
    assert needs("DeleteAlias", AliasName="alias/app") == [
        ("kms:DeleteAlias", alias),
        ("kms:DeleteAlias", old.arn),
    ]


def test_condition_keys_of_the_reference(registry) -> None:
    key = registry.create(REGION)
    access = kms_access(registry)
    created = access("CreateKey", {"Tags": [{"TagKey": "team", "TagValue": "a"}]}, CONTEXT)
    assert created.needs[0].resource == "*"
    assert created.conditions["kms:KeySpec"] == "SYMMETRIC_DEFAULT"
    assert created.conditions["kms:KeyUsage"] == "ENCRYPT_DECRYPT"
    assert created.conditions["kms:KeyOrigin"] == "AWS_KMS"
    assert created.conditions["kms:MultiRegion"] == "false"
    assert created.conditions["aws:RequestTag/team"] == "a"
    deletion = access(
        "ScheduleKeyDeletion", {"KeyId": key.key_id, "PendingWindowInDays": 7}, CONTEXT
    )
    assert deletion.conditions["kms:ScheduleKeyDeletionPendingWindowInDays"] == "7"
    put = access(
        "PutKeyPolicy", {"KeyId": key.key_id, "BypassPolicyLockoutSafetyCheck": True}, CONTEXT
    )
    assert put.conditions["kms:BypassPolicyLockoutSafetyCheck"] == "true"
    untag = access("UntagResource", {"KeyId": key.key_id, "TagKeys": ["team"]}, CONTEXT)
    assert untag.conditions["aws:TagKeys"] == ["team"]
    # Hostile shapes give an Access, never an exception.
    odd = access("TagResource", {"KeyId": 5, "Tags": "x", "EncryptionContext": []}, CONTEXT)
    assert odd.needs[0].resource == "*"


def test_key_policies_are_the_keys_policies(registry) -> None:
    policies = KeyPolicies(registry)
    assert policies.policy_required is True
    key = registry.create(REGION)
    statement = json.loads(policies.policy(key.arn) or "{}")["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert statement["Action"] == "kms:*"
    mine = json.dumps({"Version": "2012-10-17", "Statement": []})
    registry.save(key.with_(policy=mine))
    assert policies.policy(key.arn) == mine
    assert policies.policy(f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app") is None
    assert policies.policy(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/none") is None
    assert policies.policy(f"arn:aws:kms:{REGION}:999999999999:key/{key.key_id}") is None
