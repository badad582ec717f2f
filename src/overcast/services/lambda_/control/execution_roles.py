"""Whether Lambda may assume a function's execution role, checked when the role is given
(CreateFunction, UpdateFunctionConfiguration), as Lambda checks it: the role must exist in
IAM and its trust policy must let the service principal `lambda.amazonaws.com` call
`sts:AssumeRole`; otherwise Lambda answers InvalidParameterValueException "The role defined
for the function cannot be assumed by Lambda." (Lambda's troubleshooting guide).

Decided with the policy language (aws/policy) over the trust policy IAM keeps, read through
the kernels' `Identities` (no service imports IAM). A platform without that check (auth
off, or no IAM built) accepts any role ARN, as before: `ExecutionRoles(None)`.
"""

from __future__ import annotations

from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Request, evaluate
from overcast.identities import Identities

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


class ExecutionRoles:
    """`check(role_arn)`: refuse a role Lambda could not assume; `identities` None (or
    without IAM's roles) accepts any."""

    def __init__(self, identities: Identities | None = None) -> None:
        self.identities = identities

    def check(self, role_arn: str) -> None:
        if self.identities is None or not self.identities.has_roles:
            return
        if not self.assumable(role_arn):
            raise InvalidParameterValueException(CANNOT_ASSUME)

    def assumable(self, role_arn: str) -> bool:
        role = self.identities.role(role_arn) if self.identities is not None else None
        if role is None:
            return False
        try:
            trust = parse_policy(role.trust_policy, PolicyKind.TRUST)
        except MalformedPolicyDocumentError:
            return False  # IAM checks trust policies when kept; one it could not read admits no one
        decision = evaluate(
            Request(
                identity=None,
                service=LAMBDA_PRINCIPAL,
                action="sts:AssumeRole",
                resource=role.arn,
                resource_policy=trust,
                resource_policy_required=True,
            )
        )
        return decision.allowed
