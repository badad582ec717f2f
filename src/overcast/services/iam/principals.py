"""The policies that apply to a principal, as IAM's authorizer evaluates them per request.

For an IAM user: its inline policies, the managed policies attached to it, and the inline
and attached policies of each group it is in; its permissions boundary. For an assumed-role
session (`Identity.role_arn`): the role's inline and attached policies, its boundary, its
trust policy, and the session's own policies. Documents are JSON text as IAM keeps them
(managed ones: their default version).

Answers are cached per principal and dropped whenever IAM changes anything (the
directory's generation), so the per-request cost is a dictionary lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.credentials import Identity
from overcast.services.iam.directory import Directory
from overcast.services.iam.model import Group, Role, User, key_of


@dataclass(frozen=True)
class AppliedPolicies:
    """What IAM evaluates for one principal."""

    principal_arn: str  # the user's or the role's ARN
    identity_policies: tuple[str, ...]  # inline and attached managed documents, groups' too
    boundary: str | None = None  # the permissions boundary's document
    trust_policy: str | None = None  # a role's AssumeRolePolicyDocument
    session_policies: tuple[str, ...] = ()  # an assumed-role session's own


class Principals:
    """`policies_for(identity)`: the AppliedPolicies of a user or an assumed-role session;
    None for the account's root (it is not bound by policies) and for a principal IAM does
    not have (a deleted user or role)."""

    def __init__(self, iam: Directory) -> None:
        self.iam = iam
        self._cache: dict[tuple[str, str | None], AppliedPolicies | None] = {}
        self._generation = -1

    def policies_for(self, identity: Identity) -> AppliedPolicies | None:
        if identity.is_root:
            return None
        if self._generation != self.iam.generation:
            self._cache = {}
            self._generation = self.iam.generation
        cache_key = (identity.arn, identity.role_arn)
        if cache_key not in self._cache:
            with self.iam.reading():
                found = self._look_up(identity)
            self._cache[cache_key] = found
        found = self._cache[cache_key]
        if found is not None and identity.session_policies:
            return AppliedPolicies(
                found.principal_arn,
                found.identity_policies,
                found.boundary,
                found.trust_policy,
                identity.session_policies,
            )
        return found

    def _look_up(self, identity: Identity) -> AppliedPolicies | None:
        if identity.role_arn is not None:
            role = self._role(identity.role_arn)
            if role is None:
                return None
            return AppliedPolicies(
                identity.role_arn,
                self._documents(role),
                self._boundary(role.boundary),
                role.trust,
            )
        user = self._user(identity.arn)
        if user is None:
            return None
        documents = list(self._documents(user))
        for group_key in user.groups:
            group = self.iam.groups.get(group_key)
            if group is not None:
                documents += self._documents(group)
        return AppliedPolicies(identity.arn, tuple(documents), self._boundary(user.boundary))

    def _user(self, arn: str) -> User | None:
        user = self.iam.users.get(key_of(arn.rpartition("/")[2]))
        if user is None or self.iam.arn("user", user.path, user.name) != arn:
            return None
        return user

    def _role(self, arn: str) -> Role | None:
        role = self.iam.roles.get(key_of(arn.rpartition("/")[2]))
        if role is None or self.iam.arn("role", role.path, role.name).lower() != arn.lower():
            return None
        return role

    def _documents(self, holder: User | Group | Role) -> tuple[str, ...]:
        managed = [self.iam.find_policy(arn) for arn in holder.attached]
        return (
            *holder.inline.values(),
            *(policy.document for policy in managed if policy is not None),
        )

    def _boundary(self, arn: str | None) -> str | None:
        policy = self.iam.find_policy(arn) if arn is not None else None
        return policy.document if policy is not None else None
