"""What IAM's policy simulator reads from a request: the simulated principal and its
policies (named as the simulator names them), the policies given as strings, and the
ContextEntries.

Source ids, as IAM's answers show them: a managed policy by its name
(`AmazonS3ReadOnlyAccess`), an inline policy as `<user|group|role>_<entity>_<policy>`
(`role_my-role_my-policy`), policies given in the request as `PolicyInputList.1`,
`PermissionsBoundaryPolicyInputList.1` and `ResourcePolicy`. Their SourcePolicyType is
`IAM Policy`, or `Resource Policy` for the resource policy (not the enum botocore's model
lists: IAM answers these words).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from overcast.aws.credentials import Identity
from overcast.aws.policy.context import principal_keys
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import SourcePolicy
from overcast.services.iam.directory import Directory
from overcast.services.iam.errors import InvalidInput, NoSuchEntity
from overcast.services.iam.model import Group, Role, User, key_of

IDENTITY_TYPE = "IAM Policy"
RESOURCE_TYPE = "Resource Policy"
RESOURCE_POLICY_ID = "ResourcePolicy"
_ENTITY_ARN = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role)(/(?:[^/]+/)*)([^/]+)")
_LIST_TYPES = {"stringList", "numericList", "booleanList", "ipList", "binaryList", "dateList"}


@dataclass(frozen=True)
class Entity:
    """A user, group or role an ARN names, and whether IAM has it."""

    kind: str  # user, group, role
    arn: str
    name: str
    found: User | Group | Role | None


def entity_of(iam: Directory, arn: str) -> Entity:
    """The entity `arn` names (InvalidInput for anything but a user, group or role ARN)."""
    match = _ENTITY_ARN.fullmatch(arn)
    if match is None:
        raise InvalidInput(f"ARN {arn} is not valid.")
    account, kind, path, name = match.groups()
    table = {"user": iam.users, "group": iam.groups, "role": iam.roles}[kind]
    found = table.get(key_of(name)) if account == iam.account else None
    if found is not None and found.path != path:
        found = None
    return Entity(kind, arn, name, found)


def existing(iam: Directory, arn: str) -> Entity:
    """The entity `arn` names, NoSuchEntity unless IAM has it (the directory's words)."""
    entity = entity_of(iam, arn)
    if entity.found is None:
        getattr(iam, entity.kind)(entity.name)  # raises NoSuchEntity in IAM's words
        raise NoSuchEntity(f"The {entity.kind} with name {entity.name} cannot be found.")
    return entity


def caller(iam: Directory, arn: str) -> Identity:
    """The simulated caller: its ARN, and the id IAM gave it (when IAM has it)."""
    entity = entity_of(iam, arn)
    user_id = entity.found.id if entity.found is not None else arn
    return Identity(arn, iam.account, user_id)


def caller_keys(identity: Identity) -> dict[str, tuple[str, ...]]:
    """The condition keys the simulated caller brings (aws:PrincipalArn, ...); only a user
    has aws:username."""
    keys = principal_keys(identity)
    if ":user/" not in identity.arn:
        keys.pop("aws:username", None)
    return keys


def entity_policies(iam: Directory, entity: Entity) -> tuple[list[SourcePolicy], str | None]:
    """The identity policies that apply to `entity` (a user's groups' too), and the ARN of
    its permissions boundary."""
    holder = entity.found
    assert holder is not None
    sources = _holder_policies(iam, entity.kind, holder)
    if isinstance(holder, User):
        for group_key in holder.groups:
            group = iam.groups.get(group_key)
            if group is not None:
                sources += _holder_policies(iam, "group", group)
    boundary = holder.boundary if isinstance(holder, User | Role) else None
    return sources, boundary


def _holder_policies(iam: Directory, kind: str, holder: User | Group | Role) -> list[SourcePolicy]:
    sources = [
        _stored(f"{kind}_{holder.name}_{name}", text) for name, text in holder.inline.items()
    ]
    for arn in holder.attached:
        policy = iam.find_policy(arn)
        if policy is not None:
            sources.append(_stored(policy.name, policy.document))
    return sources


def managed_source(iam: Directory, arn: str) -> SourcePolicy | None:
    policy = iam.find_policy(arn)
    return _stored(policy.name, policy.document) if policy is not None else None


def _stored(source_id: str, text: str) -> SourcePolicy:
    # What IAM keeps was checked when it was stored.
    return SourcePolicy(source_id, parse_policy(text), IDENTITY_TYPE, text)


def given(
    texts: Sequence[str], list_name: str, kind: PolicyKind = PolicyKind.IDENTITY
) -> list[SourcePolicy]:
    """Policies given as strings, named `<list_name>.1`, `.2`, ..."""
    return [
        _parsed(f"{list_name}.{n}", text, kind, IDENTITY_TYPE)
        for n, text in enumerate(texts, start=1)
    ]


def resource_policy(text: str | None) -> SourcePolicy | None:
    if text is None:
        return None
    return _parsed(RESOURCE_POLICY_ID, text, PolicyKind.RESOURCE, RESOURCE_TYPE)


def _parsed(source_id: str, text: str, kind: PolicyKind, source_type: str) -> SourcePolicy:
    try:
        policy = parse_policy(text, kind)
    except MalformedPolicyDocumentError as exc:
        raise InvalidInput(f"{source_id}: {exc.message}") from exc
    return SourcePolicy(source_id, policy, source_type, text)


# --- ContextEntries ----------------------------------------------------------------------


def context_entries(entries: Sequence[dict]) -> dict[str, tuple[str, ...]]:
    """`ContextEntries` as a request context: lower-cased key -> values, each value
    checked against its ContextKeyType (InvalidInput otherwise)."""
    context: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        name = entry.get("ContextKeyName")
        kind = entry.get("ContextKeyType")
        values = tuple(entry.get("ContextKeyValues") or ())
        if not name or not kind:
            raise InvalidInput("Context entries must have a ContextKeyName and a ContextKeyType.")
        if kind not in _LIST_TYPES and len(values) > 1:
            raise InvalidInput(f"Context key {name} of type {kind} takes a single value.")
        for value in values:
            if not _valid(kind.removesuffix("List"), value):
                raise InvalidInput(f"Invalid value {value} for context key {name} of type {kind}.")
        context[name.lower()] = values
    return context


def _valid(kind: str, value: str) -> bool:
    checks = {
        "string": lambda v: True,
        "numeric": _is_number,
        "boolean": lambda v: v.lower() in ("true", "false"),
        "ip": _is_ip,
        "binary": _is_base64,
        "date": _is_date,
    }
    return checks[kind](value)


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_date(value: str) -> bool:
    if value.isdigit():  # epoch seconds
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
