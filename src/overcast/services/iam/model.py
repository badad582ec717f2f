"""IAM's entities as Overcast keeps them, with the ids and ARNs AWS gives them.

Names are unique regardless of case ("Names are not distinguished by case", IAM quotas
reference) and found regardless of case, so each entity is kept under its name in lower
case and shown with the case it was created with. ARNs are global (no region):
`arn:aws:iam::<account>:user/<path without its leading slash><name>`.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

# The unique ids' prefixes (IAM identifiers reference, "Understanding unique ID prefixes").
USER_ID, GROUP_ID, ROLE_ID, POLICY_ID = "AIDA", "AGPA", "AROA", "ANPA"
PROFILE_ID, ACCESS_KEY_ID = "AIPA", "AKIA"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
DEFAULT_MAX_SESSION_S = 3600


def new_id(prefix: str, length: int = 21) -> str:
    """`AIDA` + 17 characters of base 32, as AWS's unique ids look (21 in all; an access
    key id is 20)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))


def new_secret() -> str:
    """A 40-character secret access key."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def now() -> float:
    return time.time()


def as_date(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def key_of(name: str) -> str:
    return name.lower()


def entity_arn(account: str, kind: str, path: str, name: str) -> str:
    """`arn:aws:iam::123456789012:role/service-role/name` for kind `role`, path
    `/service-role/`."""
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def tag_list(tags: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


@dataclass
class Principal:
    """What users, groups and roles have in common: a name under a path, an id, inline
    policies (name -> document text) and attached managed policies (ARNs, in order)."""

    name: str
    path: str
    id: str
    created: float
    inline: dict[str, str] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return key_of(self.name)

    def record(self) -> dict:
        return asdict(self)


@dataclass
class User(Principal):
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)  # keys of the groups it is in


@dataclass
class Group(Principal):
    pass


@dataclass
class Role(Principal):
    trust: str = ""  # the AssumeRolePolicyDocument, as it was given
    description: str | None = None
    max_session_s: int = DEFAULT_MAX_SESSION_S
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Version:
    document: str
    created: float


@dataclass
class ManagedPolicy:
    """A managed policy: the account's own, or one of AWS's (`account` "aws")."""

    name: str
    path: str
    id: str
    account: str
    created: float
    updated: float
    default_version: str
    versions: dict[str, Version]
    next_version: int
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return entity_arn(self.account, "policy", self.path, self.name)

    @property
    def document(self) -> str:
        return self.versions[self.default_version].document

    def record(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> ManagedPolicy:
        versions = {k: Version(**v) for k, v in record.pop("versions").items()}
        return cls(versions=versions, **record)


@dataclass
class AccessKey:
    id: str
    secret: str
    user: str  # the user's key (its name in lower case)
    created: float
    status: str = "Active"
    last_used: float | None = None

    def record(self) -> dict:
        return asdict(self)


@dataclass
class InstanceProfile:
    name: str
    path: str
    id: str
    created: float
    roles: list[str] = field(default_factory=list)  # role keys
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return key_of(self.name)

    def record(self) -> dict:
        return asdict(self)
