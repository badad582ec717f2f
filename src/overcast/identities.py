"""Who may become whom: how STS reads IAM's roles and policies, and issues temporary
credentials, without importing services/iam (no service imports another: DESIGN.md).

The factory builds one `Identities` first and puts it in the kernels; IAM's spec registers
its `Roles` when IAM is built, and the factory registers the `CredentialIssuer` (the
sessions store). STS asks it at request time. Until IAM registers, no role exists, as on a
server without IAM; an issuer is required, so asking for credentials without one is a
wiring mistake and fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from overcast.aws.credentials import CredentialIssuer, Identity, SigningKey


@dataclass(frozen=True)
class RoleRecord:
    """A role as STS needs it to issue a session of it."""

    arn: str  # arn:aws:iam::123456789012:role/path/name
    id: str  # AROA...: the first half of its sessions' user ids
    name: str
    path: str
    trust_policy: str  # the AssumeRolePolicyDocument's JSON text
    max_session_s: int  # MaxSessionDuration: 3600 unless set, at most 43200
    tags: dict[str, str] = field(default_factory=dict)  # its sessions' aws:PrincipalTag/...


@dataclass(frozen=True)
class PrincipalPolicies:
    """The identity-based policies (JSON texts) of a user or role, and its boundary."""

    identity_policies: tuple[str, ...]
    boundary: str | None = None


class Roles(Protocol):
    """IAM's roles and managed policies, read by ARN (IAM registers its implementation)."""

    def role(self, arn: str) -> RoleRecord | None:
        """The role `arn` names (compared as IAM compares role names), or None."""
        ...

    def managed_policy(self, arn: str) -> str | None:
        """A managed policy's document (its default version), or None if none is `arn`."""
        ...

    def policies_for(self, identity: Identity) -> PrincipalPolicies | None:
        """What applies to a user or an assumed-role session; None for the root and for a
        principal IAM does not have."""
        ...


class Identities:
    """The registry on the kernels: `roles` (IAM's) and `issuer` (the sessions store)."""

    def __init__(self) -> None:
        self._roles: Roles | None = None
        self._issuer: CredentialIssuer | None = None

    def register_roles(self, roles: Roles) -> None:
        self._roles = roles

    def register_issuer(self, issuer: CredentialIssuer) -> None:
        self._issuer = issuer

    @property
    def has_roles(self) -> bool:
        """Whether IAM registered its roles (a platform without IAM has none to look up)."""
        return self._roles is not None

    def role(self, arn: str) -> RoleRecord | None:
        return self._roles.role(arn) if self._roles is not None else None

    def managed_policy(self, arn: str) -> str | None:
        return self._roles.managed_policy(arn) if self._roles is not None else None

    def policies_for(self, identity: Identity) -> PrincipalPolicies | None:
        return self._roles.policies_for(identity) if self._roles is not None else None

    def issue(self, identity: Identity, duration_s: int) -> SigningKey:
        if self._issuer is None:
            raise RuntimeError("no CredentialIssuer is registered with the kernels' identities")
        return self._issuer.issue(identity, duration_s)
