"""Lambda's concurrency operations at the API edge: reserved concurrency (a function's share
of the account) and provisioned concurrency (initialised environments kept for a version or
alias). Registered with the same `operation` table as services/lambda_/api/functions.py.
"""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.concurrency import ProvisionedView
from overcast.services.lambda_.control.plane import ControlPlane

# --- reserved concurrency ----------------------------------------------------------------


@OPERATIONS("PutFunctionConcurrency")
def put_function_concurrency(control: ControlPlane, call: Call) -> dict:
    p = call.params
    count = control.concurrency.put_reserved(
        call.region, p["FunctionName"], p["ReservedConcurrentExecutions"]
    )
    return {"ReservedConcurrentExecutions": count}


@OPERATIONS("GetFunctionConcurrency")
def get_function_concurrency(control: ControlPlane, call: Call) -> dict:
    # Lambda answers `{}` for a function without a reservation.
    count = control.concurrency.get_reserved(call.region, call.params["FunctionName"])
    return {"ReservedConcurrentExecutions": count}


@OPERATIONS("DeleteFunctionConcurrency")
def delete_function_concurrency(control: ControlPlane, call: Call) -> None:
    control.concurrency.delete_reserved(call.region, call.params["FunctionName"])


# --- provisioned concurrency -------------------------------------------------------------


def provisioned_configuration(view: ProvisionedView, *, listed: bool = False) -> dict:
    """Get/PutProvisionedConcurrencyConfig's answer; list items add the qualified ARN."""
    status = view.status
    out = {
        "RequestedProvisionedConcurrentExecutions": view.config.requested,
        "AvailableProvisionedConcurrentExecutions": status.available,
        "AllocatedProvisionedConcurrentExecutions": status.allocated,
        "Status": status.status,
        "StatusReason": status.reason,
        "LastModified": view.config.last_modified,
    }
    return {"FunctionArn": view.function_arn, **out} if listed else out


@OPERATIONS("PutProvisionedConcurrencyConfig")
def put_provisioned_concurrency_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.concurrency.put_provisioned(
        call.region, p["FunctionName"], p["Qualifier"], p["ProvisionedConcurrentExecutions"]
    )
    return provisioned_configuration(view)


@OPERATIONS("GetProvisionedConcurrencyConfig")
def get_provisioned_concurrency_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.concurrency.get_provisioned(call.region, p["FunctionName"], p["Qualifier"])
    return provisioned_configuration(view)


@OPERATIONS("DeleteProvisionedConcurrencyConfig")
def delete_provisioned_concurrency_config(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.concurrency.delete_provisioned(call.region, p["FunctionName"], p["Qualifier"])


@OPERATIONS("ListProvisionedConcurrencyConfigs")
def list_provisioned_concurrency_configs(control: ControlPlane, call: Call) -> dict:
    p = call.params
    views, marker = control.concurrency.list_provisioned(
        call.region, p["FunctionName"], marker=p.get("Marker"), max_items=p.get("MaxItems")
    )
    return {
        "ProvisionedConcurrencyConfigs": [provisioned_configuration(v, listed=True) for v in views],
        "NextMarker": marker,
    }
