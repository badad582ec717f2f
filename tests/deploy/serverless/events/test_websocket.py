"""`websocket` events compiled as websockets/** compiles them."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.events import websocket
from overcast.deploy.serverless.model import TranslationError

from .compiling import compiled, service, use


def test_routes_make_the_api_integration_permission_stage_and_deployment() -> None:
    stack = compiled(
        websocket,
        service(),
        use("websocket", "$connect"),
        use(
            "websocket", {"route": "send", "routeResponseSelectionExpression": "$default"}, index=2
        ),
    )
    res = stack.resources
    api = res["WebsocketsApi"]["Properties"]
    assert (api["Name"], api["RouteSelectionExpression"], api["ProtocolType"]) == (
        "dev-notes-websockets",
        "$request.body.action",
        "WEBSOCKET",
    )
    assert res["SconnectWebsocketsRoute"]["Properties"]["RouteKey"] == "$connect"
    assert res["sendWebsocketsRouteResponse"]["Properties"]["RouteId"] == {
        "Ref": "sendWebsocketsRoute"
    }
    assert (
        res["sendWebsocketsRoute"]["Properties"]["RouteResponseSelectionExpression"] == "$default"
    )
    assert res["HelloWebsocketsIntegration"]["Properties"]["IntegrationType"] == "AWS_PROXY"
    assert res["HelloLambdaPermissionWebsockets"]["DependsOn"] == [
        "WebsocketsApi",
        "HelloLambdaFunction",
    ]
    deployments = [
        k for k in res if k.startswith("WebsocketsDeployment") and k != "WebsocketsDeploymentStage"
    ]
    assert len(deployments) == 1
    stage = res["WebsocketsDeploymentStage"]["Properties"]
    assert (stage["StageName"], stage["DeploymentId"]) == ("dev", {"Ref": deployments[0]})
    assert stack.outputs["ServiceEndpointWebsocket"]["Value"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": ["WebsocketsApi", "ApiEndpoint"]}, "/dev"]]
    }
    assert stack.role_statements[0]["Action"] == ["execute-api:ManageConnections"]


def test_connect_authorizer_from_a_function() -> None:
    svc = service(
        {"websocketsApiRouteSelectionExpression": "$request.body.route"}, ("hello", "auth")
    )
    stack = compiled(
        websocket,
        svc,
        use(
            "websocket",
            {
                "route": "$connect",
                "authorizer": {
                    "name": "auth",
                    "identitySource": ["route.request.querystring.token"],
                },
            },
        ),
    )
    authorizer = stack.resources["AuthWebsocketsAuthorizer"]["Properties"]
    assert (authorizer["AuthorizerType"], authorizer["IdentitySource"]) == (
        "REQUEST",
        ["route.request.querystring.token"],
    )
    route = stack.resources["SconnectWebsocketsRoute"]["Properties"]
    assert (route["AuthorizationType"], route["AuthorizerId"]) == (
        "CUSTOM",
        {"Ref": "AuthWebsocketsAuthorizer"},
    )
    assert "AuthLambdaPermissionWebsockets" in stack.resources
    assert (
        stack.resources["WebsocketsApi"]["Properties"]["RouteSelectionExpression"]
        == "$request.body.route"
    )


def test_an_authorizer_off_connect_is_refused() -> None:
    with pytest.raises(TranslationError, match=r"events\[1\].websocket.authorizer"):
        compiled(
            websocket,
            service(functions=("hello", "auth")),
            use("websocket", {"route": "send", "authorizer": "auth"}),
        )
