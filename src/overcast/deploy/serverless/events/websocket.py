"""`websocket` events: one WebSocket API (API Gateway v2) for the service's routes, compiled as
the framework's lib/plugins/aws/package/compile/events/websockets/** compiles them.

Resources: WebsocketsApi, <Fn>WebsocketsIntegration, <Route>WebsocketsRoute (and its
Response with `routeResponseSelectionExpression`), <Name>WebsocketsAuthorizer on `$connect`,
<Fn>LambdaPermissionWebsockets, WebsocketsDeploymentStage and WebsocketsDeployment<hash>
(the hash of the API's part of the template, so a changed API is deployed again); output
ServiceEndpointWebsocket; and `execute-api:ManageConnections` on the functions' role, so they
can post to their connections.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target as target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

DEFAULT_IDENTITY_SOURCE = ["route.request.header.Auth"]
DEFAULT_DESCRIPTION = "Serverless Websockets"


@dataclass
class Authorizer:
    name: str
    function_arn: Any  # what AuthorizerUri invokes
    permission: Any  # a local function's key, or the ARN the permission names
    local: bool  # the authorizer is one of this service's functions
    identity_source: list[str]


@dataclass
class Route:
    function_key: str
    route: str
    response_selection: str | None = None
    authorizer: Authorizer | None = None


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    routes = [_route(service, use) for use in uses]
    if not routes:
        return
    gateway = service.provider.get("apiGateway") or {}
    external = gateway.get("websocketApiId")
    api_id = external or {"Ref": naming.WEBSOCKETS_API_LOGICAL_ID}
    if not external:
        _compile_api(stack, service)
    stack.role_statements.append(
        {
            "Effect": "Allow",
            "Action": ["execute-api:ManageConnections"],
            "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:execute-api:*:*:*/@connections/*"}],
        }
    )
    for route in routes:
        _compile_integration(stack, service, route, api_id)
    for route in routes:
        _compile_route(stack, service, route, api_id)
    if not external:
        stack.add(
            naming.WEBSOCKETS_STAGE_LOGICAL_ID,
            "AWS::ApiGatewayV2::Stage",
            {"ApiId": api_id, "StageName": service.stage, "Description": _description(service)},
        )
    _compile_deployment(stack, service, routes, api_id, external)


def _description(service: Service) -> str:
    return service.provider.get("websocketsDescription") or DEFAULT_DESCRIPTION


def _route(service: Service, use: EventUse) -> Route:
    event = use.config
    if isinstance(event, str):
        return Route(use.function_key, event)
    if not isinstance(event, dict) or not isinstance(event.get("route"), str):
        raise TranslationError(f'{use.path}: needs a "route" ($connect, $default, sendMessage...)')
    route = Route(use.function_key, event["route"], event.get("routeResponseSelectionExpression"))
    if event.get("authorizer") is not None:
        if route.route != "$connect":
            raise TranslationError(
                f"{use.path}.authorizer: only the $connect route takes an authorizer"
            )
        route.authorizer = _authorizer(service, event["authorizer"], f"{use.path}.authorizer")
    return route


def _authorizer(service: Service, given: Any, where: str) -> Authorizer:
    """A function's name, an ARN, or {name | arn, identitySource} (websockets/lib/validate.js)."""
    if isinstance(given, str):
        given = {"arn": given} if ":" in given else {"name": given}
    if not isinstance(given, dict):
        raise TranslationError(f"{where}: must be a function name, an ARN or an object")
    identity = _as_list(given.get("identitySource") or DEFAULT_IDENTITY_SOURCE)
    arn = given.get("arn")
    if arn:
        if not isinstance(arn, str) and not given.get("name"):
            raise TranslationError(f'{where}: a non-string "arn" needs to be accompanied by "name"')
        name = given.get("name") if not isinstance(arn, str) else arn.split(":")[-1]
        return Authorizer(name, arn, arn, False, identity)
    name = given.get("name")
    if not name:
        raise TranslationError(f'{where}: needs a function "name" or an "arn"')
    if name not in service.functions:
        raise TranslationError(f'{where}: function "{name}" not found in service')
    return Authorizer(name, target.function_target(service, name), name, True, identity)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _compile_api(stack: Stack, service: Service) -> None:
    provider = service.provider
    name = provider.get("websocketsApiName")
    if not (isinstance(name, str) and name):
        name = f"{service.stage}-{service.name}-websockets"  # naming.js getWebsocketsApiName
    properties: dict[str, Any] = {
        "Name": name,
        "RouteSelectionExpression": provider.get("websocketsApiRouteSelectionExpression")
        or "$request.body.action",
        "Description": _description(service),
        "ProtocolType": "WEBSOCKET",
    }
    if provider.get("tags") and (provider.get("websocket") or {}).get("useProviderTags"):
        properties["Tags"] = dict(provider["tags"])
    stack.add(naming.WEBSOCKETS_API_LOGICAL_ID, "AWS::ApiGatewayV2::Api", properties)


