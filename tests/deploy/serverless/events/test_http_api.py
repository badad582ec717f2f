"""httpApi events compiled as http-api.js compiles them."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.events import http_api
from overcast.deploy.serverless.model import TranslationError

from .compiling import compiled, service, use


def test_string_forms_make_the_api_stage_integration_permission_and_routes() -> None:
    stack = compiled(
        http_api, service(), use("httpApi", "GET /notes/{id}"), use("httpApi", "*", index=2)
    )
    res = stack.resources
    assert res["HttpApi"]["Properties"] == {"Name": "dev-notes", "ProtocolType": "HTTP"}
    assert res["HttpApiStage"]["Properties"]["StageName"] == "$default"
    assert res["HttpApiStage"]["Properties"]["AutoDeploy"] is True
    route = res["HttpApiRouteGetNotesIdVar"]
    assert route["Properties"]["RouteKey"] == "GET /notes/{id}"
    assert route["DependsOn"] == "HttpApiIntegrationHello"
    assert res["HttpApiRouteDefault"]["Properties"]["RouteKey"] == "$default"
    integration = res["HttpApiIntegrationHello"]["Properties"]
    assert integration["IntegrationUri"] == {"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]}
    assert (integration["PayloadFormatVersion"], integration["TimeoutInMillis"]) == ("2.0", 30000)
    permission = res["HelloLambdaPermissionHttpApi"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Join"][1][-2:] == [{"Ref": "HttpApi"}, "/*"]
    assert stack.outputs["HttpApiUrl"]["Value"] == {"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]}
    assert stack.outputs["HttpApiId"]["Value"] == {"Ref": "HttpApi"}


def test_cors_true_fills_the_methods_from_the_routes() -> None:
    svc = service({"httpApi": {"cors": True}})
    stack = compiled(
        http_api,
        svc,
        use("httpApi", "POST /a"),
        use("httpApi", {"method": "get", "path": "/b"}, index=2),
    )
    cors = stack.resources["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowMethods"] == ["OPTIONS", "POST", "GET"]
    assert cors["AllowOrigins"] == ["*"]
    assert "X-Api-Key" in cors["AllowHeaders"]
    assert "AllowCredentials" not in cors


def test_cors_object_keeps_what_is_given() -> None:
    given = {
        "allowedOrigins": "https://a.example",
        "allowedMethods": ["GET"],
        "allowCredentials": True,
        "maxAge": 60,
    }
    stack = compiled(http_api, service({"httpApi": {"cors": given}}), use("httpApi", "POST /a"))
    cors = stack.resources["HttpApi"]["Properties"]["CorsConfiguration"]
    assert (cors["AllowOrigins"], cors["AllowMethods"]) == (["https://a.example"], ["GET"])
    assert (cors["AllowCredentials"], cors["MaxAge"]) == (True, 60)


def test_payload_comes_from_the_function_then_the_provider() -> None:
    functions = {"a": {"httpApi": {"payload": "1.0"}}, "b": {}}
    svc = service({"httpApi": {"payload": 2.0}}, functions)
    stack = compiled(http_api, svc, use("httpApi", "GET /a", "a"), use("httpApi", "GET /b", "b"))
    assert stack.resources["HttpApiIntegrationA"]["Properties"]["PayloadFormatVersion"] == "1.0"
    assert stack.resources["HttpApiIntegrationB"]["Properties"]["PayloadFormatVersion"] == "2.0"


def test_jwt_authorizer_and_its_route() -> None:
    authorizers = {
        "auth0": {
            "identitySource": "$request.header.Authorization",
            "issuerUrl": "https://i",
            "audience": "x",
        }
    }
    svc = service({"httpApi": {"authorizers": authorizers}})
    event = {"method": "GET", "path": "/me", "authorizer": {"name": "auth0", "scopes": ["read"]}}
    stack = compiled(http_api, svc, use("httpApi", event))
    authorizer = stack.resources["HttpApiAuthorizerAuth0"]["Properties"]
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["JwtConfiguration"] == {"Audience": ["x"], "Issuer": "https://i"}
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    route = stack.resources["HttpApiRouteGetMe"]["Properties"]
    assert route["AuthorizationType"] == "JWT"
    assert route["AuthorizerId"] == {"Ref": "HttpApiAuthorizerAuth0"}
    assert route["AuthorizationScopes"] == ["read"]


def test_request_authorizer_gets_its_function_uri_and_permission() -> None:
    authorizers = {
        "custom": {"type": "request", "functionName": "guard", "enableSimpleResponses": True}
    }
    svc = service({"httpApi": {"authorizers": authorizers}}, ("hello", "guard"))
    stack = compiled(
        http_api, svc, use("httpApi", {"method": "GET", "path": "/x", "authorizer": "custom"})
    )
    authorizer = stack.resources["HttpApiAuthorizerCustom"]["Properties"]
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["AuthorizerPayloadFormatVersion"] == "2.0"
    assert {"Fn::GetAtt": ["GuardLambdaFunction", "Arn"]} in authorizer["AuthorizerUri"][
        "Fn::Join"
    ][1]
    assert "CustomLambdaAuthorizerPermissionHttpApi" in stack.resources
    assert stack.resources["HttpApiRouteGetX"]["Properties"]["AuthorizationType"] == "CUSTOM"


def test_aws_iam_route_and_an_existing_api() -> None:
    svc = service({"httpApi": {"id": "abc123"}})
    stack = compiled(
        http_api,
        svc,
        use("httpApi", {"method": "GET", "path": "/x", "authorizer": {"type": "aws_iam"}}),
    )
    assert "HttpApi" not in stack.resources and "HttpApiUrl" not in stack.outputs
    route = stack.resources["HttpApiRouteGetX"]["Properties"]
    assert (route["ApiId"], route["AuthorizationType"]) == ("abc123", "AWS_IAM")


def test_provisioned_concurrency_routes_to_the_alias() -> None:
    svc = service(functions={"hello": {"provisionedConcurrency": 2}})
    stack = compiled(http_api, svc, use("httpApi", "GET /x"))
    integration = stack.resources["HttpApiIntegrationHello"]
    assert integration["DependsOn"] == "HelloProvConcLambdaAlias"
    assert integration["Properties"]["IntegrationUri"]["Fn::Join"][1][1] == "provisioned"


@pytest.mark.parametrize(
    ("provider", "event", "fault"),
    [
        ({}, "FETCH /x", "must be '*' or '<METHOD> /<path>'"),
        ({}, {"path": "/x"}, 'missing "method"'),
        (
            {},
            {"method": "GET", "path": "/x", "authorizer": "nope"},
            "unconfigured authorizer 'nope'",
        ),
        ({"httpApi": {"id": "a", "cors": True}}, "GET /x", "provider.httpApi.cors"),
        (
            {"httpApi": {"authorizers": {"r": {"type": "request"}}}},
            "GET /x",
            "provider.httpApi.authorizers.r",
        ),
    ],
)
def test_wrong_configs_name_the_key_at_fault(provider: dict, event: object, fault: str) -> None:
    with pytest.raises(TranslationError, match=fault.replace("*", r"\*").replace("(", r"\(")):
        compiled(http_api, service(provider), use("httpApi", event))


def test_a_duplicate_route_is_refused() -> None:
    with pytest.raises(TranslationError, match="duplicate route 'GET /x'"):
        compiled(http_api, service(), use("httpApi", "GET /x"), use("httpApi", "get /x", index=2))


def test_no_events_compile_nothing() -> None:
    assert compiled(http_api, service()).resources == {}
