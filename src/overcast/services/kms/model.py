"""A KMS key and an alias as KMS keeps them, and the metadata DescribeKey shows.

Only symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS origin) exist
here. A key's material is never in these values: the store keeps it sealed under the
master key (master_key.py) in its own column.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum


class KeyState(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PENDING_DELETION = "PendingDeletion"


class KeyManager(StrEnum):
    CUSTOMER = "CUSTOMER"
    AWS = "AWS"  # the account's AWS managed keys (alias/aws/lambda, ...)


def key_arn(region: str, account_id: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:key/{key_id}"


def alias_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:{name}"


def default_policy(account_id: str) -> str:
    """The default key policy KMS gives a key created without one: the account (its IAM
    policies) may do everything with it."""
    document = {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    return json.dumps(document, indent=2)


# kms:ViaService's service for each AWS managed key whose service is not its alias's name.
_VIA = {"ebs": "ec2"}


def managed_policy(service: str, region: str, account_id: str) -> str:
    """The key policy AWS gives the AWS managed key of `service` (`alias/aws/<service>`): every
    principal of the account may use it through that service, and only so; the account may
    read its metadata ("Key policy of the AWS managed key", Secrets Manager User Guide, whose
    example is `aws/secretsmanager`'s; other services' keys read alike). Nobody, the account's
    root included, may use it directly or change it."""
    via = f"{_VIA.get(service, service)}.{region}.amazonaws.com"
    through = f"Allow access through {service} for all principals in the account that are "
    through += f"authorized to use {service}"
    document = {
        "Version": "2012-10-17",
        "Id": f"auto-{service}-2",
        "Statement": [
            {
                "Sid": through,
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:CreateGrant",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": via}
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }
    return json.dumps(document, indent=2)


@dataclass(frozen=True)
class Key:
    region: str
    account_id: str
    key_id: str
    created: float  # epoch seconds
    policy: str
    description: str = ""
    state: KeyState = KeyState.ENABLED
    manager: KeyManager = KeyManager.CUSTOMER
    deletion_date: float | None = None
    pending_window_days: int | None = None
    rotation_enabled: bool = False
    rotation_period_days: int | None = None
    rotation_enabled_at: float | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return key_arn(self.region, self.account_id, self.key_id)

    def metadata(self) -> dict:
        """KeyMetadata as DescribeKey and CreateKey answer it."""
        return {
            "AWSAccountId": self.account_id,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": self.created,
            "Enabled": self.state is KeyState.ENABLED,
            "Description": self.description,
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": self.state.value,
            "DeletionDate": self.deletion_date,
            "PendingDeletionWindowInDays": self.pending_window_days,
            "Origin": "AWS_KMS",
            "KeyManager": self.manager.value,
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        }

    def to_record(self) -> str:
        record = asdict(self)
        record["state"] = self.state.value
        record["manager"] = self.manager.value
        return json.dumps(record)

    @classmethod
    def from_record(cls, doc: str) -> Key:
        record = json.loads(doc)
        record["state"] = KeyState(record["state"])
        record["manager"] = KeyManager(record["manager"])
        return cls(**record)

    def with_(self, **changes: object) -> Key:
        return replace(self, **changes)


@dataclass(frozen=True)
class Alias:
    region: str
    account_id: str
    name: str  # alias/...
    key_id: str
    created: float
    updated: float

    @property
    def arn(self) -> str:
        return alias_arn(self.region, self.account_id, self.name)

    def entry(self) -> dict:
        """An AliasListEntry."""
        return {
            "AliasName": self.name,
            "AliasArn": self.arn,
            "TargetKeyId": self.key_id,
            "CreationDate": self.created,
            "LastUpdatedDate": self.updated,
        }