def _compile_integration(stack: Stack, service: Service, route: Route, api_id: Any) -> None:
    key = route.function_key
    logical_id = naming.websockets_integration_logical_id(key)
    if logical_id in stack.resources:
        return  # one integration per function, whatever its routes
    alias = target.alias_logical_id(service, key)
    stack.add(
        logical_id,
        "AWS::ApiGatewayV2::Integration",
        {
            "ApiId": api_id,
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": target.invocation_uri(target.function_target(service, key)),
        },
        **target.depends(alias),
    )
    api_ref = api_id.get("Ref") if isinstance(api_id, dict) else None
    stack.add(
        naming.lambda_websockets_permission_logical_id(key),
        "AWS::Lambda::Permission",
        target.permission(target.function_target(service, key)),
        DependsOn=[x for x in (api_ref, alias or naming.function_logical_id(key)) if x],
    )


def _compile_route(stack: Stack, service: Service, route: Route, api_id: Any) -> None:
    route_id = naming.websockets_route_logical_id(route.route)
    integration_id = naming.websockets_integration_logical_id(route.function_key)
    properties: dict[str, Any] = {
        "ApiId": api_id,
        "RouteKey": route.route,
        "AuthorizationType": "NONE",
        "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration_id}]]},
    }
    if route.response_selection:
        properties["RouteResponseSelectionExpression"] = route.response_selection
        stack.add(
            naming.websockets_route_response_logical_id(route.route),
            "AWS::ApiGatewayV2::RouteResponse",
            {"ApiId": api_id, "RouteId": {"Ref": route_id}, "RouteResponseKey": "$default"},
        )
    if route.authorizer:
        authorizer_id = _compile_authorizer(stack, service, route.authorizer, api_id)
        properties["AuthorizationType"] = "CUSTOM"
        properties["AuthorizerId"] = {"Ref": authorizer_id}
    stack.add(route_id, "AWS::ApiGatewayV2::Route", properties)


def _compile_authorizer(stack: Stack, service: Service, authorizer: Authorizer, api_id: Any) -> str:
    logical_id = naming.websockets_authorizer_logical_id(authorizer.name)
    alias = target.alias_logical_id(service, authorizer.name) if authorizer.local else None
    stack.add(
        logical_id,
        "AWS::ApiGatewayV2::Authorizer",
        {
            "ApiId": api_id,
            "Name": authorizer.name,
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": target.invocation_uri(authorizer.function_arn),
            "IdentitySource": authorizer.identity_source,
        },
        **target.depends(alias),
    )
    api_ref = api_id.get("Ref") if isinstance(api_id, dict) else None
    waits = [api_ref] if api_ref else []
    if authorizer.local:
        waits += [naming.function_logical_id(authorizer.name), alias]
    permission_id = naming.lambda_websockets_permission_logical_id(authorizer.name)
    if permission_id not in stack.resources:
        stack.add(
            permission_id,
            "AWS::Lambda::Permission",
            target.permission(authorizer.function_arn),
            DependsOn=[x for x in waits if x],
        )
    return logical_id


def _compile_deployment(
    stack: Stack, service: Service, routes: list[Route], api_id: Any, external: Any
) -> None:
    waits: list[str] = []
    for route in routes:
        if route.response_selection:
            waits.append(naming.websockets_route_response_logical_id(route.route))
        waits.append(naming.websockets_route_logical_id(route.route))
    part = {
        logical_id: resource
        for logical_id, resource in stack.resources.items()
        if _belongs_to_api(logical_id, resource)
    }
    digest = hashlib.sha256(json.dumps(part, sort_keys=True, default=str).encode()).digest()
    logical_id = naming.websockets_deployment_logical_id(base64.b64encode(digest).decode())
    properties: dict[str, Any] = {"ApiId": api_id, "Description": _description(service)}
    if external:
        properties["StageName"] = service.stage
    stack.add(logical_id, "AWS::ApiGatewayV2::Deployment", properties, DependsOn=waits)
    stage = stack.resources.get(naming.WEBSOCKETS_STAGE_LOGICAL_ID)
    if stage:
        stage["Properties"]["DeploymentId"] = {"Ref": logical_id}
    # The framework joins `wss://<id>.execute-api.<region>.<suffix>/<stage>`; AWS's
    # ApiEndpoint is that URL's first part, and Overcast's is where it serves the API.
    endpoint: Any = {"Fn::GetAtt": [naming.WEBSOCKETS_API_LOGICAL_ID, "ApiEndpoint"]}
    if external:
        endpoint = {
            "Fn::Join": [
                "",
                ["wss://", api_id, ".execute-api.", {"Ref": "AWS::Region"}, ".",
                 {"Ref": "AWS::URLSuffix"}],
            ]
        }  # fmt: skip
    stack.output(
        "ServiceEndpointWebsocket",
        {"Fn::Join": ["", [endpoint, f"/{service.stage}"]]},
        "URL of the service endpoint",
    )


def _belongs_to_api(logical_id: str, resource: dict[str, Any]) -> bool:
    """pick-websockets-template-part.js: the API, what names it by ApiId, what waits on it."""
    if logical_id == naming.WEBSOCKETS_API_LOGICAL_ID:
        return True
    properties = resource.get("Properties") or {}
    if (properties.get("ApiId") or {}) == {"Ref": naming.WEBSOCKETS_API_LOGICAL_ID}:
        return True
    depends = resource.get("DependsOn")
    return isinstance(depends, list) and naming.WEBSOCKETS_API_LOGICAL_ID in depends
