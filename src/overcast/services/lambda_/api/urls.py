"""Lambda's function URL operations at the API edge: Create/Get/Update/Delete and
ListFunctionUrlConfigs. Registered with the same `operation` table as functions.py beside it.

FunctionUrl is built from the address the request reached this server by, as GetFunction's
Code.Location is: `http://127.0.0.1:9000/lambda-url/{url_id}/`.
"""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.lambda_.api.functions import OPERATIONS
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.control.urls import UrlView
from overcast.services.lambda_.model.url import DEFAULT_INVOKE_MODE, function_url


def url_configuration(
    view: UrlView, call: Call, *, modified: bool = True, stored_mode: bool = False
) -> dict:
    """Get/UpdateFunctionUrlConfig's answer (and a list item); Create's lacks LastModifiedTime.

    Get and List show InvokeMode always (BUFFERED unless set); Create and Update show it only
    once it was set (`stored_mode`), as Lambda's do."""
    config = view.config
    route = config.route
    mode = route.invoke_mode if stored_mode else route.invoke_mode or DEFAULT_INVOKE_MODE
    out = {
        "FunctionUrl": function_url(call.base_url, route.url_id),
        "FunctionArn": view.function_arn,
        "AuthType": route.auth_type,
        "Cors": dict(route.cors) if route.cors else None,
        "CreationTime": config.creation_time,
        "InvokeMode": mode,
    }
    if modified:
        out["LastModifiedTime"] = config.last_modified_time
    return out


@OPERATIONS("CreateFunctionUrlConfig")
def create_function_url_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.urls.create(
        call.region,
        p["FunctionName"],
        p.get("Qualifier"),
        auth_type=p["AuthType"],
        cors=p.get("Cors"),
        invoke_mode=p.get("InvokeMode"),
    )
    return url_configuration(view, call, modified=False, stored_mode=True)


@OPERATIONS("GetFunctionUrlConfig")
def get_function_url_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    return url_configuration(
        control.urls.get(call.region, p["FunctionName"], p.get("Qualifier")), call
    )


@OPERATIONS("UpdateFunctionUrlConfig")
def update_function_url_config(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.urls.update(
        call.region,
        p["FunctionName"],
        p.get("Qualifier"),
        auth_type=p.get("AuthType"),
        cors=p.get("Cors"),
        invoke_mode=p.get("InvokeMode"),
    )
    return url_configuration(view, call, stored_mode=True)


@OPERATIONS("DeleteFunctionUrlConfig")
def delete_function_url_config(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.urls.delete(call.region, p["FunctionName"], p.get("Qualifier"))


@OPERATIONS("ListFunctionUrlConfigs")
def list_function_url_configs(control: ControlPlane, call: Call) -> dict:
    p = call.params
    views, marker = control.urls.list(
        call.region, p["FunctionName"], marker=p.get("Marker"), max_items=p.get("MaxItems")
    )
    return {
        "FunctionUrlConfigs": [url_configuration(v, call) for v in views],
        "NextMarker": marker,
    }
