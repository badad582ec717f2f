"""Whether a service may invoke a function: its resource-based policy, read as Lambda reads
it when S3, SNS, EventBridge or API Gateway invokes ("Working with resource-based IAM
policies in Lambda": a service principal needs a statement that allows it
lambda:InvokeFunction, usually bounded by `AWS:SourceArn` and `AWS:SourceAccount`).

The policy is the one of the ARN the service names: `function:f`'s for the function,
`function:f:live`'s for an alias, `function:f:3`'s for a version (AddPermission's
Qualifier: "If a client uses a version or alias to invoke a function, use the Qualifier
parameter to apply permissions to that ARN").

A function URL whose AuthType is NONE asks the same policy whether everyone may call it
("Control access to Lambda function URLs": with NONE, "your function's resource-based policy
is always in effect and must grant public access"; "starting in October 2025, new function
URLs will require both lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions"):
principal `*` needs both actions, with the keys such a call sets,
`lambda:FunctionUrlAuthType` = NONE and `lambda:InvokedViaFunctionUrl` = true (what
AddPermission's `--function-url-auth-type NONE` and `--invoked-via-function-url` write).

Answers are cached by what was asked, each with the policy object it was read from: a
policy changed (or removed, or its function deleted and made again) is a new object, so a
stale answer is never used, and a warm HTTP API or function URL request costs a few dict
lookups. (A function's policy holds only what AddPermission writes, whose conditions name no
key of the request itself, so one answer per policy holds for every request.)
"""

from __future__ import annotations

import json

from overcast.aws.arn import function_target
from overcast.aws.policy.document import Policy as PolicyDocument
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Request, evaluate
from overcast.aws.policy.service_callers import service_refusal
from overcast.function import LATEST, Target
from overcast.services.lambda_.control.catalog import Catalog
from overcast.services.lambda_.model.arn import function_arn
from overcast.services.lambda_.model.policy import Policy
from overcast.services.lambda_.model.url import UrlRoute
from overcast.types import ServicePrincipal

ACTION = "lambda:InvokeFunction"
PUBLIC_URL_ACTIONS = ("lambda:InvokeFunctionUrl", ACTION)
PUBLIC_URL_KEYS = {"lambda:FunctionUrlAuthType": "NONE", "lambda:InvokedViaFunctionUrl": "true"}
_CACHED = 4096  # answers kept; the set is cleared when full (a few routes and rules in use)


class InvokePermissions:
    """`types.InvokePermissions` over the catalog's functions."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._answers: dict[tuple[str, ServicePrincipal], tuple[Policy, str | None]] = {}
        self._public: dict[tuple[str, str, str | None], tuple[Policy, bool]] = {}

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

    def public_url_allowed(self, route: UrlRoute) -> bool:
        """Whether the policy of the function (or alias) an AuthType NONE URL invokes lets
        everyone call it through the URL."""
        entry = self.catalog.get(route.region, route.function_name)
        policy = None if entry is None else entry.record.policies.get(route.qualifier or LATEST)
        if policy is None:
            return False
        key = (route.region, route.function_name, route.qualifier)
        cached = self._public.get(key)
        if cached is not None and cached[0] is policy:
            return cached[1]
        resource = function_arn(
            route.region, self.catalog.account_id, route.function_name, route.qualifier
        )
        answer = _public(policy, resource)
        if len(self._public) >= _CACHED:
            self._public.clear()
        self._public[key] = (policy, answer)
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


def _public(policy: Policy, resource: str) -> bool:
    document = _document(policy)
    if document is None:
        return False
    return all(
        evaluate(Request(None, action, resource, PUBLIC_URL_KEYS, resource_policy=document)).allowed
        for action in PUBLIC_URL_ACTIONS
    )


def _document(policy: Policy) -> PolicyDocument | None:
    """The policy as aws/policy reads it (parsed once per text: parse_policy caches). A
    statement Lambda wrote that the grammar refuses allows nothing."""
    try:
        return parse_policy(json.dumps(policy.document()), PolicyKind.RESOURCE)
    except MalformedPolicyDocumentError:
        return None
