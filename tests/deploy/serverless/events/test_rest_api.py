"""`http` events compiled as api-gateway/** compiles them."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.events import rest_api
from overcast.deploy.serverless.model import TranslationError

from .compiling import compiled, service, use


def _deployment(stack) -> tuple[str, dict]:
    found = [(k, v) for k, v in stack.resources.items() if k.startswith("ApiGatewayDeployment")]
    assert len(found) == 1
    return found[0]


def test_proxy_events_make_the_api_tree_methods_deployment_and_permission() -> None:
    stack = compiled(
        rest_api,
        service(),
        use("http", "GET notes/{id}"),
        use("http", {"method": "post", "path": "/notes"}, index=2),
    )
    res = stack.resources
    assert res["ApiGatewayRestApi"]["Properties"]["Name"] == "dev-notes"
    assert res["ApiGatewayRestApi"]["Properties"]["EndpointConfiguration"] == {"Types": ["EDGE"]}
    assert res["ApiGatewayResourceNotes"]["Properties"]["ParentId"] == {
        "Fn::GetAtt": ["ApiGatewayRestApi", "RootResourceId"]
    }
    assert res["ApiGatewayResourceNotesIdVar"]["Properties"] == {
        "ParentId": {"Ref": "ApiGatewayResourceNotes"},
        "PathPart": "{id}",
        "RestApiId": {"Ref": "ApiGatewayRestApi"},
    }
    method = res["ApiGatewayMethodNotesIdVarGet"]
    assert method["DependsOn"] == ["HelloLambdaPermissionApiGateway"]
    props = method["Properties"]
    assert (props["HttpMethod"], props["AuthorizationType"], props["ApiKeyRequired"]) == (
        "GET",
        "NONE",
        False,
    )
    assert props["Integration"]["Type"] == "AWS_PROXY"
    assert props["Integration"]["IntegrationHttpMethod"] == "POST"
    assert "ApiGatewayMethodNotesPost" in res
    name, deployment = _deployment(stack)
    assert deployment["Properties"]["StageName"] == "dev"
    assert set(deployment["DependsOn"]) == {
        "ApiGatewayMethodNotesIdVarGet",
        "ApiGatewayMethodNotesPost",
    }
    source = res["HelloLambdaPermissionApiGateway"]["Properties"]["SourceArn"]["Fn::Join"][1]
    assert source[-2:] == [{"Ref": "ApiGatewayRestApi"}, "/*/*"]
    assert stack.outputs["ServiceEndpoint"]["Value"]["Fn::Join"][1][-1] == "/dev"


def test_the_deployment_is_renamed_when_the_api_changes_only() -> None:
    first = _deployment(compiled(rest_api, service(), use("http", "GET a")))[0]
    again = _deployment(compiled(rest_api, service(), use("http", "GET a")))[0]
    changed = _deployment(compiled(rest_api, service(), use("http", "GET b")))[0]
    assert first == again != changed


def test_cors_makes_a_preflight_method_for_the_path() -> None:
    stack = compiled(
        rest_api,
        service(),
        use("http", {"method": "get", "path": "a", "cors": True}),
        use(
            "http",
            {"method": "put", "path": "a", "cors": {"origin": "https://x", "maxAge": 10}},
            index=2,
        ),
    )
    options = stack.resources["ApiGatewayMethodAOptions"]["Properties"]
    assert options["Integration"]["Type"] == "MOCK"
    headers = options["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Origin"] == "'https://x'"
    assert headers["method.response.header.Access-Control-Allow-Methods"] == "'OPTIONS,PUT,GET'"
    assert headers["method.response.header.Access-Control-Max-Age"] == "'10'"


def test_private_method_with_api_keys_and_a_usage_plan() -> None:
    gateway = {
        "apiKeys": ["k1", {"name": "k2", "value": "v" * 20}],
        "usagePlan": {"quota": {"limit": 5, "period": "DAY"}, "throttle": {"rateLimit": 1}},
    }
    stack = compiled(
        rest_api,
        service({"apiGateway": gateway}),
        use("http", {"method": "get", "path": "a", "private": True}),
    )
    res = stack.resources
    assert res["ApiGatewayMethodAGet"]["Properties"]["ApiKeyRequired"] is True
    deployment = _deployment(stack)[0]
    key = res["ApiGatewayApiKey2"]
    assert key["DependsOn"] == deployment
    assert (key["Properties"]["Name"], key["Properties"]["Value"]) == ("k2", "v" * 20)
    assert key["Properties"]["StageKeys"] == [
        {"RestApiId": {"Ref": "ApiGatewayRestApi"}, "StageName": "dev"}
    ]
    plan = res["ApiGatewayUsagePlan"]["Properties"]
    assert (plan["UsagePlanName"], plan["Quota"], plan["Throttle"]) == (
        "notes-dev",
        {"Limit": 5, "Period": "DAY"},
        {"RateLimit": 1},
    )
    assert res["ApiGatewayUsagePlanKey1"]["Properties"]["UsagePlanId"] == {
        "Ref": "ApiGatewayUsagePlan"
    }


def test_named_usage_plans_take_their_keys() -> None:
    gateway = {"apiKeys": [{"free": ["a", "b"]}], "usagePlan": [{"free": {"quota": {"limit": 1}}}]}
    stack = compiled(rest_api, service({"apiGateway": gateway}), use("http", "GET a"))
    assert {
        "ApiGatewayApiKeyFree1",
        "ApiGatewayApiKeyFree2",
        "ApiGatewayUsagePlanFree",
        "ApiGatewayUsagePlanKeyFree2",
    } <= set(stack.resources)
    assert (
        stack.resources["ApiGatewayUsagePlanFree"]["Properties"]["UsagePlanName"]
        == "notes-free-dev"
    )


def test_function_authorizer_makes_an_authorizer_and_its_permission() -> None:
    svc = service(functions=("hello", "guard"))
    stack = compiled(
        rest_api,
        svc,
        use(
            "http",
            {
                "method": "get",
                "path": "a",
                "authorizer": {
                    "name": "guard",
                    "resultTtlInSeconds": 0,
                    "type": "request",
                    "identitySource": "method.request.header.X",
                },
            },
        ),
    )
    authorizer = stack.resources["GuardApiGatewayAuthorizer"]["Properties"]
    assert (authorizer["Type"], authorizer["AuthorizerResultTtlInSeconds"]) == ("REQUEST", 0)
    assert authorizer["IdentitySource"] == "method.request.header.X"
    method = stack.resources["ApiGatewayMethodAGet"]
    assert method["Properties"]["AuthorizationType"] == "CUSTOM"
    assert method["Properties"]["AuthorizerId"] == {"Ref": "GuardApiGatewayAuthorizer"}
    assert "GuardApiGatewayAuthorizer" in method["DependsOn"]
    assert "GuardLambdaPermissionApiGateway" in stack.resources


def test_aws_iam_authorizer() -> None:
    stack = compiled(
        rest_api, service(), use("http", {"method": "get", "path": "a", "authorizer": "aws_iam"})
    )
    assert stack.resources["ApiGatewayMethodAGet"]["Properties"]["AuthorizationType"] == "AWS_IAM"


def test_request_parameters_and_schemas_make_a_validator_and_model() -> None:
    request = {
        "parameters": {"querystrings": {"q": True}, "headers": {"h": {"required": False}}},
        "schemas": {"application/json": {"type": "object"}},
    }
    stack = compiled(
        rest_api, service(), use("http", {"method": "post", "path": "a", "request": request})
    )
    method = stack.resources["ApiGatewayMethodAPost"]["Properties"]
    assert method["RequestParameters"] == {
        "method.request.querystring.q": True,
        "method.request.header.h": False,
    }
    assert method["RequestValidatorId"] == {"Ref": "ApiGatewayNotesRequestValidator"}
    assert method["RequestModels"] == {
        "application/json": {"Ref": "ApiGatewayMethodAPostApplicationJsonModel"}
    }
    model = stack.resources["ApiGatewayMethodAPostApplicationJsonModel"]["Properties"]
    assert (model["ContentType"], model["Schema"]) == ("application/json", {"type": "object"})


def test_lambda_integration_gets_templates_and_status_codes() -> None:
    stack = compiled(
        rest_api, service(), use("http", {"method": "get", "path": "a", "integration": "lambda"})
    )
    integration = stack.resources["ApiGatewayMethodAGet"]["Properties"]["Integration"]
    assert integration["Type"] == "AWS"
    assert integration["PassthroughBehavior"] == "NEVER"
    assert '"body": $body' in integration["RequestTemplates"]["application/json"]
    codes = {r["StatusCode"]: r["SelectionPattern"] for r in integration["IntegrationResponses"]}
    assert codes["200"] == "" and "[404" in codes["404"].replace("\\", "")


def test_provider_settings_shape_the_api() -> None:
    gateway = {
        "binaryMediaTypes": ["image/png"],
        "minimumCompressionSize": 1024,
        "description": "d",
        "shouldStartNameWithService": True,
    }
    stack = compiled(rest_api, service({"apiGateway": gateway}), use("http", "GET a"))
    props = stack.resources["ApiGatewayRestApi"]["Properties"]
    assert (
        props["Name"],
        props["BinaryMediaTypes"],
        props["MinimumCompressionSize"],
        props["Description"],
    ) == ("notes-dev", ["image/png"], 1024, "d")


def test_an_existing_rest_api_takes_the_methods() -> None:
    gateway = {
        "restApiId": "r1",
        "restApiRootResourceId": "root1",
        "restApiResources": {"/a": "ra"},
    }
    stack = compiled(rest_api, service({"apiGateway": gateway}), use("http", "GET a/b"))
    assert (
        "ApiGatewayRestApi" not in stack.resources and "ApiGatewayResourceA" not in stack.resources
    )
    assert stack.resources["ApiGatewayResourceAB"]["Properties"]["ParentId"] == "ra"


@pytest.mark.parametrize(
    ("provider", "event", "fault"),
    [
        ({}, "nonsense", "must be '<METHOD> <path>'"),
        ({}, {"method": "fetch", "path": "a"}, "invalid method"),
        ({}, {"method": "get", "path": "a", "integration": "http"}, "integration"),
        (
            {},
            {"method": "get", "path": "a", "authorizer": "missing"},
            'function "missing" not found',
        ),
        ({"apiGateway": {"restApiId": "x"}}, "GET a", "restApiRootResourceId"),
    ],
)
def test_wrong_configs_name_the_key_at_fault(provider: dict, event: object, fault: str) -> None:
    with pytest.raises(TranslationError, match=fault):
        compiled(rest_api, service(provider), use("http", event))


def test_the_same_method_twice_is_refused() -> None:
    with pytest.raises(TranslationError, match="defined twice"):
        compiled(rest_api, service(), use("http", "GET a"), use("http", "get /a/", index=2))
