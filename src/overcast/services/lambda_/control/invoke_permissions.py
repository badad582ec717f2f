"""Whether a service may invoke a function: its resource-based policy, read as Lambda reads
it when S3, SNS, EventBridge or API Gateway invokes ("Working with resource-based IAM
policies in Lambda": a service principal needs a statement that allows it
lambda:InvokeFunction, usually bounded by `AWS:SourceArn` and `AWS:SourceAccount`).

The policy is the one of the ARN the service names: `function:f`'s for the function,
`function:f:live`'s for an alias, `function:f:3`'s for a version (AddPermission's
Qualifier: "If a client uses a version or alias to invoke a function, use the Qualifier
parameter to apply permissions to that ARN").

Answers are cached by what was asked, each with the policy object it was read from: a
policy changed (or removed, or its function deleted and made again) is a new object, so a
stale answer is never used, and a warm HTTP API request costs a few dict lookups.
"""

from __future__ import annotations

import json

from overcast.aws.arn import function_target
from overcast.aws.policy.service_callers import service_refusal
from overcast.function import LATEST, Target
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.model.policy import Policy
from overcast.types import ServicePrincipal

ACTION = "lambda:InvokeFunction"
_CACHED = 4096  # answers kept; the set is cleared when full (a few routes and rules in use)


class InvokePermissions:
    """`types.InvokePermissions` over the catalog's functions."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._answers: dict[tuple[str, ServicePrincipal], tuple[Policy, str | None]] = {}

    def refusal(self, target: Target, caller: ServicePrincipal) -> str | None:
        arn = target.invoked_arn
        policy = self._policy(arn)
        key = (arn, caller)
        cached = self._answers.get(key)
        if cached is not None and cached[0] is policy:
            return cached[1]
        answer = _refusal(policy, _resource(arn), caller)
        if policy is not None:
            if len(self._answers) >= _CACHED:
                self._answers.clear()
            self._answers[key] = (policy, answer)
        return answer

    def _policy(self, arn: str) -> Policy | None:
        """The policy of the function, version or alias `arn` names, if it has one."""
        region, name, qualifier = function_target(arn)
        entry = self.catalog.get(region, name)
        if entry is None:
            return None
        return entry.record.policies.get(qualifier or LATEST)


def _resource(arn: str) -> str:
    """The ARN the policy's statements name: `:$LATEST` is the function itself (Lambda
    keeps no policy of its own for $LATEST)."""
    return arn.removesuffix(":" + LATEST)


def _refusal(policy: Policy | None, resource: str, caller: ServicePrincipal) -> str | None:
    document = None if policy is None else json.dumps(policy.document())
    return service_refusal(document, ACTION, resource, caller)
