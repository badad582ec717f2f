"""Lambda's resource-based policy operations at the API edge: AddPermission, RemovePermission,
GetPolicy. Statements and policies go on the wire as JSON strings, as Lambda sends them."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.model.policy import Grant, compact


@OPERATIONS("AddPermission")
def add_permission(control: ControlPlane, call: Call) -> dict:
    p = call.params
    grant = Grant(
        statement_id=p["StatementId"],
        action=p["Action"],
        principal=p["Principal"],
        source_arn=p.get("SourceArn"),
        source_account=p.get("SourceAccount"),
        event_source_token=p.get("EventSourceToken"),
        principal_org_id=p.get("PrincipalOrgID"),
        function_url_auth_type=p.get("FunctionUrlAuthType"),
        invoked_via_function_url=p.get("InvokedViaFunctionUrl"),
    )
    statement = control.permissions.add(
        call.region,
        p["FunctionName"],
        p.get("Qualifier"),
        grant,
        revision_id=p.get("RevisionId"),
    )
    return {"Statement": compact(statement)}


@OPERATIONS("RemovePermission")
def remove_permission(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.permissions.remove(
        call.region,
        p["FunctionName"],
        p.get("Qualifier"),
        p["StatementId"],
        revision_id=p.get("RevisionId"),
    )


@OPERATIONS("GetPolicy")
def get_policy(control: ControlPlane, call: Call) -> dict:
    p = call.params
    policy = control.permissions.get(call.region, p["FunctionName"], p.get("Qualifier"))
    return {"Policy": compact(policy.document()), "RevisionId": policy.revision_id}
