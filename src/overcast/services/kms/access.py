"""What each KMS operation needs of IAM ("Actions, resources, and condition keys for AWS Key
Management Service", Service Authorization Reference; "AWS KMS condition keys", KMS
Developer Guide), and the key policies that must allow it.

A request names a key by key id, key ARN, alias name or alias ARN; the resource is always the
key's ARN (`arn:aws:kms:R:A:key/<id>`), aliases resolved through the registry (a dict read,
no store). "You can't use an alias to identify a KMS key in the Resource element": an alias
ARN is a resource only for the alias operations, which need their action on the alias and on
the key (UpdateAlias: on the old and the new key too). An alias that names no key yet is left
as its ARN: the identity's policies judge it, and the operation then answers NotFound.

Decrypt names no key: its ciphertext blob does (ciphertext.py), as KMS's symmetric blobs do.
ReEncrypt needs `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the
destination. Its two encryption contexts cannot both be one request's
`kms:EncryptionContext:` keys, so ReEncrypt sets none (a policy requiring them refuses).

Key policies (`KeyPolicies`) must allow each request themselves (`policy_required`): "No
IAM policy alone gives access to a KMS key unless the key policy allows it"; the default
key policy's `arn:aws:iam::ACCT:root` statement delegates to IAM policies.

An AWS managed alias (`alias/aws/ssm`) that names no key yet gets its key when a
cryptographic operation names it, before the request is judged, so the key's own policy (AWS's
for managed keys: use through the service only) judges it, as it judges every later use.

Not set here: `kms:ViaService`: requests to this API come from their callers directly. The
services that use keys for their callers (Parameter Store, Secrets Manager) reach KMS
in-process and are authorized with it set (service_keys.py).
Nor `kms:GrantConstraintType` and the grant keys (no grants), `kms:ResourceAliases`.
"""

from __future__ import annotations

import re

from overcast.aws.authorizer import Access, AccessMap, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions
from overcast.services.kms.ciphertext import parse
from overcast.services.kms.errors import InvalidCiphertextException, NotFoundException
from overcast.services.kms.model import alias_arn, key_arn
from overcast.services.kms.registry import MANAGED_ALIASES, KeyRegistry

# No resource in the reference: granted on `*`.
UNSCOPED = frozenset({"CreateKey", "GenerateRandom", "ListAliases", "ListKeys"})
ALIAS_OPERATIONS = frozenset({"CreateAlias", "DeleteAlias", "UpdateAlias"})
# Operations whose EncryptionContext the kms:EncryptionContext keys describe.
WITH_CONTEXT = frozenset(
    {"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"}
)
# The operations that use a key's material (and so make an AWS managed key on first use).
CRYPTOGRAPHIC = WITH_CONTEXT | {"ReEncrypt"}
# The request parameter each operation's numeric or boolean condition key reads.
PARAMETER_KEYS = {
    "ScheduleKeyDeletion": ("PendingWindowInDays", "kms:ScheduleKeyDeletionPendingWindowInDays"),
    "EnableKeyRotation": ("RotationPeriodInDays", "kms:RotationPeriodInDays"),
    "PutKeyPolicy": ("BypassPolicyLockoutSafetyCheck", "kms:BypassPolicyLockoutSafetyCheck"),
}
_ARN = re.compile(r"arn:aws:kms:([a-z0-9-]+):(\d{12}):((?:key|alias)/.+)")

Conditions = dict[str, str | list[str]]


def kms_access(registry: KeyRegistry) -> AccessMap:
    """KMS's AccessMap over the keys and aliases of `registry`."""

    def access(operation: str, params: dict, context: RequestContext) -> Access:
        account = context.identity.account_id if context.identity else context.account_id
        conditions: Conditions = {"kms:CallerAccount": account}
        if operation in UNSCOPED:
            if operation == "CreateKey":
                conditions |= _create_key_conditions(params)
            return Access((Need(f"kms:{operation}"),), conditions)
        keys = _Keys(registry, context)
        if operation in CRYPTOGRAPHIC:
            for named in (params.get("KeyId"), params.get("DestinationKeyId")):
                keys.make_managed(named)
        if operation in ALIAS_OPERATIONS:
            return Access(_alias_needs(operation, params, keys), conditions)
        if operation == "ReEncrypt":
            source = params.get("SourceKeyId") or keys.in_blob(params.get("CiphertextBlob"))
            needs = (
                Need("kms:ReEncryptFrom", keys.resource(source)),
                Need("kms:ReEncryptTo", keys.resource(params.get("DestinationKeyId"))),
            )
            return Access(needs, conditions | _request_alias(params.get("DestinationKeyId")))
        # Every other operation acts on the key KeyId names (Decrypt: else its blob's key),
        # as kms:<the operation's name>.
        named = params.get("KeyId")
        if operation == "Decrypt" and not named:
            named = keys.in_blob(params.get("CiphertextBlob"))
        conditions |= _request_alias(named) | _operation_conditions(operation, params)
        return Access((Need(f"kms:{operation}", keys.resource(named)),), conditions)

    return access


