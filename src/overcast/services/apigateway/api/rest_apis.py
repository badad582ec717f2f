"""REST APIs, their resources, methods, method responses, integrations and integration
responses at the API edge. `OPERATIONS` is apigateway's registry; the other api/ modules add
to it."""

from __future__ import annotations

from overcast.aws.operations import Call, Operations
from overcast.services.apigateway import methods, record, resource_tree
from overcast.services.apigateway.api.backend import Backend, page

OPERATIONS = Operations()


@OPERATIONS("CreateRestApi")
def create_rest_api(gateway: Backend, call: Call) -> dict:
    return gateway.rest_apis.create(call.region, call.params)


@OPERATIONS("ImportRestApi")
def import_rest_api(gateway: Backend, call: Call) -> dict:
    return gateway.rest_apis.import_(call.region, call.params["body"])


@OPERATIONS("PutRestApi")
def put_rest_api(gateway: Backend, call: Call) -> dict:
    p = call.params
    return gateway.rest_apis.put(call.region, p["restApiId"], p["body"], p.get("mode"))


@OPERATIONS("GetRestApi")
def get_rest_api(gateway: Backend, call: Call) -> dict:
    return gateway.api(call)["api"]


@OPERATIONS("GetRestApis")
def get_rest_apis(gateway: Backend, call: Call) -> dict:
    return page(gateway.rest_apis.list(call.region), call.params)


@OPERATIONS("UpdateRestApi")
def update_rest_api(gateway: Backend, call: Call) -> dict:
    return gateway.rest_apis.update(call.region, call.params["restApiId"], call.params)


@OPERATIONS("DeleteRestApi")
def delete_rest_api(gateway: Backend, call: Call) -> None:
    gateway.rest_apis.delete(call.region, call.params["restApiId"])


@OPERATIONS("CreateResource")
def create_resource(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return resource_tree.create(kept, p["parentId"], p["pathPart"])


def _embeds_methods(params: dict) -> bool:
    return "methods" in (params.get("embed") or [])


@OPERATIONS("GetResource")
def get_resource(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return resource_tree.shown(record.resource(kept, p["resourceId"]), _embeds_methods(p))


@OPERATIONS("GetResources")
def get_resources(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    embed = _embeds_methods(p)
    return page([resource_tree.shown(r, embed) for r in resource_tree.ordered(kept)], p)


@OPERATIONS("UpdateResource")
def update_resource(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return resource_tree.shown(resource_tree.update(kept, p["resourceId"], p), False)


@OPERATIONS("DeleteResource")
def delete_resource(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        resource_tree.delete(kept, p["resourceId"])


def _method_of(p: dict) -> tuple[str, str]:
    return p["resourceId"], p["httpMethod"]


@OPERATIONS("PutMethod")
def put_method(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.put_method(kept, *_method_of(p), p)


@OPERATIONS("GetMethod")
def get_method(gateway: Backend, call: Call) -> dict:
    p = call.params
    return record.method(gateway.api(call), *_method_of(p))


@OPERATIONS("UpdateMethod")
def update_method(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.update_method(kept, *_method_of(p), p)


@OPERATIONS("DeleteMethod")
def delete_method(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        methods.delete_method(kept, *_method_of(p))


@OPERATIONS("PutMethodResponse")
def put_method_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.put_method_response(kept, *_method_of(p), p)


@OPERATIONS("GetMethodResponse")
def get_method_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return record.method_response(kept, *_method_of(p), p["statusCode"])


@OPERATIONS("UpdateMethodResponse")
def update_method_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.update_method_response(kept, *_method_of(p), p["statusCode"], p)


@OPERATIONS("DeleteMethodResponse")
def delete_method_response(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        methods.delete_method_response(kept, *_method_of(p), p["statusCode"])


@OPERATIONS("PutIntegration")
def put_integration(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.put_integration(kept, *_method_of(p), p)


@OPERATIONS("GetIntegration")
def get_integration(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return record.integration(kept, *_method_of(p))


@OPERATIONS("UpdateIntegration")
def update_integration(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.update_integration(kept, *_method_of(p), p)


@OPERATIONS("DeleteIntegration")
def delete_integration(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        methods.delete_integration(kept, *_method_of(p))


@OPERATIONS("PutIntegrationResponse")
def put_integration_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.put_integration_response(kept, *_method_of(p), p)


@OPERATIONS("GetIntegrationResponse")
def get_integration_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    kept = gateway.api(call)
    return record.integration_response(kept, *_method_of(p), p["statusCode"])


@OPERATIONS("UpdateIntegrationResponse")
def update_integration_response(gateway: Backend, call: Call) -> dict:
    p = call.params
    with gateway.changing(call) as kept:
        return methods.update_integration_response(kept, *_method_of(p), p["statusCode"], p)


@OPERATIONS("DeleteIntegrationResponse")
def delete_integration_response(gateway: Backend, call: Call) -> None:
    p = call.params
    with gateway.changing(call) as kept:
        methods.delete_integration_response(kept, *_method_of(p), p["statusCode"])
