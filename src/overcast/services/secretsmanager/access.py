"""What each Secrets Manager operation needs of IAM ("Actions, resources, and condition keys
for AWS Secrets Manager", Service Authorization Reference; "Permissions reference for AWS
Secrets Manager", Secrets Manager User Guide), and secrets' resource policies.

A secret's ARN ends in a random `-xxxxxx` suffix (`secret:db-a1b2c3`); a request names the
secret by name, ARN, or partial ARN (without the suffix). The resource is the secret's full
ARN, found with one indexed read of the store (store.facts), which also gives the keys AWS
takes from the secret itself: `secretsmanager:resource/AllowRotationLambdaArn` and the tag
keys `aws:ResourceTag/<k>` / `secretsmanager:ResourceTag/<k>`. A secret that does not exist
yet (CreateSecret) or at all has no suffix to know: it is the ARN of its name,
`secret:<name>`, which policies written `secret:<name>-*` do not cover and `secret:<name>*`
does.

Not set: `secretsmanager:KmsKeyArn` for a KmsKeyId that is not an ARN (resolving it is
KMS's business), the replica and external-rotation keys (Overcast has neither).
"""

from __future__ import annotations

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, AccessMap, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions
from overcast.services.secretsmanager.store import SqliteSecretStore

UNSCOPED = frozenset({"GetRandomPassword", "ListSecrets"})
# Operation -> (request parameter, condition key) for the keys read straight from the input.
PARAMETER_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "CreateSecret": (
        ("Name", "secretsmanager:Name"),
        ("Description", "secretsmanager:Description"),
        ("KmsKeyId", "secretsmanager:KmsKeyId"),
        ("ForceOverwriteReplicaSecret", "secretsmanager:ForceOverwriteReplicaSecret"),
    ),
    "UpdateSecret": (
        ("Description", "secretsmanager:Description"),
        ("KmsKeyId", "secretsmanager:KmsKeyId"),
    ),
    "DeleteSecret": (
        ("ForceDeleteWithoutRecovery", "secretsmanager:ForceDeleteWithoutRecovery"),
        ("RecoveryWindowInDays", "secretsmanager:RecoveryWindowInDays"),
    ),
    "GetSecretValue": (
        ("VersionId", "secretsmanager:VersionId"),
        ("VersionStage", "secretsmanager:VersionStage"),
    ),
    "UpdateSecretVersionStage": (("VersionStage", "secretsmanager:VersionStage"),),
    "PutResourcePolicy": (("BlockPublicPolicy", "secretsmanager:BlockPublicPolicy"),),
    "RotateSecret": (
        ("RotationLambdaARN", "secretsmanager:RotationLambdaARN"),
        ("RotateImmediately", "secretsmanager:RotateImmediately"),
    ),
}

Conditions = dict[str, str | list[str]]


def secretsmanager_access(store: SqliteSecretStore) -> AccessMap:
    """Secrets Manager's AccessMap over the secrets in `store`."""

    def access(operation: str, params: dict, context: RequestContext) -> Access:
        action = f"secretsmanager:{operation}"
        if operation in UNSCOPED:
            return Access.of(action)
        conditions = _parameter_conditions(operation, params)
        named = params.get("Name" if operation == "CreateSecret" else "SecretId")
        if not isinstance(named, str) or not named:
            return Access((Need(action),), conditions)
        facts = store.facts(context.region, named)
        if facts is None:
            resource = named if named.startswith("arn:") else _name_arn(named, context)
        else:
            resource = facts.arn
            conditions |= _resource_conditions(facts.rotation_lambda, facts.tags)
        if operation != "CreateSecret":
            conditions["secretsmanager:SecretId"] = resource
        return Access((Need(action, resource),), conditions)

    return access


def _name_arn(name: str, context: RequestContext) -> str:
    return arn("secretsmanager", context.region, context.account_id, f"secret:{name}")


def _parameter_conditions(operation: str, params: dict) -> Conditions:
    found: Conditions = {}
    for parameter, key in PARAMETER_KEYS.get(operation, ()):
        value = params.get(parameter)
        if isinstance(value, bool):
            found[key] = "true" if value else "false"
        elif isinstance(value, str | int):
            found[key] = str(value)
    if operation == "RotateSecret":
        modifies = "RotationRules" in params
        found["secretsmanager:ModifyRotationRules"] = "true" if modifies else "false"
    kms_key = params.get("KmsKeyId")
    if isinstance(kms_key, str) and kms_key.startswith("arn:"):
        found["secretsmanager:KmsKeyArn"] = kms_key
    tags = params.get("Tags")
    if operation in ("CreateSecret", "TagResource") and isinstance(tags, list):
        found |= tag_conditions(pairs(tags))
    if operation == "UntagResource":
        keys = params.get("TagKeys")
        found |= tag_key_conditions(keys if isinstance(keys, list) else None)
    return found


def _resource_conditions(rotation_lambda: str | None, tags: dict[str, str]) -> Conditions:
    """The keys AWS reads from the secret itself."""
    found: Conditions = {}
    if rotation_lambda:
        found["secretsmanager:resource/AllowRotationLambdaArn"] = rotation_lambda
    for key, value in tags.items():
        found[f"aws:ResourceTag/{key}"] = str(value)
        found[f"secretsmanager:ResourceTag/{key}"] = str(value)
    return found


class SecretPolicies:
    """Secrets' resource policies (PutResourcePolicy), by secret ARN: one indexed read."""

    def __init__(self, store: SqliteSecretStore) -> None:
        self.store = store

    def policy(self, resource_arn: str) -> str | None:
        parts = resource_arn.split(":", 6)
        if len(parts) != 7 or parts[2] != "secretsmanager":
            return None
        return self.store.policy(parts[3], resource_arn)
