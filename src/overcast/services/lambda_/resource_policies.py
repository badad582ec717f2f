"""Lambda's resource-based policies as the authorizer reads them (aws/authorizer.py's
`ResourcePolicies`): a function's (or a version's, an alias's) policy from AddPermission,
and a layer version's from AddLayerVersionPermission, by the ARN the request acts on.

A policy belongs to the ARN it was added for: `function:f`'s covers requests on `function:f`
only, `function:f:live`'s those on the alias's ARN ("Using resource-based policies in
Lambda": permissions added with a qualifier apply to that qualified ARN).
"""

from __future__ import annotations

import json

from overcast.aws.arn import Arn
from overcast.aws.errors import ServiceError
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.model.layer import parse_layer_version_arn


class LambdaPolicies:
    def __init__(self, control: ControlPlane) -> None:
        self.control = control

    def policy(self, resource_arn: str) -> str | None:
        try:
            parsed = Arn.parse(resource_arn)
        except ValueError:
            return None
        if parsed.service != "lambda":
            return None
        try:
            if parsed.resource.startswith("function:"):
                return self._function_policy(parsed.region, resource_arn)
            if parsed.resource.startswith("layer:"):
                return self._layer_policy(resource_arn)
        except ServiceError:  # no such function, version, alias, layer or policy
            return None
        return None

    def _function_policy(self, region: str, resource_arn: str) -> str:
        policy = self.control.permissions.get(region, resource_arn, None)
        return json.dumps(policy.document())

    def _layer_policy(self, resource_arn: str) -> str | None:
        named = parse_layer_version_arn(resource_arn)
        if named is None or named.version is None or named.region is None:
            return None
        found = self.control.layers.get_policy(
            named.region, resource_arn.rsplit(":", 1)[0], named.version
        )
        return json.dumps(found.statement)
