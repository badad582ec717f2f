"""AWS::Lambda::Version and AWS::Lambda::Alias, made through Lambda's own API operations.

As the CloudFormation resource reference has them:
- AWS::Lambda::Version publishes the function's current code and configuration. Ref is the
  version's ARN; Fn::GetAtt `FunctionArn` (the same ARN) and `Version` (its number).
  FunctionName, CodeSha256, Description, ProvisionedConcurrencyConfig and RuntimePolicy are
  create-only (its resource schema): a version cannot change, a change publishes another.
- AWS::Lambda::Alias: Ref is the alias's ARN; Fn::GetAtt `AliasArn`. FunctionName and Name
  are create-only; FunctionVersion, Description, RoutingConfig and
  ProvisionedConcurrencyConfig change in place. RoutingConfig's `AdditionalVersionWeights`
  is a list of `{FunctionVersion, FunctionWeight}` in a template, a map in the API.
"""

from __future__ import annotations

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
)

VERSION_CREATE_ONLY = frozenset(
    {"FunctionName", "CodeSha256", "Description", "ProvisionedConcurrencyConfig", "RuntimePolicy"}
)
ALIAS_CREATE_ONLY = frozenset({"FunctionName", "Name"})


class VersionResource:
    type_name = "AWS::Lambda::Version"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params = {"FunctionName": str(props.get("FunctionName", ""))}
        for name in ("CodeSha256", "Description"):
            if props.get(name) is not None:
                params[name] = str(props[name])
        published = self.calls.call(request, "PublishVersion", params)
        arn, number = published["FunctionArn"], published["Version"]
        policy = props.get("RuntimePolicy")
        if isinstance(policy, dict):
            params = {"FunctionName": params["FunctionName"], "Qualifier": number, **policy}
            self.calls.call(request, "PutRuntimeManagementConfig", params)
        _provision(self.calls, request, arn, None, props.get("ProvisionedConcurrencyConfig"))
        return Provisioned(arn, {"FunctionArn": arn, "Version": number})

    def update(self, request: ResourceRequest) -> Provisioned:
        arn = str(request.physical_id)  # nothing changes in place
        return Provisioned(arn, {"FunctionArn": arn, "Version": arn.rsplit(":", 1)[-1]})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            function, _, number = str(request.physical_id).rpartition(":")
            params = {"FunctionName": function, "Qualifier": number}
            self.calls.forget(request, "DeleteFunction", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, VERSION_CREATE_ONLY) else IN_PLACE


class AliasResource:
    type_name = "AWS::Lambda::Alias"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params = {
            "FunctionName": str(props.get("FunctionName", "")),
            "Name": str(props.get("Name", "")),
            "FunctionVersion": str(props.get("FunctionVersion", "")),
            **_alias_settings(props),
        }
        arn = self.calls.call(request, "CreateAlias", params)["AliasArn"]
        config = props.get("ProvisionedConcurrencyConfig")
        _provision(self.calls, request, arn, None, config)
        return Provisioned(arn, {"AliasArn": arn})

    def update(self, request: ResourceRequest) -> Provisioned:
        arn = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        params = {
            "FunctionName": str(new.get("FunctionName", "")),
            "Name": str(new.get("Name", "")),
            "FunctionVersion": str(new.get("FunctionVersion", "")),
            "Description": "",
            "RoutingConfig": {"AdditionalVersionWeights": {}},  # dropped: none
            **_alias_settings(new),
        }
        self.calls.call(request, "UpdateAlias", params)
        _provision(
            self.calls,
            request,
            arn,
            old.get("ProvisionedConcurrencyConfig"),
            new.get("ProvisionedConcurrencyConfig"),
        )
        return Provisioned(arn, {"AliasArn": arn})

    def delete(self, request: ResourceRequest) -> None:
        props = request.properties
        params = {"FunctionName": str(props.get("FunctionName")), "Name": str(props.get("Name"))}
        self.calls.forget(request, "DeleteAlias", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, ALIAS_CREATE_ONLY) else IN_PLACE


def providers(calls: ServiceCalls) -> list:
    return [VersionResource(calls), AliasResource(calls)]


def _alias_settings(props: dict) -> dict:
    found: dict = {}
    if props.get("Description") is not None:
        found["Description"] = str(props["Description"])
    routing = props.get("RoutingConfig")
    if isinstance(routing, dict):
        weights = routing.get("AdditionalVersionWeights") or []
        found["RoutingConfig"] = {
            "AdditionalVersionWeights": {
                str(w.get("FunctionVersion")): float(w.get("FunctionWeight", 0))
                for w in weights
                if isinstance(w, dict)
            }
        }
    return found


def _provision(
    calls: ServiceCalls, request: ResourceRequest, arn: str, old: object, new: object
) -> None:
    """ProvisionedConcurrencyConfig on a version or an alias (`arn` ends with its qualifier),
    put or deleted as the template changed it."""
    if old == new:
        return
    function, _, qualifier = arn.rpartition(":")
    target = {"FunctionName": function, "Qualifier": qualifier}
    if isinstance(new, dict):
        count = new.get("ProvisionedConcurrentExecutions")
        params = {**target, "ProvisionedConcurrentExecutions": count}
        calls.call(request, "PutProvisionedConcurrencyConfig", params)
    else:
        calls.forget(request, "DeleteProvisionedConcurrencyConfig", target)
