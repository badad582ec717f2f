"""Lambda's asynchronous-invocation settings at the API edge: Put/Get/Update/Delete/
ListFunctionEventInvokeConfig(s) and Put/GetFunctionRecursionConfig. Registered with the same
`operation` table as services/lambda_/api/functions.py."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.event_invoke import UNCHANGED, EventInvokeView
from overcast.services.lambda_.control.plane import ControlPlane


def event_invoke_configuration(view: EventInvokeView) -> dict:
    config = view.config
    return {
        "LastModified": config.last_modified,
        "FunctionArn": view.function_arn,
        "MaximumRetryAttempts": config.maximum_retry_attempts,
        "MaximumEventAgeInSeconds": config.maximum_event_age_s,
        "DestinationConfig": {
            "OnSuccess": {"Destination": config.on_success} if config.on_success else {},
            "OnFailure": {"Destination": config.on_failure} if config.on_failure else {},
        },
    }


def _destination(p: dict, which: str) -> object:
    """A destination ARN from the request: None to clear it, UNCHANGED when not mentioned."""
    destinations = p.get("DestinationConfig")
    if destinations is None or which not in destinations:
        return UNCHANGED
    return destinations[which].get("Destination") or None


def _settings(p: dict) -> dict:
    return {
        "retries": p.get("MaximumRetryAttempts", UNCHANGED),
        "max_age_s": p.get("MaximumEventAgeInSeconds", UNCHANGED),
        "on_success": _destination(p, "OnSuccess"),
        "on_failure": _destination(p, "OnFailure"),
    }


@OPERATIONS("PutFunctionEventInvokeConfig")
def put_function_event_invoke_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    given = {k: None if v is UNCHANGED else v for k, v in _settings(p).items()}
    view = control.event_invoke.put(call.region, p["FunctionName"], p.get("Qualifier"), **given)
    return event_invoke_configuration(view)


@OPERATIONS("UpdateFunctionEventInvokeConfig")
def update_function_event_invoke_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.event_invoke.update(
        call.region, p["FunctionName"], p.get("Qualifier"), **_settings(p)
    )
    return event_invoke_configuration(view)


@OPERATIONS("GetFunctionEventInvokeConfig")
def get_function_event_invoke_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.event_invoke.get(call.region, p["FunctionName"], p.get("Qualifier"))
    return event_invoke_configuration(view)


@OPERATIONS("DeleteFunctionEventInvokeConfig")
def delete_function_event_invoke_config(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.event_invoke.delete(call.region, p["FunctionName"], p.get("Qualifier"))


@OPERATIONS("ListFunctionEventInvokeConfigs")
def list_function_event_invoke_configs(control: ControlPlane, call: Call) -> dict:
    p = call.params
    views, marker = control.event_invoke.list(
        call.region, p["FunctionName"], marker=p.get("Marker"), max_items=p.get("MaxItems")
    )
    return {
        "FunctionEventInvokeConfigs": [event_invoke_configuration(v) for v in views],
        "NextMarker": marker,
    }


@OPERATIONS("PutFunctionRecursionConfig")
def put_function_recursion_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    loop = control.event_invoke.set_recursion(call.region, p["FunctionName"], p["RecursiveLoop"])
    return {"RecursiveLoop": loop}


@OPERATIONS("GetFunctionRecursionConfig")
def get_function_recursion_config(control: ControlPlane, call: Call) -> dict:
    loop = control.event_invoke.recursion(call.region, call.params["FunctionName"])
    return {"RecursiveLoop": loop}
