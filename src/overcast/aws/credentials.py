"""Who holds which signing keys: the contract between request verification (aws/) and the
services that issue keys (IAM's access keys, STS's temporary credentials, the root key).

SigV4 verification (aws/signature.py) looks the request's access key up in a `KeyRing`
and recomputes the signature with its secret; the `Identity` it finds is the request's
principal, which IAM's authorizer evaluates policies for. AWS's key ids tell the kinds
apart: `AKIA...` long-term keys (root or IAM user), `ASIA...` temporary keys that only
work with their session token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol


@dataclass(frozen=True)
class Identity:
    """The principal a key signs for, as IAM's evaluation and GetCallerIdentity see it.

    `arn` is the caller's ARN as STS's GetCallerIdentity answers it:
    `arn:aws:iam::123456789012:root`, `arn:aws:iam::123456789012:user/alice`,
    `arn:aws:sts::123456789012:assumed-role/my-role/my-session`.
    """

    arn: str
    account_id: str
    user_id: str  # GetCallerIdentity's UserId: the account id, AIDA..., or AROA...:session
    # The role an assumed-role session acts for (`arn:aws:iam::...:role/path/name`); None
    # for the root and IAM users. IAM evaluates the role's policies for the session.
    role_arn: str | None = None
    # Policies that bound a session below its role's (AssumeRole's Policy / PolicyArns).
    session_policies: tuple[str, ...] = ()
    # Session tags and the like, as condition keys (`aws:PrincipalTag/team`, ...).
    attributes: dict[str, str] = field(default_factory=dict)

    @cached_property  # asked by the authorizer on every request: worked out once
    def is_root(self) -> bool:
        return self.arn.endswith(":root")


@dataclass(frozen=True)
class SigningKey:
    """One access key's secret, and whom it signs for."""

    access_key_id: str
    secret_access_key: str
    identity: Identity
    session_token: str | None = None  # required with the request when set (`ASIA...` keys)
    expires_ms: int | None = None  # when a temporary key stops working (epoch ms)
    active: bool = True  # IAM's `Inactive` keys are refused as AWS refuses them


class KeyRing(Protocol):
    """Finds the key a request names. Implementations: the root key file, IAM's access
    keys, STS's sessions; `KeyRings` asks each in turn."""

    def find(self, access_key_id: str) -> SigningKey | None:
        """The key, or None if no key of that id exists here."""
        ...


@dataclass
class KeyRings:
    """Several key rings as one (the factory registers each issuer's ring here).

    A ring whose keys never change while the server runs (the root key's) says so with a
    `fixed_keys` mapping (id -> key): those are kept in `fixed` and found by one dict
    lookup, which request verification makes before any ring's `find` (a call per ring)."""

    rings: list[KeyRing] = field(default_factory=list)
    fixed: dict[str, SigningKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ring in self.rings:
            self.fixed.update(getattr(ring, "fixed_keys", {}))

    def add(self, ring: KeyRing) -> None:
        self.rings.append(ring)
        self.fixed.update(getattr(ring, "fixed_keys", {}))

    def find(self, access_key_id: str) -> SigningKey | None:
        key = self.fixed.get(access_key_id)
        if key is not None:
            return key
        for ring in self.rings:
            found = ring.find(access_key_id)
            if found is not None:
                return found
        return None


class CredentialIssuer(Protocol):
    """Makes temporary credentials (STS's AssumeRole and GetSessionToken, a function
    environment's role session): an `ASIA...` key with a secret and a session token, which
    sign for `identity` until `duration_s` seconds from now. The issuer keeps them where
    request verification finds them (it is a KeyRing too)."""

    def issue(self, identity: Identity, duration_s: int) -> SigningKey:
        """New temporary credentials for `identity`, valid `duration_s` seconds."""
        ...
