"""IAM's roles and policies as other services read them through the kernels' `Identities`
(overcast/identities.py): STS assumes roles by ARN, and limits sessions by managed policies
(`PolicyArns`), without importing IAM."""

from __future__ import annotations

from overcast.aws.credentials import Identity
from overcast.identities import PrincipalPolicies, RoleRecord
from overcast.services.iam.directory import Directory
from overcast.services.iam.model import key_of
from overcast.services.iam.principals import Principals


class SharedRoles:
    """The `identities.Roles` of one IAM directory; `principals` is the directory's, shared
    with the authorizer (spec.py)."""

    def __init__(self, iam: Directory, principals: Principals) -> None:
        self.iam = iam
        self.principals = principals

    def role(self, arn: str) -> RoleRecord | None:
        with self.iam.reading():
            role = self.iam.roles.get(key_of(arn.rpartition("/")[2]))
            if role is None:
                return None
            role_arn = self.iam.arn("role", role.path, role.name)
            # Role names are unique regardless of case, and found so (IAM quotas reference).
            if role_arn.lower() != arn.lower():
                return None
            return RoleRecord(
                role_arn,
                role.id,
                role.name,
                role.path,
                role.trust,
                role.max_session_s,
                dict(role.tags),
            )

    def managed_policy(self, arn: str) -> str | None:
        with self.iam.reading():
            policy = self.iam.find_policy(arn)
            return policy.document if policy is not None else None

    def policies_for(self, identity: Identity) -> PrincipalPolicies | None:
        applied = self.principals.policies_for(identity)
        if applied is None:
            return None
        return PrincipalPolicies(applied.identity_policies, applied.boundary)
