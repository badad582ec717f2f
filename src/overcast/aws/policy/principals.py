"""The Principal element of resource-based and trust policies, and whom it names.

Forms ("AWS JSON policy elements: Principal"): `"*"` (everyone, anonymous included, as is
`{"AWS": "*"}`), an account (`"123456789012"` or `arn:aws:iam::123456789012:root`), an
IAM user or role ARN, an assumed-role session ARN, `{"Service": "s3.amazonaws.com"}`,
`{"Federated": ...}` and S3's `{"CanonicalUser": ...}`.

Naming is not all alike within an account ("Policy evaluation logic"): a statement that
names the caller itself (an IAM user, or the session ARN of an assumed-role session)
grants on its own; one that names the role behind a session grants as the role, still
bounded by the role's permissions boundary and the session's policies; one that names the
account delegates to the account's identity-based policies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from overcast.aws.credentials import Identity
from overcast.aws.policy.errors import MalformedPolicyDocumentError

INVALID = "Invalid principal in policy"
_ACCOUNT = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::(\d{12}):(root|user/.+|role/.+)$")
_STS_ARN = re.compile(r"^arn:aws[a-z\-]*:sts::(\d{12}):(assumed-role/[^/]+/.+|federated-user/.+)$")
_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


class Grant(IntEnum):
    """How a statement's Principal names the caller, weakest first."""

    NONE = 0  # not named
    ACCOUNT = 1  # the caller's account: delegates to its identity-based policies
    ROLE = 2  # the role behind an assumed-role session
    DIRECT = 3  # the caller itself (user, session, service), or everyone


@dataclass(frozen=True)
class Principals:
    everyone: bool = False
    accounts: frozenset[str] = frozenset()
    arns: frozenset[str] = frozenset()  # users, roles, sessions (not account roots)
    services: frozenset[str] = frozenset()  # lower-cased
    federated: frozenset[str] = frozenset()
    canonical_users: frozenset[str] = frozenset()


def parse_principals(value: Any) -> Principals:
    """Read a Principal / NotPrincipal value; `Invalid principal in policy` if malformed."""
    if value == "*":
        return Principals(everyone=True)
    if not isinstance(value, dict) or not value or not value.keys() <= set(_TYPES):
        raise MalformedPolicyDocumentError(INVALID)
    named: dict[str, tuple[str, ...]] = {}
    for kind, names in value.items():
        items = (names,) if isinstance(names, str) else names
        if not isinstance(items, list | tuple) or not items:
            raise MalformedPolicyDocumentError(INVALID)
        if not all(isinstance(item, str) and item for item in items):
            raise MalformedPolicyDocumentError(INVALID)
        named[kind] = tuple(items)
    accounts: set[str] = set()
    arns: set[str] = set()
    everyone = False
    for name in named.get("AWS", ()):
        everyone |= name == "*"
        if name != "*":
            _aws_principal(name, accounts, arns)
    services = named.get("Service", ())
    if any(service == "*" or "*" in service for service in services):
        raise MalformedPolicyDocumentError(INVALID)
    return Principals(
        everyone=everyone,
        accounts=frozenset(accounts),
        arns=frozenset(arns),
        services=frozenset(s.lower() for s in services),
        federated=frozenset(named.get("Federated", ())),
        canonical_users=frozenset(named.get("CanonicalUser", ())),
    )


def _aws_principal(name: str, accounts: set[str], arns: set[str]) -> None:
    if "*" in name or "?" in name:
        # Wildcards are not allowed here beyond `*` itself: AWS points to aws:PrincipalArn.
        raise MalformedPolicyDocumentError(INVALID)
    if _ACCOUNT.match(name):
        accounts.add(name)
        return
    iam = _IAM_ARN.match(name)
    if iam and iam.group(2) == "root":
        accounts.add(iam.group(1))
    elif iam or _STS_ARN.match(name):
        arns.add(name)
    else:
        raise MalformedPolicyDocumentError(INVALID)


def grant(principals: Principals, identity: Identity | None, service: str | None = None) -> Grant:
    """How `principals` names a caller: an `Identity` (None when anonymous) or, for a
    request a service makes on its own behalf, a service principal."""
    if principals.everyone:
        return Grant.DIRECT
    if service is not None:
        return Grant.DIRECT if service.lower() in principals.services else Grant.NONE
    if identity is None:
        return Grant.NONE
    if identity.arn in principals.arns:
        return Grant.DIRECT
    if identity.role_arn is not None and identity.role_arn in principals.arns:
        return Grant.ROLE
    if identity.account_id in principals.accounts:
        return Grant.DIRECT if identity.is_root else Grant.ACCOUNT
    return Grant.NONE


def excluded(principals: Principals, identity: Identity | None, service: str | None) -> bool:
    """Whether NotPrincipal lists the caller. AWS excludes a session only when its own
    session ARN is listed, not its role's alone ("NotPrincipal"), so only DIRECT counts."""
    return grant(principals, identity, service) is Grant.DIRECT