class _Keys:
    """The ARNs a request's key names resolve to, in the request's Region."""

    def __init__(self, registry: KeyRegistry, context: RequestContext) -> None:
        self.registry = registry
        self.region = context.region
        self.account = registry.account_id

    def resource(self, named: object) -> str:
        """The key's ARN; an alias that names no key as the alias's ARN; `*` for no name."""
        if not isinstance(named, str) or not named:
            return "*"
        found = _ARN.fullmatch(named)
        if found is not None:
            region, account, resource = found.groups()
            if not resource.startswith("alias/"):
                return named
            return self._alias_target(region, account, resource)
        if named.startswith("alias/"):
            return self._alias_target(self.region, self.account, named)
        return key_arn(self.region, self.account, named)

    def alias(self, name: object) -> str:
        """An AliasName as the alias's ARN."""
        text = str(name or "")
        found = _ARN.fullmatch(text)
        return text if found is not None else alias_arn(self.region, self.account, text)

    def target_of(self, name: object) -> str | None:
        """The ARN of the key an existing alias points to."""
        alias = self.registry.alias(self.region, str(name or ""))
        return key_arn(self.region, self.account, alias.key_id) if alias else None

    def make_managed(self, named: object) -> None:
        """Make the AWS managed key an alias name or alias ARN names, if it does not exist."""
        if not isinstance(named, str):
            return
        found = _ARN.fullmatch(named)
        name = found.group(3) if found is not None else named
        if name in MANAGED_ALIASES:
            try:
                self.registry.find(self.region, named)
            except NotFoundException:
                return  # another Region's or account's: the operation answers for it

    def in_blob(self, blob: object) -> str | None:
        """The key id a ciphertext blob carries; None for what is not a blob of ours."""
        if not isinstance(blob, bytes):
            return None
        try:
            return key_arn(self.region, self.account, parse(blob).key_id)
        except InvalidCiphertextException:
            return None

    def _alias_target(self, region: str, account: str, name: str) -> str:
        alias = self.registry.alias(region, name) if account == self.account else None
        if alias is None:
            return alias_arn(region, account, name)
        return key_arn(region, account, alias.key_id)


def _alias_needs(operation: str, params: dict, keys: _Keys) -> tuple[Need, ...]:
    """The alias operations' action on the alias and on each key it touches ("Controlling
    access to aliases", KMS Developer Guide)."""
    action = f"kms:{operation}"
    name = params.get("AliasName")
    needs = [Need(action, keys.alias(name))]
    current = keys.target_of(name)
    if operation != "CreateAlias" and current is not None:
        needs.append(Need(action, current))
    if operation != "DeleteAlias":
        target = keys.resource(params.get("TargetKeyId"))
        if target != current:
            needs.append(Need(action, target))
    return tuple(needs)


def _request_alias(named: object) -> Conditions:
    """`kms:RequestAlias`: the alias name a request names its key by."""
    if not isinstance(named, str):
        return {}
    found = _ARN.fullmatch(named)
    name = found.group(3) if found is not None else named
    return {"kms:RequestAlias": name} if name.startswith("alias/") else {}


def _operation_conditions(operation: str, params: dict) -> Conditions:
    found: Conditions = {}
    if operation in WITH_CONTEXT:
        context = params.get("EncryptionContext")
        found = context_conditions(context if isinstance(context, dict) else {})
        found["kms:EncryptionAlgorithm"] = str(
            params.get("EncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
        )
    if operation == "TagResource":
        found |= tag_conditions(_tags(params))
    if operation == "UntagResource":
        found |= tag_key_conditions(params.get("TagKeys"))
    if operation in PARAMETER_KEYS:
        parameter, key = PARAMETER_KEYS[operation]
        if parameter in params:
            found[key] = _text(params[parameter])
    return found


def context_conditions(context: dict) -> Conditions:
    """`kms:EncryptionContext:<key>` for each pair of an EncryptionContext, and
    `kms:EncryptionContextKeys` (when it has any)."""
    found: Conditions = {f"kms:EncryptionContext:{k}": str(v) for k, v in context.items()}
    if context:
        found["kms:EncryptionContextKeys"] = list(context)
    return found


def _create_key_conditions(params: dict) -> Conditions:
    """CreateKey's keys, each with KMS's default where the request leaves it out."""
    spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    found: Conditions = {
        "kms:KeySpec": str(spec),
        "kms:KeyUsage": str(params.get("KeyUsage") or "ENCRYPT_DECRYPT"),
        "kms:KeyOrigin": str(params.get("Origin") or "AWS_KMS"),
        "kms:MultiRegion": _text(bool(params.get("MultiRegion"))),
        "kms:BypassPolicyLockoutSafetyCheck": _text(
            bool(params.get("BypassPolicyLockoutSafetyCheck"))
        ),
    }
    return found | tag_conditions(_tags(params))


def _tags(params: dict) -> dict[str, str]:
    tags = params.get("Tags")
    return pairs(tags if isinstance(tags, list) else None, "TagKey", "TagValue")


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


class KeyPolicies:
    """Keys' key policies, by key ARN: every key has one (the default grants the account's
    root `kms:*`). They must allow each request themselves (`policy_required`)."""

    policy_required = True

    def __init__(self, registry: KeyRegistry) -> None:
        self.registry = registry

    def policy(self, resource_arn: str) -> str | None:
        found = _ARN.fullmatch(resource_arn)
        if found is None or found.group(2) != self.registry.account_id:
            return None
        region, _, resource = found.groups()
        if not resource.startswith("key/"):
            return None  # an alias: it has no policy of its own
        key = self.registry.by_id(region, resource.removeprefix("key/"))
        return key.policy if key is not None else None
