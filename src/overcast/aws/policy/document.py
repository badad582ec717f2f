"""Policy documents: parsed and validated once, as IAM does when a policy is stored.

Three kinds of document share the grammar ("IAM JSON policy element reference"):
identity-based policies (no Principal), resource-based policies (Principal or
NotPrincipal required) and role trust policies (a Principal, and no Resource). An invalid
document raises `MalformedPolicyDocumentError` with IAM's message, checked in the order
IAM checks (syntax, version, legacy parsing, Sid uniqueness, actions, resources).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from overcast.aws.policy.conditions import OPERATORS, Condition, parse_operator
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.principals import Principals, parse_principals

VERSIONS = ("2012-10-17", "2008-10-17")
CURRENT_VERSION = "2012-10-17"
_TOP = {"Version", "Id", "Statement"}
_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_PRINCIPAL_ELEMENTS = {"Principal", "NotPrincipal"}
_VENDOR = re.compile(r"^[A-Za-z0-9.\-]+$")

SYNTAX = "Syntax errors in policy."
# Text that is not a JSON object (as Terraform users quote IAM's answer to a malformed file).
INVALID_JSON = "This policy contains invalid Json"
LEGACY = "The policy failed legacy parsing"


class PolicyKind(StrEnum):
    IDENTITY = "identity"  # attached to a user, group or role; a boundary; a session policy
    RESOURCE = "resource"  # a function's, a queue's, a bucket's policy
    TRUST = "trust"  # a role's AssumeRolePolicyDocument


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True)
class Statement:
    effect: Effect
    actions: tuple[str, ...]  # lower-cased patterns
    not_action: bool  # the patterns are NotAction's
    resources: tuple[str, ...] = ("*",)  # a trust policy's statements apply to the role
    not_resource: bool = False
    principals: Principals | None = None  # None in identity-based policies
    not_principal: bool = False
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None
    index: int = 0  # position in the document, for SimulatePolicy's MatchedStatements


@dataclass(frozen=True)
class Policy:
    version: str
    statements: tuple[Statement, ...]
    kind: PolicyKind
    id: str | None = None

    @property
    def variables(self) -> bool:
        """Policy variables exist only in version 2012-10-17 (older ones read `${...}`
        literally)."""
        return self.version == CURRENT_VERSION


def parse_policy(
    text: str, kind: PolicyKind = PolicyKind.IDENTITY, *, require_current_version: bool = False
) -> Policy:
    """Parse and validate a document (cached by text: stored policies are parsed once).

    `require_current_version` is for managed policies, which IAM accepts only in version
    2012-10-17; inline policies may still say 2008-10-17 or omit the version.
    """
    return _parse(text, kind, require_current_version)


@lru_cache(maxsize=2048)
def _parse(text: str, kind: PolicyKind, require_current_version: bool) -> Policy:
    document = _load(text)
    raw = _statements(document)
    if kind is PolicyKind.IDENTITY and any(_PRINCIPAL_ELEMENTS & s.keys() for s in raw):
        raise MalformedPolicyDocumentError("Policy document should not specify a principal.")
    for statement in raw:
        _check_syntax(statement, kind)
    version = document.get("Version", "2008-10-17")
    if require_current_version and version != CURRENT_VERSION:
        raise MalformedPolicyDocumentError("Policy document must be version 2012-10-17 or greater.")
    for statement in raw:
        _check_legacy(statement)
    _check_sids(raw)
    _check_required(raw, kind)
    for statement in raw:
        _check_resources(statement)
        _check_actions(statement)
    statements = tuple(_statement(s, index, kind) for index, s in enumerate(raw))
    return Policy(version, statements, kind, document.get("Id"))


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _load(text: str) -> dict:
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, TypeError, RecursionError):
        raise MalformedPolicyDocumentError(INVALID_JSON) from None
    if not isinstance(document, dict):
        raise MalformedPolicyDocumentError(INVALID_JSON)
    if not document.keys() <= _TOP:
        raise MalformedPolicyDocumentError(SYNTAX)
    if "Version" in document and document["Version"] not in VERSIONS:
        raise MalformedPolicyDocumentError(SYNTAX)
    if "Id" in document and not isinstance(document["Id"], str):
        raise MalformedPolicyDocumentError(SYNTAX)
    return document


def _statements(document: dict) -> list[dict]:
    found = document.get("Statement")
    raw = [found] if isinstance(found, dict) else found
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise MalformedPolicyDocumentError(SYNTAX)
    return raw


def _strings(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_syntax(statement: dict, kind: PolicyKind) -> None:
    allowed = _ELEMENTS | (_PRINCIPAL_ELEMENTS if kind is not PolicyKind.IDENTITY else set())
    keys = statement.keys()
    if not keys <= allowed or len(keys & _PRINCIPAL_ELEMENTS) > 1:
        raise MalformedPolicyDocumentError(SYNTAX)
    if {"Action", "NotAction"} <= keys or {"Resource", "NotResource"} <= keys:
        raise MalformedPolicyDocumentError(SYNTAX)
    effect = statement.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        raise MalformedPolicyDocumentError(SYNTAX)
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        if element in statement and not _strings(statement[element]):
            raise MalformedPolicyDocumentError(SYNTAX)
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise MalformedPolicyDocumentError(SYNTAX)
    condition = statement.get("Condition", {})
    if not isinstance(condition, dict):
        raise MalformedPolicyDocumentError(SYNTAX)
    for block in condition.values():
        if not isinstance(block, dict) or not all(_scalars(v) for v in block.values()):
            raise MalformedPolicyDocumentError(SYNTAX)


def _scalars(value: Any) -> bool:
    # Condition values: a string, number or boolean, or a list of them.
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, str | bool | int | float) for item in items)


def _check_legacy(statement: dict) -> None:
    # Legacy parsing is case-sensitive where syntax checking is not ("allow" passes the
    # first and fails here), and rejects operators it does not know.
    if statement["Effect"] not in ("Allow", "Deny"):
        raise MalformedPolicyDocumentError(LEGACY)
    for operator, block in statement.get("Condition", {}).items():
        if parse_operator(operator) is None and block:
            raise MalformedPolicyDocumentError(LEGACY)


def _check_sids(raw: list[dict]) -> None:
    sids = [s["Sid"] for s in raw if s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise MalformedPolicyDocumentError("Statement IDs (SID) in a single policy must be unique.")


def _check_required(raw: list[dict], kind: PolicyKind) -> None:
    for statement in raw:
        if not statement.get("Action", statement.get("NotAction")):
            raise MalformedPolicyDocumentError("Policy statement must contain actions.")
    for statement in raw:
        if kind is PolicyKind.TRUST:
            for element in ("Resource", "NotResource"):
                if element in statement:
                    raise MalformedPolicyDocumentError(f"Has prohibited field {element}")
        elif not statement.get("Resource", statement.get("NotResource")):
            raise MalformedPolicyDocumentError("Policy statement must contain resources.")
        if kind is not PolicyKind.IDENTITY and not _PRINCIPAL_ELEMENTS & statement.keys():
            raise MalformedPolicyDocumentError("Missing required field Principal")


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _check_resources(statement: dict) -> None:
    for resource in _as_tuple(statement.get("Resource", statement.get("NotResource", []))):
        _check_resource(resource)


def _check_resource(resource: str) -> None:
    if resource == "*" or resource.startswith("${"):
        return
    parts = resource.split(":", 5)
    if len(parts) < 2:
        raise MalformedPolicyDocumentError(f'Resource {resource} must be in ARN format or "*".')
    if parts[0] != "arn" or len(parts) < 3 or not parts[2] or "*" in parts[2]:
        # `arn:aws:*:...`: IAM wants the service named in full.
        raise MalformedPolicyDocumentError(
            "Resource vendor must be fully qualified and cannot contain regexes."
        )
    if parts[2] == "iam" and len(parts) > 3 and parts[3] not in ("", "*"):
        raise MalformedPolicyDocumentError(
            f"IAM resource {resource} cannot contain region information."
        )


def _check_actions(statement: dict) -> None:
    for action in _as_tuple(statement.get("Action", statement.get("NotAction", []))):
        _check_vendor(action)
    for block in statement.get("Condition", {}).values():
        for key in block:
            if ":" not in key:
                raise MalformedPolicyDocumentError(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
                )


def _check_vendor(action: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        raise MalformedPolicyDocumentError(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        )
    if len(parts) > 2:
        raise MalformedPolicyDocumentError("Actions/Condition can contain only one colon.")
    if "*" in parts[0] or "?" in parts[0]:
        raise MalformedPolicyDocumentError(
            "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"
        )
    if not _VENDOR.match(parts[0]):
        raise MalformedPolicyDocumentError(f"Vendor {parts[0]} is not valid")


def _statement(raw: dict, index: int, kind: PolicyKind) -> Statement:
    not_action = "NotAction" in raw
    actions = _as_tuple(raw["NotAction" if not_action else "Action"])
    not_resource = "NotResource" in raw
    resources = _as_tuple(raw.get("NotResource" if not_resource else "Resource", "*"))
    not_principal = "NotPrincipal" in raw
    principals = None
    if kind is not PolicyKind.IDENTITY:
        principals = parse_principals(raw["NotPrincipal" if not_principal else "Principal"])
    conditions = tuple(
        condition
        for operator, block in raw.get("Condition", {}).items()
        for condition in _conditions(operator, block)
    )
    return Statement(
        effect=Effect(raw["Effect"]),
        actions=tuple(action.lower() for action in actions),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=conditions,
        sid=raw.get("Sid"),
        index=index,
    )


def _conditions(operator: str, block: dict) -> list[Condition]:
    parsed = parse_operator(operator)
    if parsed is None:
        return []  # an unknown operator with an empty block: IAM stores and ignores it
    out = []
    for key, value in block.items():
        values = value if isinstance(value, list) else [value]
        out.append(Condition(parsed, key.lower(), tuple(_text(v) for v in values)))
    return out


def _text(value: Any) -> str:
    # JSON booleans and numbers are read as IAM reads them: `true`, `10`.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


__all__ = ["OPERATORS", "Policy", "PolicyKind", "Statement", "Effect", "parse_policy"]
