"""Whether CloudWatch Logs may invoke a subscription filter's function for a log group: the
function's resource-based policy must allow `logs.amazonaws.com` (or the regional
`logs.REGION.amazonaws.com` that older guides and the console name) lambda:InvokeFunction,
with the group's ARN and its `:*` suffix as `aws:SourceArn` ("Subscription filters with AWS
Lambda", CloudWatch Logs user guide: `--source-arn "arn:aws:logs:REGION:ACCOUNT:log-group:
NAME:*"`). PutSubscriptionFilter asks it before keeping a filter, and the forwarder before
each delivery, so a permission removed since stops them.
"""

from __future__ import annotations

from overcast.aws.arn import function_target
from overcast.aws.errors import ServiceError
from overcast.types import InvokePermissions, Resolver, ServicePrincipal

PRINCIPAL = "logs.amazonaws.com"


class InvokePermission:
    def __init__(self, resolver: Resolver, permissions: InvokePermissions, account: str) -> None:
        self.resolver = resolver
        self.permissions = permissions
        self.account = account

    def refusal(self, group: str, destination: str) -> str | None:
        """Why CloudWatch Logs may not invoke the function `destination` names for `group`
        (it does not exist, or its policy does not allow it); None when it may."""
        try:
            region, name, qualifier = function_target(destination)
            target = self.resolver.resolve(region, name, qualifier)
        except (ValueError, ServiceError) as exc:
            return getattr(exc, "message", str(exc))
        source = f"arn:aws:logs:{region}:{self.account}:log-group:{group}:*"
        refusal = None
        for principal in (PRINCIPAL, f"logs.{region}.amazonaws.com"):
            refusal = self.permissions.refusal(
                target, ServicePrincipal(principal, source, self.account)
            )
            if refusal is None:
                return None
        return refusal
