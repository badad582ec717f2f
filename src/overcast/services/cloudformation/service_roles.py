"""A stack's service role (`RoleARN`): "CloudFormation uses the role's credentials to make
calls on your behalf", for this operation and every later one on the stack (CloudFormation
User Guide, "CloudFormation service role").

As AWS decides it: the caller must be allowed `iam:PassRole` on the role; the role must exist
and its trust policy must let `cloudformation.amazonaws.com` call `sts:AssumeRole`, else
ValidationError "Role <arn> is invalid or cannot be assumed". The stack's resources are then
made as a session of the role (`arn:aws:sts::ACCT:assumed-role/<role>/AWSCloudFormation`),
its policies deciding, as Lambda's functions act as their execution roles.

Decided with the policy language (aws/policy) over the trust policy IAM keeps, read through
the kernels' `Identities` (no service imports IAM). A server without IAM's roles (auth off)
takes any role ARN and acts as its session.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.authorizer import Access
from overcast.aws.credentials import Identity
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Request, evaluate
from overcast.aws.request_auth import RequestAuth
from overcast.aws.request_context import RequestContext
from overcast.aws.sessions import assumed_role_identity
from overcast.identities import Identities
from overcast.services.cloudformation.errors import ValidationError

PRINCIPAL = "cloudformation.amazonaws.com"
SESSION_NAME = "AWSCloudFormation"  # the role session's name, as CloudTrail shows it


@dataclass
class ServiceRoles:
    """Checks a request's RoleARN and gives the identity CloudFormation acts as."""

    identities: Identities | None = None
    auth: RequestAuth | None = None

    def session(self, role_arn: str, caller: Identity | None, region: str) -> Identity:
        """The session of `role_arn` the stack's resources are made as, once `caller` may
        pass the role and CloudFormation may assume it."""
        if caller is not None and self.auth is not None:
            context = RequestContext(
                "", region, "cloudformation", account_id=self.auth.account_id, identity=caller
            )
            self.auth.authorizer.authorize(context, Access.of("iam:PassRole", role_arn))
        if self.identities is not None and self.identities.has_roles:
            if not self._assumable(role_arn):
                raise ValidationError(f"Role {role_arn} is invalid or cannot be assumed")
        return assumed_role_identity(role_arn, SESSION_NAME)

    def _assumable(self, role_arn: str) -> bool:
        role = self.identities.role(role_arn) if self.identities is not None else None
        if role is None:
            return False
        try:
            trust = parse_policy(role.trust_policy, PolicyKind.TRUST)
        except MalformedPolicyDocumentError:
            return False
        decision = evaluate(
            Request(
                identity=None,
                service=PRINCIPAL,
                action="sts:AssumeRole",
                resource=role.arn,
                resource_policy=trust,
                resource_policy_required=True,
            )
        )
        return decision.allowed
