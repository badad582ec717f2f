"""Whether a statement applies to a request: its Action, Resource and Principal.

Actions (`service:Action`) match case-insensitively, wildcards included (`s3:Get*`,
`iam:*AccessKey*`, `*`). Resources match case-sensitively with `*` and `?` across the whole
ARN (`arn:aws:s3:::bucket/*`), after policy variables are replaced ("IAM JSON policy
elements: Resource"). An action that takes no resource is asked for on `*`, which only a
Resource of `*` (or one that matches `*` literally) covers, as IAM requires.
"""

from __future__ import annotations

from overcast.aws.credentials import Identity
from overcast.aws.policy.conditions import all_hold
from overcast.aws.policy.document import Statement
from overcast.aws.policy.patterns import Context, matches
from overcast.aws.policy.principals import Grant, excluded, grant


def action_matches(statement: Statement, action: str) -> bool:
    """Action / NotAction against `service:Action` (any case)."""
    wanted = action.lower()
    found = any(matches(pattern, wanted) for pattern in statement.actions)
    return found != statement.not_action


def resource_matches(
    statement: Statement, resource: str, variables: bool, context: Context
) -> bool:
    """Resource / NotResource against an ARN (or `*`)."""
    found = any(
        matches(pattern, resource, variables=variables, context=context)
        for pattern in statement.resources
    )
    return found != statement.not_resource


def principal_grant(
    statement: Statement, identity: Identity | None, service: str | None = None
) -> Grant:
    """How a resource-based or trust policy statement names the caller; identity-based
    statements apply to their holder (DIRECT)."""
    if statement.principals is None:
        return Grant.DIRECT
    if statement.not_principal:
        return Grant.NONE if excluded(statement.principals, identity, service) else Grant.DIRECT
    return grant(statement.principals, identity, service)


def statement_applies(
    statement: Statement, action: str, resource: str, variables: bool, context: Context
) -> bool:
    """Action, Resource and Condition (the Principal is asked separately)."""
    return (
        action_matches(statement, action)
        and resource_matches(statement, resource, variables, context)
        and all_hold(statement.conditions, context, variables)
    )
