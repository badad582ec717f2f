"""Secrets Manager's access map: each operation's action on the secret's full ARN (however the
request names it), the keys of the request and of the secret; resource policies by ARN."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.secretsmanager.access import SecretPolicies, secretsmanager_access
from overcast.services.secretsmanager.api import OPERATIONS
from overcast.services.secretsmanager.store import SqliteSecretStore

SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/db-a1B2c3"
# The Service Authorization Reference's actions that Secrets Manager's operations need.
REFERENCE = {
    "CancelRotateSecret", "CreateSecret", "DeleteResourcePolicy", "DeleteSecret",
    "DescribeSecret", "GetRandomPassword", "GetResourcePolicy", "GetSecretValue",
    "ListSecretVersionIds", "ListSecrets", "PutResourcePolicy", "PutSecretValue",
    "RestoreSecret", "RotateSecret", "TagResource", "UntagResource", "UpdateSecret",
    "UpdateSecretVersionStage",
}  # fmt: skip
POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


@pytest.fixture
def store(tmp_path: Path):
    made = SqliteSecretStore(tmp_path / "overcast.db")
    made.put(
        REGION,
        {
            "arn": SECRET,
            "name": "app/db",
            "tags": {"team": "a"},
            "rotation": {"lambda_arn": "arn:aws:lambda:eu-west-1:123456789012:function:rot"},
            "policy": POLICY,
        },
    )
    made.put(REGION, {"arn": SECRET[:-7] + "x-Zz9Yy8", "name": "app/dbx", "tags": {}})
    yield made
    made.close()


def test_every_operation_has_a_mapping(store) -> None:
    access = secretsmanager_access(store)
    for operation in OPERATIONS._operations:
        found = access(operation, {"SecretId": "app/db", "Name": "new"}, CONTEXT)
        check_shape(found, "secretsmanager", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:")
        assert {n.action.split(":")[1] for n in found.needs} <= REFERENCE, operation


def test_a_secret_is_its_full_arn_however_named(store) -> None:
    access = secretsmanager_access(store)
    for named in ("app/db", SECRET, SECRET[:-7]):
        found = access("GetSecretValue", {"SecretId": named, "VersionStage": "AWSCURRENT"}, CONTEXT)
        assert [(n.action, n.resource) for n in found.needs] == [
            ("secretsmanager:GetSecretValue", SECRET)
        ]
        assert found.conditions == {
            "secretsmanager:SecretId": SECRET,
            "secretsmanager:VersionStage": "AWSCURRENT",
            "secretsmanager:resource/AllowRotationLambdaArn": (
                "arn:aws:lambda:eu-west-1:123456789012:function:rot"
            ),
            "aws:ResourceTag/team": "a",
            "secretsmanager:ResourceTag/team": "a",
        }
    # A partial ARN does not match another secret whose name only starts alike.
    other = access("DescribeSecret", {"SecretId": SECRET[:-7] + "x"}, CONTEXT)
    assert other.needs[0].resource == SECRET[:-7] + "x-Zz9Yy8"
    unknown = access("DescribeSecret", {"SecretId": "nope"}, CONTEXT)
    assert unknown.needs[0].resource == (f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:nope")


def test_request_keys_of_the_reference(store) -> None:
    access = secretsmanager_access(store)
    created = access(
        "CreateSecret",
        {"Name": "new", "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
         "Tags": [{"Key": "team", "Value": "b"}]},
        CONTEXT,
    )  # fmt: skip
    assert created.needs[0].resource == f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:new"
    assert created.conditions == {
        "secretsmanager:Name": "new",
        "secretsmanager:KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "secretsmanager:KmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "aws:RequestTag/team": "b",
        "aws:TagKeys": ["team"],
    }
    deleted = access("DeleteSecret", {"SecretId": "app/db", "RecoveryWindowInDays": 7}, CONTEXT)
    assert deleted.conditions["secretsmanager:RecoveryWindowInDays"] == "7"
    rotated = access("RotateSecret", {"SecretId": "app/db", "RotateImmediately": False}, CONTEXT)
    assert rotated.conditions["secretsmanager:RotateImmediately"] == "false"
    assert rotated.conditions["secretsmanager:ModifyRotationRules"] == "false"
    assert access("ListSecrets", {}, CONTEXT).needs[0].resource == "*"


def test_resource_policies_are_the_stored_policies(store) -> None:
    policies = SecretPolicies(store)
    assert policies.policy(SECRET) == POLICY
    assert policies.policy(SECRET[:-7] + "x-Zz9Yy8") is None
    assert policies.policy(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:none") is None
    assert policies.policy("*") is None
