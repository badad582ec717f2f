"""AWS::Lambda::Permission and AWS::Lambda::LayerVersionPermission: statements in a function's
or a layer version's resource-based policy, added through Lambda's own API operations.

As the CloudFormation resource reference and resource schemas have them: every property of
both is create-only (a change replaces the statement); the statement id is generated,
`<stack>-<logical id>-<random>` (a StatementId is at most 100 characters).
- AWS::Lambda::Permission: Ref and Fn::GetAtt `Id` are the statement id.
- AWS::Lambda::LayerVersionPermission: Ref and Fn::GetAtt `Id` are
  `<LayerVersionArn>#<statement id>`, from which a delete finds the statement.
"""

from __future__ import annotations

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    present,
)
from overcast.services.lambda_.resources.layers import layer_version

PERMISSION_CREATE_ONLY = frozenset(
    {
        "Action",
        "EventSourceToken",
        "FunctionName",
        "FunctionUrlAuthType",
        "InvokedViaFunctionUrl",
        "Principal",
        "PrincipalOrgID",
        "SourceAccount",
        "SourceArn",
    }
)
LAYER_PERMISSION_CREATE_ONLY = frozenset(
    {"Action", "LayerVersionArn", "OrganizationId", "Principal"}
)
MAX_STATEMENT_ID = 100


class PermissionResource:
    type_name = "AWS::Lambda::Permission"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        statement = physical_name(request.stack_name, request.logical_id, MAX_STATEMENT_ID)
        given = present(request.properties, PERMISSION_CREATE_ONLY)
        params: dict[str, object] = {"StatementId": statement}
        params.update((k, str(v)) for k, v in given.items() if k != "InvokedViaFunctionUrl")
        if "InvokedViaFunctionUrl" in given:  # a boolean: a public URL's InvokeFunction grant
            params["InvokedViaFunctionUrl"] = str(given["InvokedViaFunctionUrl"]).lower() == "true"
        self.calls.call(request, "AddPermission", params)
        return Provisioned(statement, {"Id": statement})

    def update(self, request: ResourceRequest) -> Provisioned:
        statement = str(request.physical_id)  # nothing changes in place
        return Provisioned(statement, {"Id": statement})

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {
                "FunctionName": str(request.properties.get("FunctionName", "")),
                "StatementId": str(request.physical_id),
            }
            self.calls.forget(request, "RemovePermission", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, PERMISSION_CREATE_ONLY) else IN_PLACE


class LayerVersionPermissionResource:
    type_name = "AWS::Lambda::LayerVersionPermission"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        arn = str(props.get("LayerVersionArn", ""))
        statement = physical_name(request.stack_name, request.logical_id, MAX_STATEMENT_ID)
        params = {**layer_version(arn), "StatementId": statement}
        for name in ("Action", "Principal", "OrganizationId"):
            if props.get(name) is not None:
                params[name] = str(props[name])
        self.calls.call(request, "AddLayerVersionPermission", params)
        permission_id = f"{arn}#{statement}"
        return Provisioned(permission_id, {"Id": permission_id})

    def update(self, request: ResourceRequest) -> Provisioned:
        permission_id = str(request.physical_id)
        return Provisioned(permission_id, {"Id": permission_id})

    def delete(self, request: ResourceRequest) -> None:
        arn, _, statement = str(request.physical_id or "").rpartition("#")
        if arn and statement:
            params = {**layer_version(arn), "StatementId": statement}
            self.calls.forget(request, "RemoveLayerVersionPermission", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, LAYER_PERMISSION_CREATE_ONLY) else IN_PLACE


def providers(calls: ServiceCalls) -> list:
    return [PermissionResource(calls), LayerVersionPermissionResource(calls)]
