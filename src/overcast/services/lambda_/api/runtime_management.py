"""Lambda's Put/GetRuntimeManagementConfig at the API edge (control/runtime_management.py).
Registered with the same `operation` table as functions.py beside it."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.control.runtime_management import RuntimeManagementView


def runtime_management_config(view: RuntimeManagementView) -> dict:
    """Get's and Put's answer: RuntimeVersionArn only in Manual mode (None is left out)."""
    return {
        "UpdateRuntimeOn": view.config.update_runtime_on.value,
        "FunctionArn": view.function_arn,
        "RuntimeVersionArn": view.config.runtime_version_arn,
    }


@OPERATIONS("GetRuntimeManagementConfig")
def get_runtime_management_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.runtime_management.get(call.region, p["FunctionName"], p.get("Qualifier"))
    return runtime_management_config(view)


@OPERATIONS("PutRuntimeManagementConfig")
def put_runtime_management_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.runtime_management.put(
        call.region,
        p["FunctionName"],
        p.get("Qualifier"),
        p["UpdateRuntimeOn"],
        p.get("RuntimeVersionArn"),
    )
    return runtime_management_config(view)
