"""Code signing configs: which signing profiles a function's code must be signed by, and what
Lambda does with code that is not (UntrustedArtifactOnDeployment: Warn or Enforce).

Overcast keeps and answers them as Lambda does, but verifies no signature: it has no AWS
Signer, so code is deployed whatever the function's config says (as under `Warn`, without
the warning's metric).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from overcast.aws.arn import arn

ID_PREFIX = "csc-"
ID_HEX_DIGITS = 17  # Lambda's ids: `csc-` and 17 hex digits, `csc-0123456789abcdef0`
DEFAULT_POLICY = "Warn"  # CodeSigningPolicies.UntrustedArtifactOnDeployment when not given


@dataclass(frozen=True)
class CodeSigningConfig:
    """One config, as stored. `last_modified` is in Lambda's format (lambda_timestamp)."""

    config_id: str
    region: str
    account_id: str
    signing_profile_version_arns: tuple[str, ...]
    untrusted_artifact_on_deployment: str  # Warn | Enforce
    last_modified: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)  # CreateCodeSigningConfig's Tags

    @property
    def arn(self) -> str:
        return code_signing_config_arn(self.region, self.account_id, self.config_id)

    def to_record(self) -> dict:
        return {
            "config_id": self.config_id,
            "region": self.region,
            "account_id": self.account_id,
            "signing_profile_version_arns": list(self.signing_profile_version_arns),
            "untrusted_artifact_on_deployment": self.untrusted_artifact_on_deployment,
            "last_modified": self.last_modified,
            "description": self.description,
            "tags": dict(self.tags),
        }

    @classmethod
    def from_record(cls, record: dict) -> CodeSigningConfig:
        return cls(
            config_id=record["config_id"],
            region=record["region"],
            account_id=record["account_id"],
            signing_profile_version_arns=tuple(record.get("signing_profile_version_arns") or ()),
            untrusted_artifact_on_deployment=record.get("untrusted_artifact_on_deployment")
            or DEFAULT_POLICY,
            last_modified=record["last_modified"],
            description=record.get("description") or "",
            tags=dict(record.get("tags") or {}),
        )


def new_config_id() -> str:
    """A fresh id: `csc-` and 17 random lowercase hex digits."""
    return ID_PREFIX + secrets.token_hex(9)[:ID_HEX_DIGITS]


def code_signing_config_arn(region: str, account_id: str, config_id: str) -> str:
    """`arn:aws:lambda:REGION:ACCOUNT:code-signing-config:csc-...`"""
    return arn("lambda", region, account_id, f"code-signing-config:{config_id}")
