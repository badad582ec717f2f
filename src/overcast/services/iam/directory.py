"""The account's IAM entities in memory, written through to the store on every change.

Every change happens inside `change()`: one lock, one store transaction, and a new
`generation` afterwards, which tells caches (principals.py) that what they hold is stale.
Lookups raise IAM's NoSuchEntity in IAM's words.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from overcast.services.iam.aws_managed import aws_managed_policies
from overcast.services.iam.errors import NoSuchEntity
from overcast.services.iam.model import (
    AccessKey,
    Group,
    InstanceProfile,
    ManagedPolicy,
    Role,
    User,
    entity_arn,
    key_of,
)
from overcast.services.iam.store import SqliteIamStore

USER, GROUP, ROLE, POLICY, KEY, PROFILE = "user", "group", "role", "policy", "key", "profile"
_KINDS = {USER: User, GROUP: Group, ROLE: Role, KEY: AccessKey, PROFILE: InstanceProfile}


class Directory:
    """What the IAM API reads and changes; `account` is the account's id."""

    def __init__(self, store: SqliteIamStore, account: str) -> None:
        self.store = store
        self.account = account
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.roles: dict[str, Role] = {}
        self.policies: dict[str, ManagedPolicy] = {}  # the account's own, by ARN
        self.keys: dict[str, AccessKey] = {}
        self.profiles: dict[str, InstanceProfile] = {}
        self.generation = 0
        self._lock = threading.RLock()
        self._tables = {
            USER: self.users,
            GROUP: self.groups,
            ROLE: self.roles,
            POLICY: self.policies,
            KEY: self.keys,
            PROFILE: self.profiles,
        }
        for kind, key, record in store.load():
            entity = ManagedPolicy.from_record(record) if kind == POLICY else _KINDS[kind](**record)
            self._tables[kind][key] = entity

    @contextmanager
    def change(self) -> Iterator[None]:
        """Hold the directory for a change; what was saved is committed together."""
        with self._lock, self.store.transaction():
            try:
                yield
            finally:
                self.generation += 1

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the directory still while reading several entities (no change meanwhile)."""
        with self._lock:
            yield

    def save(self, kind: str, key: str, entity: object) -> None:
        self._tables[kind][key] = entity
        self.store.put(kind, key, entity.record())  # type: ignore[attr-defined]

    def drop(self, kind: str, key: str) -> None:
        self._tables[kind].pop(key, None)
        self.store.delete(kind, key)

    def arn(self, kind: str, path: str, name: str) -> str:
        return entity_arn(self.account, kind, path, name)

    # --- lookups, in IAM's words when missing ---------------------------------------------

    def user(self, name: str) -> User:
        found = self.users.get(key_of(name))
        if found is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return found

    def group(self, name: str) -> Group:
        found = self.groups.get(key_of(name))
        if found is None:
            raise NoSuchEntity(f"The group with name {name} cannot be found.")
        return found

    def role(self, name: str) -> Role:
        found = self.roles.get(key_of(name))
        if found is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return found

    def profile(self, name: str) -> InstanceProfile:
        found = self.profiles.get(key_of(name))
        if found is None:
            raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
        return found

    def find_policy(self, arn: str) -> ManagedPolicy | None:
        return self.policies.get(arn) or aws_managed_policies().get(arn)

    def policy(self, arn: str) -> ManagedPolicy:
        found = self.find_policy(arn)
        if found is None:
            raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
        return found

    def all_policies(self) -> list[ManagedPolicy]:
        return [*aws_managed_policies().values(), *self.policies.values()]

    # --- who uses a managed policy ---------------------------------------------------------

    def attached_to(self, arn: str) -> list[User | Group | Role]:
        """The users, groups and roles the policy is attached to."""
        holders = [*self.users.values(), *self.groups.values(), *self.roles.values()]
        return [holder for holder in holders if arn in holder.attached]

    def bounded_by(self, arn: str) -> list[User | Role]:
        """The users and roles the policy is the permissions boundary of."""
        holders = [*self.users.values(), *self.roles.values()]
        return [holder for holder in holders if holder.boundary == arn]
