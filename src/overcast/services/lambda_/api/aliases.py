"""Lambda's alias operations at the API edge: Create/Get/Update/Delete Alias and ListAliases
(registered in services/lambda_/api/functions.py's OPERATIONS)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.aliases import AliasView
from overcast.services.lambda_.control.plane import ControlPlane


def alias_configuration(view: AliasView) -> dict:
    alias = view.alias
    return {
        "AliasArn": view.alias_arn,
        "Name": alias.name,
        "FunctionVersion": alias.function_version,
        "Description": alias.description,
        "RevisionId": alias.revision_id,
        "RoutingConfig": (
            {"AdditionalVersionWeights": dict(alias.weights)} if alias.weights else None
        ),
    }


def _weights(p: dict) -> dict[str, float] | None:
    routing = p.get("RoutingConfig")
    return None if routing is None else dict(routing.get("AdditionalVersionWeights") or {})


@OPERATIONS("CreateAlias")
def create_alias(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.aliases.create(
        call.region,
        p["FunctionName"],
        p["Name"],
        p["FunctionVersion"],
        description=p.get("Description", ""),
        weights=_weights(p),
    )
    return alias_configuration(view)


@OPERATIONS("GetAlias")
def get_alias(control: ControlPlane, call: Call) -> dict:
    p = call.params
    return alias_configuration(control.aliases.get(call.region, p["FunctionName"], p["Name"]))


@OPERATIONS("UpdateAlias")
def update_alias(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.aliases.update(
        call.region,
        p["FunctionName"],
        p["Name"],
        function_version=p.get("FunctionVersion"),
        description=p.get("Description"),
        weights=_weights(p),
        revision_id=p.get("RevisionId"),
    )
    return alias_configuration(view)


@OPERATIONS("DeleteAlias")
def delete_alias(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.aliases.delete(call.region, p["FunctionName"], p["Name"])


@OPERATIONS("ListAliases")
def list_aliases(control: ControlPlane, call: Call) -> dict:
    p = call.params
    views, marker = control.aliases.list(
        call.region,
        p["FunctionName"],
        function_version=p.get("FunctionVersion"),
        marker=p.get("Marker"),
        max_items=p.get("MaxItems"),
    )
    return {"Aliases": [alias_configuration(v) for v in views], "NextMarker": marker}
