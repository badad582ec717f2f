"""apigatewayv2 routes and integrations at the API edge: Create/Get/Update/Delete Route and
Integration, GetRoutes, GetIntegrations (registered in apis.py's OPERATIONS beside it)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.apigatewayv2.api.apis import OPERATIONS, extra_members, max_results
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.model.http_api import Integration, Route

ROUTE_MEMBERS = {"ApiId", "RouteId", "RouteKey", "Target", "AuthorizationType", "AuthorizerId"}
INTEGRATION_MEMBERS = {
    "ApiId",
    "IntegrationId",
    "IntegrationType",
    "IntegrationUri",
    "PayloadFormatVersion",
    "TimeoutInMillis",
}


def route_description(route: Route) -> dict:
    return {
        "ApiKeyRequired": False,
        **route.extra,
        "ApiGatewayManaged": route.managed or None,
        "AuthorizationType": route.authorization_type,
        "AuthorizerId": route.authorizer_id,
        "RouteId": route.route_id,
        "RouteKey": route.route_key,
        "Target": route.target,
    }


def integration_description(integration: Integration) -> dict:
    return {
        "ConnectionType": "INTERNET",
        "IntegrationMethod": "POST",
        **integration.extra,
        "ApiGatewayManaged": integration.managed or None,
        "IntegrationId": integration.integration_id,
        "IntegrationType": integration.integration_type,
        "IntegrationUri": integration.integration_uri,
        "PayloadFormatVersion": integration.payload_format_version,
        "TimeoutInMillis": integration.timeout_ms,
    }


@OPERATIONS("CreateRoute")
def create_route(service: HttpApiService, call: Call) -> dict:
    p = call.params
    route = service.routes.create_route(
        call.region,
        p["ApiId"],
        route_key=p["RouteKey"],
        target=p.get("Target"),
        authorization_type=p.get("AuthorizationType"),
        authorizer_id=p.get("AuthorizerId"),
        extra=extra_members(p, ROUTE_MEMBERS),
    )
    return route_description(route)


@OPERATIONS("GetRoute")
def get_route(service: HttpApiService, call: Call) -> dict:
    p = call.params
    return route_description(service.routes.get_route(call.region, p["ApiId"], p["RouteId"]))


@OPERATIONS("GetRoutes")
def get_routes(service: HttpApiService, call: Call) -> dict:
    p = call.params
    routes, token = service.routes.list_routes(
        call.region, p["ApiId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [route_description(r) for r in routes], "NextToken": token}


@OPERATIONS("UpdateRoute")
def update_route(service: HttpApiService, call: Call) -> dict:
    p = call.params
    route = service.routes.update_route(
        call.region,
        p["ApiId"],
        p["RouteId"],
        route_key=p.get("RouteKey"),
        target=p.get("Target"),
        authorization_type=p.get("AuthorizationType"),
        authorizer_id=p.get("AuthorizerId"),
        extra=extra_members(p, ROUTE_MEMBERS),
    )
    return route_description(route)


@OPERATIONS("DeleteRoute")
def delete_route(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.routes.delete_route(call.region, p["ApiId"], p["RouteId"])


@OPERATIONS("CreateIntegration")
def create_integration(service: HttpApiService, call: Call) -> dict:
    p = call.params
    integration = service.routes.create_integration(
        call.region,
        p["ApiId"],
        integration_type=p["IntegrationType"],
        integration_uri=p.get("IntegrationUri"),
        payload_format_version=p.get("PayloadFormatVersion"),
        timeout_ms=p.get("TimeoutInMillis"),
        extra=extra_members(p, INTEGRATION_MEMBERS),
    )
    return integration_description(integration)


@OPERATIONS("GetIntegration")
def get_integration(service: HttpApiService, call: Call) -> dict:
    p = call.params
    integration = service.routes.get_integration(call.region, p["ApiId"], p["IntegrationId"])
    return integration_description(integration)


@OPERATIONS("GetIntegrations")
def get_integrations(service: HttpApiService, call: Call) -> dict:
    p = call.params
    integrations, token = service.routes.list_integrations(
        call.region, p["ApiId"], p.get("NextToken"), max_results(p)
    )
    return {"Items": [integration_description(i) for i in integrations], "NextToken": token}


@OPERATIONS("UpdateIntegration")
def update_integration(service: HttpApiService, call: Call) -> dict:
    p = call.params
    integration = service.routes.update_integration(
        call.region,
        p["ApiId"],
        p["IntegrationId"],
        integration_type=p.get("IntegrationType"),
        integration_uri=p.get("IntegrationUri"),
        payload_format_version=p.get("PayloadFormatVersion"),
        timeout_ms=p.get("TimeoutInMillis"),
        extra=extra_members(p, INTEGRATION_MEMBERS),
    )
    return integration_description(integration)


@OPERATIONS("DeleteIntegration")
def delete_integration(service: HttpApiService, call: Call) -> None:
    p = call.params
    service.routes.delete_integration(call.region, p["ApiId"], p["IntegrationId"])
