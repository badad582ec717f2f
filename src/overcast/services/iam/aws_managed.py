"""AWS managed policies (`arn:aws:iam::aws:policy/...`): they exist in every account without
being created, with AWS's own documents, ids, paths and default versions.

The data file holds those that Lambda projects name (execution roles, the common services'
full and read-only access, AdministratorAccess). It was taken from the zoph-io/MAMIP
repository (https://github.com/zoph-io/MAMIP, commit 0387244e, 2026-03-07), which records
what IAM's ListPolicies and GetPolicyVersion answer for every AWS managed policy: each
entry's PolicyId, Path, DefaultVersionId, CreateDate and UpdateDate are ListPolicies', its
Document and VersionCreateDate GetPolicyVersion's of the default version. Only the default
version is kept: older versions of AWS's policies are not recorded there. ReadOnlyAccess and
the like are left out for their size.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path

from overcast.services.iam.model import ManagedPolicy, Version

DATA = Path(__file__).with_name("aws_managed_policies.json")
AWS_ACCOUNT = "aws"


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@cache
def aws_managed_policies() -> dict[str, ManagedPolicy]:
    """AWS's managed policies by ARN."""
    policies = {}
    for entry in json.loads(DATA.read_text()):
        version = entry["DefaultVersionId"]
        document = json.dumps(entry["Document"], indent=4)
        policy = ManagedPolicy(
            name=entry["PolicyName"],
            path=entry["Path"],
            id=entry["PolicyId"],
            account=AWS_ACCOUNT,
            created=_seconds(entry["CreateDate"]),
            updated=_seconds(entry["UpdateDate"]),
            default_version=version,
            versions={version: Version(document, _seconds(entry["VersionCreateDate"]))},
            next_version=int(version[1:]) + 1,
        )
        assert policy.arn == entry["Arn"], entry["Arn"]
        policies[policy.arn] = policy
    return policies
