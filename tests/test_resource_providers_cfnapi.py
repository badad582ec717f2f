"""API Gateway's resource providers (REST APIs and HTTP/WebSocket APIs), driven in-process as
the CloudFormation engine drives them: the platform built (not served), each provider acting
through its own service's API operations, authorized by IAM as the caller; and every
ApiGateway/ApiGatewayV2 type SAM's Api and HttpApi expand to has a provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.factory import Platform
from overcast.resource_providers import IN_PLACE, REPLACES
from support import (
    STACK_ACCOUNT,
    STACK_ID,
    STACK_NAME,
    STACK_REGION,
    STACK_ROOT,
    in_process_platform,
    resource_request,
)

ACCOUNT, REGION, STACK = STACK_ACCOUNT, STACK_REGION, STACK_NAME
LAMBDA_URI = (
    f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello/invocations"
)
DEFINITION = {
    "openapi": "3.0.1",
    "info": {"title": "imported", "version": "1.0"},
    "paths": {
        "/pets": {
            "get": {
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": LAMBDA_URI,
                },
                "responses": {},
            }
        }
    },
}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with in_process_platform(tmp_path_factory.mktemp("cfnapi")) as built:
        yield built


class Stack:
    """The platform's providers, driven as the engine drives them: create, update, delete."""

    def __init__(self, platform: Platform) -> None:
        assert platform.resource_providers is not None
        self.registry = platform.resource_providers

    def provider(self, type_name: str) -> Any:
        found = self.registry.get(type_name)
        assert found is not None, type_name
        return found

    def create(self, logical_id: str, type_name: str, props: dict, caller: Identity | None = None):
        return self.provider(type_name).create(
            resource_request(logical_id, type_name, props, caller=caller)
        )

    def update(self, logical_id: str, type_name: str, old: dict, new: dict, physical_id: str):
        made = resource_request(logical_id, type_name, new, previous=old, physical_id=physical_id)
        return self.provider(type_name).update(made)

    def delete(self, logical_id: str, type_name: str, props: dict, physical_id: str) -> None:
        made = resource_request(logical_id, type_name, props, physical_id=physical_id)
        self.provider(type_name).delete(made)

    def v1(self, operation: str, params: dict) -> dict:
        api = self.provider("AWS::ApiGateway::RestApi").apigateway
        return api.call(operation, params, STACK_ROOT, REGION)

    def v2(self, operation: str, params: dict) -> dict:
        api = self.provider("AWS::ApiGatewayV2::Api").apigatewayv2
        return api.call(operation, params, STACK_ROOT, REGION)


@pytest.fixture
def stack(platform: Platform) -> Stack:
    return Stack(platform)


def test_a_rest_api_with_resources_methods_and_a_deployment(stack: Stack) -> None:
    api_props = {
        "Name": "pets",
        "BinaryMediaTypes": ["image/png"],
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "Tags": [{"Key": "team", "Value": "a"}],
    }
    api = stack.create("Api", "AWS::ApiGateway::RestApi", api_props)
    api_id = api.physical_id
    got = stack.v1("GetRestApi", {"restApiId": api_id})
    assert api.attributes == {"RestApiId": api_id, "RootResourceId": got["rootResourceId"]}
    assert got["binaryMediaTypes"] == ["image/png"]
    assert got["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert got["tags"] == {"team": "a"}

    pets = stack.create(
        "Pets",
        "AWS::ApiGateway::Resource",
        {"RestApiId": api_id, "ParentId": api.attributes["RootResourceId"], "PathPart": "pets"},
    )
    assert pets.attributes == {"ResourceId": pets.physical_id}
    method_props = {
        "RestApiId": api_id,
        "ResourceId": pets.physical_id,
        "HttpMethod": "GET",
        "AuthorizationType": "NONE",
        "ApiKeyRequired": "true",
        "RequestParameters": {"method.request.querystring.kind": False},
        "MethodResponses": [{"StatusCode": "200"}],
        "Integration": {
            "Type": "MOCK",
            "RequestTemplates": {"application/json": '{"statusCode": 200}'},
            "TimeoutInMillis": "5000",
            "IntegrationResponses": [{"StatusCode": "200", "SelectionPattern": ""}],
        },
    }
    method = stack.create("PetsGet", "AWS::ApiGateway::Method", method_props)
    assert method.physical_id == f"{api_id}|{pets.physical_id}|GET"
    ids = {"restApiId": api_id, "resourceId": pets.physical_id, "httpMethod": "GET"}
    found = stack.v1("GetMethod", ids)
    assert found["apiKeyRequired"] is True
    assert found["methodIntegration"]["timeoutInMillis"] == 5000
    assert "200" in found["methodIntegration"]["integrationResponses"]

    new_method = {**method_props, "ApiKeyRequired": False, "MethodResponses": []}
    method_type = stack.provider("AWS::ApiGateway::Method")
    assert method_type.replaces(method_props, new_method) == IN_PLACE
    assert method_type.replaces(method_props, {**new_method, "HttpMethod": "POST"}) == REPLACES
    stack.update("PetsGet", "AWS::ApiGateway::Method", method_props, new_method, method.physical_id)
    assert stack.v1("GetMethod", ids)["apiKeyRequired"] is False

    deployment = stack.create(
        "Deployment",
        "AWS::ApiGateway::Deployment",
        {
            "RestApiId": api_id,
            "StageName": "prod",
            "StageDescription": {"Variables": {"color": "blue"}, "TracingEnabled": True},
        },
    )
    assert deployment.attributes == {"DeploymentId": deployment.physical_id}
    stage = stack.v1("GetStage", {"restApiId": api_id, "stageName": "prod"})
    assert stage["deploymentId"] == deployment.physical_id
    assert stage["variables"] == {"color": "blue"}

    new_api = {**api_props, "Description": "the pets", "BinaryMediaTypes": ["image/gif"]}
    assert stack.provider("AWS::ApiGateway::RestApi").replaces(api_props, new_api) == IN_PLACE
    stack.update("Api", "AWS::ApiGateway::RestApi", api_props, new_api, api_id)
    got = stack.v1("GetRestApi", {"restApiId": api_id})
    assert got["description"] == "the pets" and got["binaryMediaTypes"] == ["image/gif"]

    stack.delete(
        "Deployment",
        "AWS::ApiGateway::Deployment",
        {"RestApiId": api_id, "StageName": "prod"},
        deployment.physical_id,
    )
    with pytest.raises(ServiceError) as caught:
        stack.v1("GetStage", {"restApiId": api_id, "stageName": "prod"})
    assert caught.value.code == "NotFoundException"
    stack.delete("PetsGet", "AWS::ApiGateway::Method", new_method, method.physical_id)
    stack.delete("Pets", "AWS::ApiGateway::Resource", {"RestApiId": api_id}, pets.physical_id)
    stack.delete("Api", "AWS::ApiGateway::RestApi", new_api, api_id)
    stack.delete("Api", "AWS::ApiGateway::RestApi", new_api, api_id)  # gone: success
    with pytest.raises(ServiceError):
        stack.v1("GetRestApi", {"restApiId": api_id})


def test_an_http_api_quick_created_with_cors(stack: Stack) -> None:
    props = {
        "Name": "quick",
        "ProtocolType": "HTTP",
        "Target": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello",
        "CorsConfiguration": {"AllowOrigins": ["https://example.com"], "MaxAge": "300"},
        "Tags": {"team": "a"},
    }
    api = stack.create("Quick", "AWS::ApiGatewayV2::Api", props)
    api_id = api.physical_id
    assert api.attributes["ApiId"] == api_id
    assert api.attributes["ApiEndpoint"].endswith(f"/execute-api/{api_id}")
    got = stack.v2("GetApi", {"ApiId": api_id})
    assert got["CorsConfiguration"]["MaxAge"] == 300
    routes = stack.v2("GetRoutes", {"ApiId": api_id})["Items"]
    assert [r["RouteKey"] for r in routes] == ["$default"]
    stages = stack.v2("GetStages", {"ApiId": api_id})["Items"]
    assert [s["StageName"] for s in stages] == ["$default"]

    provider = stack.provider("AWS::ApiGatewayV2::Api")
    new = {k: v for k, v in props.items() if k != "CorsConfiguration"} | {"Name": "renamed"}
    assert provider.replaces(props, new) == IN_PLACE
    assert provider.replaces(props, {**new, "ProtocolType": "WEBSOCKET"}) == REPLACES
    stack.update("Quick", "AWS::ApiGatewayV2::Api", props, new, api_id)
    got = stack.v2("GetApi", {"ApiId": api_id})
    assert got["Name"] == "renamed" and not got.get("CorsConfiguration")
    stack.delete("Quick", "AWS::ApiGatewayV2::Api", new, api_id)
    stack.delete("Quick", "AWS::ApiGatewayV2::Api", new, api_id)  # gone: success


def test_an_http_api_from_routes_integrations_and_a_default_stage(stack: Stack) -> None:
    api = stack.create("Http", "AWS::ApiGatewayV2::Api", {"Name": "parts", "ProtocolType": "HTTP"})
    api_id = api.physical_id
    integration_props = {
        "ApiId": api_id,
        "IntegrationType": "AWS_PROXY",
        "IntegrationUri": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello",
        "PayloadFormatVersion": "2.0",
        "TimeoutInMillis": "10000",
    }
    integration = stack.create("Integration", "AWS::ApiGatewayV2::Integration", integration_props)
    assert integration.attributes == {"IntegrationId": integration.physical_id}
    route_props = {
        "ApiId": api_id,
        "RouteKey": "GET /pets",
        "Target": f"integrations/{integration.physical_id}",
    }
    route = stack.create("Route", "AWS::ApiGatewayV2::Route", route_props)
    assert route.attributes == {"RouteId": route.physical_id}
    stage_props = {"ApiId": api_id, "StageName": "$default", "AutoDeploy": True}
    stage = stack.create("Stage", "AWS::ApiGatewayV2::Stage", stage_props)
    assert stage.physical_id == "$default"
    assert stack.v2("GetStage", {"ApiId": api_id, "StageName": "$default"})["AutoDeploy"] is True

    new_route = {**route_props, "RouteKey": "POST /pets"}
    assert stack.provider("AWS::ApiGatewayV2::Route").replaces(route_props, new_route) == IN_PLACE
    stack.update("Route", "AWS::ApiGatewayV2::Route", route_props, new_route, route.physical_id)
    found = stack.v2("GetRoute", {"ApiId": api_id, "RouteId": route.physical_id})
    assert found["RouteKey"] == "POST /pets"
    stages = stack.provider("AWS::ApiGatewayV2::Stage")
    assert stages.replaces(stage_props, {**stage_props, "StageName": "dev"}) == REPLACES

    manual = stack.create("Dev", "AWS::ApiGatewayV2::Stage", {"ApiId": api_id, "StageName": "dev"})
    deployment = stack.create(
        "Deployment", "AWS::ApiGatewayV2::Deployment", {"ApiId": api_id, "StageName": "dev"}
    )
    assert deployment.attributes == {"DeploymentId": deployment.physical_id}
    got = stack.v2("GetStage", {"ApiId": api_id, "StageName": manual.physical_id})
    assert got["DeploymentId"] == deployment.physical_id

    for logical, type_name, props, physical in (
        ("Route", "AWS::ApiGatewayV2::Route", new_route, route.physical_id),
        (
            "Integration",
            "AWS::ApiGatewayV2::Integration",
            integration_props,
            integration.physical_id,
        ),
        ("Stage", "AWS::ApiGatewayV2::Stage", stage_props, "$default"),
    ):
        stack.delete(logical, type_name, props, physical)
        stack.delete(logical, type_name, props, physical)  # gone: success
    assert stack.v2("GetRoutes", {"ApiId": api_id})["Items"] == []
    stack.delete("Http", "AWS::ApiGatewayV2::Api", {}, api_id)


def test_a_websocket_api_with_a_route_response(stack: Stack) -> None:
    api = stack.create(
        "Chat",
        "AWS::ApiGatewayV2::Api",
        {
            "Name": "chat",
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
        },
    )
    api_id = api.physical_id
    assert api.attributes["ApiEndpoint"].startswith("ws")
    route = stack.create(
        "Connect", "AWS::ApiGatewayV2::Route", {"ApiId": api_id, "RouteKey": "$default"}
    )
    response_props = {"ApiId": api_id, "RouteId": route.physical_id, "RouteResponseKey": "$default"}
    response = stack.create("Reply", "AWS::ApiGatewayV2::RouteResponse", response_props)
    assert response.attributes == {"RouteResponseId": response.physical_id}
    stack.delete("Reply", "AWS::ApiGatewayV2::RouteResponse", response_props, response.physical_id)
    stack.delete("Reply", "AWS::ApiGatewayV2::RouteResponse", response_props, response.physical_id)
    stack.delete("Chat", "AWS::ApiGatewayV2::Api", {}, api_id)


def test_a_websocket_mock_integration_with_an_integration_response(stack: Stack) -> None:
    api_props = {
        "Name": "m",
        "ProtocolType": "WEBSOCKET",
        "RouteSelectionExpression": "$request.body.a",
    }
    api_id = stack.create("Ws", "AWS::ApiGatewayV2::Api", api_props).physical_id
    integration = stack.create(
        "Mock", "AWS::ApiGatewayV2::Integration", {"ApiId": api_id, "IntegrationType": "MOCK"}
    )
    props = {
        "ApiId": api_id,
        "IntegrationId": integration.physical_id,
        "IntegrationResponseKey": "$default",
        "ResponseTemplates": {"$default": "hi"},
    }
    kind = "AWS::ApiGatewayV2::IntegrationResponse"
    made = stack.create("Answer", kind, props)
    assert made.attributes == {"IntegrationResponseId": made.physical_id}
    new = {**props, "IntegrationResponseKey": "/2\\d{2}/"}
    assert stack.provider(kind).replaces(props, new) == IN_PLACE
    assert stack.provider(kind).replaces(props, {**new, "IntegrationId": "other"}) == REPLACES
    stack.update("Answer", kind, props, new, made.physical_id)
    ids = {"ApiId": api_id, "IntegrationId": integration.physical_id}
    got = stack.v2("GetIntegrationResponse", {**ids, "IntegrationResponseId": made.physical_id})
    assert got["IntegrationResponseKey"] == "/2\\d{2}/"
    assert got["ResponseTemplates"] == {"$default": "hi"}
    stack.delete("Answer", kind, new, made.physical_id)
    stack.delete("Answer", kind, new, made.physical_id)  # gone: success
    assert stack.v2("GetIntegrationResponses", ids)["Items"] == []
    stack.delete("Ws", "AWS::ApiGatewayV2::Api", {}, api_id)


SAM_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      Events:
        Rest:
          Type: Api
          Properties: {Path: /hello, Method: get}
        Http:
          Type: HttpApi
          Properties: {Path: /hi, Method: get}
        Keyed:
          Type: Api
          Properties: {Path: /keyed, Method: post, RestApiId: !Ref KeyedApi}
  KeyedApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors: "'*'"
      Auth:
        ApiKeyRequired: true
        UsagePlan: {CreateUsagePlan: PER_API}
      GatewayResponses:
        DEFAULT_4XX: {ResponseParameters: {Headers: {X-Why: "'denied'"}}}
"""


def _sam_stack(stack: Stack, text: str = SAM_TEMPLATE) -> tuple[dict, dict, list[str]]:
    """The SAM template translated and deployed wave by wave as the engine would: ApiGateway
    types through their providers, the rest (Lambda, IAM: other services' providers) stood
    in for by their names and ARNs."""
    from overcast.services.cloudformation.template import Pseudo, Resolver, load, order, transform

    template = transform(
        load(text), parameters={}, region=REGION, account_id=ACCOUNT, stack_name=STACK,
        include=None,
    )  # fmt: skip
    resources = template["Resources"]
    made: dict = {}
    created: list[str] = []

    def ref(name: str) -> object:
        found = made[name]
        return found.physical_id if hasattr(found, "physical_id") else found

    def attribute(name: str, attribute: str) -> object:
        found = made[name]
        if hasattr(found, "attributes"):
            return found.attributes[attribute]
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{found}"

    pseudo = Pseudo(REGION, ACCOUNT, STACK, STACK_ID)
    resolver = Resolver({}, {}, {}, pseudo, ref, attribute, lambda _name: None)
    for wave in order(template, set(resources)):
        for name in wave:
            kind = resources[name]["Type"]
            props = resolver.resolve(resources[name].get("Properties") or {})
            if kind.startswith("AWS::ApiGateway"):
                made[name] = stack.create(name, kind, props)
                resources[name]["Resolved"] = props
                created.append(name)
            else:
                made[name] = name
    return resources, made, created


def test_every_type_sams_api_events_expand_to_deploys(stack: Stack) -> None:
    resources, made, created = _sam_stack(stack)
    kinds = {r["Type"] for r in resources.values() if r["Type"].startswith("AWS::ApiGateway")}
    assert {
        "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
        "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::UsagePlanKey",
        "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage",
    } <= kinds  # fmt: skip
    for kind in kinds:
        assert stack.registry.get(kind) is not None, kind

    rest_id = made["ServerlessRestApi"].physical_id
    paths = [r["path"] for r in stack.v1("GetResources", {"restApiId": rest_id})["items"]]
    assert "/hello" in paths
    stage = stack.v1("GetStage", {"restApiId": rest_id, "stageName": "Prod"})
    assert stage["deploymentId"]
    keyed_id = made["KeyedApi"].physical_id
    responses = stack.v1("GetGatewayResponses", {"restApiId": keyed_id})["items"]
    assert any(r["responseType"] == "DEFAULT_4XX" for r in responses)
    plan_id = made["KeyedApiUsagePlan"].physical_id
    key_id = made["KeyedApiApiKey"].physical_id
    assert made["KeyedApiUsagePlanKey"].physical_id == f"{key_id}:{plan_id}"
    keys = stack.v1("GetUsagePlanKeys", {"usagePlanId": plan_id})["items"]
    assert [k["id"] for k in keys] == [key_id]

    http_id = made["ServerlessHttpApi"].physical_id
    routes = stack.v2("GetRoutes", {"ApiId": http_id})["Items"]
    assert [r["RouteKey"] for r in routes] == ["GET /hi"]
    integration_id = routes[0]["Target"].removeprefix("integrations/")
    found = stack.v2("GetIntegration", {"ApiId": http_id, "IntegrationId": integration_id})
    assert found["PayloadFormatVersion"] == "2.0"
    assert stack.v2("GetApi", {"ApiId": http_id})["Tags"] == {"httpapi:createdBy": "SAM"}
    assert stack.v2("GetStage", {"ApiId": http_id, "StageName": "$default"})["AutoDeploy"]

    for name in reversed(created):  # deleted in reverse order, as the engine does
        kind, props = resources[name]["Type"], resources[name]["Resolved"]
        stack.delete(name, kind, props, made[name].physical_id)
    for api_id in (rest_id, keyed_id):
        with pytest.raises(ServiceError):
            stack.v1("GetRestApi", {"restApiId": api_id})
    with pytest.raises(ServiceError):
        stack.v2("GetApi", {"ApiId": http_id})


SAM_AUTH_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Guard:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {'isAuthorized': True}"
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      Events:
        Lambda:
          Type: HttpApi
          Properties: {Path: /lambda, Method: get, ApiId: !Ref Guarded}
        Jwt:
          Type: HttpApi
          Properties:
            Path: /jwt
            Method: get
            ApiId: !Ref Guarded
            Auth: {Authorizer: Tokens, AuthorizationScopes: [items/read]}
        Open:
          Type: HttpApi
          Properties:
            Path: /open
            Method: get
            ApiId: !Ref Guarded
            Auth: {Authorizer: NONE}
  Guarded:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Guard
        Authorizers:
          Guard:
            FunctionArn: !GetAtt Guard.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity: {Headers: [Authorization], ReauthorizeEvery: 60}
          Tokens:
            JwtConfiguration: {issuer: "https://issuer.example", audience: [app]}
            IdentitySource: $request.header.Authorization
"""


def test_a_sam_http_api_with_authorizers_deploys(stack: Stack) -> None:
    resources, made, created = _sam_stack(stack, SAM_AUTH_TEMPLATE)
    api_id = made["Guarded"].physical_id
    authorizers = {a["Name"]: a for a in stack.v2("GetAuthorizers", {"ApiId": api_id})["Items"]}
    guard, tokens = authorizers["Guard"], authorizers["Tokens"]
    assert guard["AuthorizerType"] == "REQUEST" and guard["EnableSimpleResponses"]
    assert guard["IdentitySource"] == ["$request.header.Authorization"]
    assert guard["AuthorizerResultTtlInSeconds"] == 60
    assert tokens["JwtConfiguration"] == {"Issuer": "https://issuer.example", "Audience": ["app"]}
    routes = {r["RouteKey"]: r for r in stack.v2("GetRoutes", {"ApiId": api_id})["Items"]}
    lam, jwt, open_ = routes["GET /lambda"], routes["GET /jwt"], routes["GET /open"]
    assert (lam["AuthorizationType"], lam["AuthorizerId"]) == ("CUSTOM", guard["AuthorizerId"])
    assert (jwt["AuthorizationType"], jwt["AuthorizerId"]) == ("JWT", tokens["AuthorizerId"])
    assert jwt["AuthorizationScopes"] == ["items/read"]
    assert open_["AuthorizationType"] == "NONE"

    standalone = stack.create(
        "Extra",
        "AWS::ApiGatewayV2::Authorizer",
        {
            "ApiId": api_id,
            "Name": "extra",
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Issuer": "https://other.example", "Audience": ["x"]},
        },
    )
    assert standalone.attributes == {"AuthorizerId": standalone.physical_id}
    props = {"ApiId": api_id}
    stack.delete("Extra", "AWS::ApiGatewayV2::Authorizer", props, standalone.physical_id)
    stack.delete("Extra", "AWS::ApiGatewayV2::Authorizer", props, standalone.physical_id)
    for name in reversed(created):
        kind, props = resources[name]["Type"], resources[name]["Resolved"]
        stack.delete(name, kind, props, made[name].physical_id)


def test_a_rest_api_imported_from_its_body_and_put_again_on_update(stack: Stack) -> None:
    props = {"Body": DEFINITION, "Name": "named", "Tags": [{"Key": "k", "Value": "v"}]}
    api = stack.create("Imported", "AWS::ApiGateway::RestApi", props)
    api_id = api.physical_id
    got = stack.v1("GetRestApi", {"restApiId": api_id})
    assert got["name"] == "named"  # Name overrides the definition's title
    assert got["tags"] == {"k": "v"}
    paths = {r["path"] for r in stack.v1("GetResources", {"restApiId": api_id})["items"]}
    assert paths == {"/", "/pets"}

    definition = {**DEFINITION, "paths": {"/owners": DEFINITION["paths"]["/pets"]}}
    new = {"Body": definition, "Name": "named"}
    stack.update("Imported", "AWS::ApiGateway::RestApi", props, new, api_id)
    paths = {r["path"] for r in stack.v1("GetResources", {"restApiId": api_id})["items"]}
    assert paths == {"/", "/owners"}  # overwritten, as CloudFormation puts a new Body
    assert stack.v1("GetRestApi", {"restApiId": api_id}).get("tags", {}) == {}
    stack.delete("Imported", "AWS::ApiGateway::RestApi", new, api_id)


def test_keys_plans_and_models_get_generated_names(stack: Stack) -> None:
    key = stack.create("Key", "AWS::ApiGateway::ApiKey", {})
    got = stack.v1("GetApiKey", {"apiKey": key.physical_id})
    assert got["name"].startswith(f"{STACK}-Key-") and got["enabled"] is False
    assert key.attributes == {"APIKeyId": key.physical_id}
    stack.update("Key", "AWS::ApiGateway::ApiKey", {}, {"Enabled": "true"}, key.physical_id)
    assert stack.v1("GetApiKey", {"apiKey": key.physical_id})["enabled"] is True
    keys = stack.provider("AWS::ApiGateway::ApiKey")
    assert keys.replaces({}, {"Name": "x"}) == REPLACES
    assert keys.replaces({}, {"Enabled": True}) == IN_PLACE

    plan = stack.create("Plan", "AWS::ApiGateway::UsagePlan", {"Throttle": {"RateLimit": 10}})
    got = stack.v1("GetUsagePlan", {"usagePlanId": plan.physical_id})
    assert got["name"].startswith(f"{STACK}-Plan-") and got["throttle"]["rateLimit"] == 10
    new = {"Throttle": {"RateLimit": 20, "BurstLimit": 5}, "Quota": {"Limit": 100, "Period": "DAY"}}
    stack.update(
        "Plan", "AWS::ApiGateway::UsagePlan", {"Throttle": {"RateLimit": 10}}, new, plan.physical_id
    )
    got = stack.v1("GetUsagePlan", {"usagePlanId": plan.physical_id})
    assert got["throttle"] == {"rateLimit": 20.0, "burstLimit": 5}
    assert got["quota"]["limit"] == 100

    api = stack.create("ModelApi", "AWS::ApiGateway::RestApi", {"Name": "models"})
    model = stack.create(
        "Pet Model",
        "AWS::ApiGateway::Model",
        {"RestApiId": api.physical_id, "Schema": {"type": "object"}},
    )
    assert model.physical_id.isalnum() and model.physical_id.startswith(STACK)
    found = stack.v1("GetModel", {"restApiId": api.physical_id, "modelName": model.physical_id})
    assert found["contentType"] == "application/json"
    for logical, kind, props, physical in (
        ("Plan", "AWS::ApiGateway::UsagePlan", new, plan.physical_id),
        ("Key", "AWS::ApiGateway::ApiKey", {}, key.physical_id),
        ("ModelApi", "AWS::ApiGateway::RestApi", {}, api.physical_id),
    ):
        stack.delete(logical, kind, props, physical)
        stack.delete(logical, kind, props, physical)


def test_required_properties_are_refused_in_cloudformations_words(stack: Stack) -> None:
    with pytest.raises(ServiceError) as caught:
        stack.create("Orphan", "AWS::ApiGateway::Resource", {"PathPart": "x", "ParentId": "y"})
    assert caught.value.message == (
        "Properties validation failed for resource Orphan with message: "
        "#: required key [RestApiId] not found"
    )
    with pytest.raises(ServiceError) as caught:
        stack.create("Route", "AWS::ApiGatewayV2::Route", {})
    assert caught.value.message.endswith(
        "#: 2 schema violations found\n#: required key [RouteKey] not found\n"
        "#: required key [ApiId] not found"
    )


def test_a_definition_whose_routes_need_an_undeclared_authorizer_is_refused(stack: Stack) -> None:
    guarded = {
        **DEFINITION,
        "paths": {
            "/pets": {"get": {**DEFINITION["paths"]["/pets"]["get"], "security": [{"jwt": []}]}}
        },
    }
    with pytest.raises(ServiceError) as caught:
        stack.create("Guarded", "AWS::ApiGatewayV2::Api", {"Body": guarded})
    assert caught.value.code == "BadRequestException"
    assert "GET /pets requires the security scheme jwt" in caught.value.message
    names = [a["Name"] for a in stack.v2("GetApis", {})["Items"]]
    assert "imported" not in names  # nothing half-made is left


def test_a_body_from_a_missing_bucket_is_refused(stack: Stack) -> None:
    location = {"Bucket": "no-such-bucket", "Key": "api.yaml"}
    for kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
        with pytest.raises(ServiceError) as caught:
            stack.create("FromS3", kind, {"BodyS3Location": location})
        assert caught.value.code == "BadRequestException"
        assert "s3://no-such-bucket/api.yaml" in caught.value.message


def test_providers_act_as_the_caller_under_iam(stack: Stack) -> None:
    nobody = Identity(f"arn:aws:iam::{ACCOUNT}:user/nobody", ACCOUNT, "AIDANOBODY")
    with pytest.raises(ServiceError) as caught:
        stack.create("Denied", "AWS::ApiGateway::RestApi", {"Name": "denied"}, caller=nobody)
    assert caught.value.status == 403 and caught.value.code == "AccessDeniedException"
    with pytest.raises(ServiceError) as caught:
        stack.create(
            "Denied", "AWS::ApiGatewayV2::Api", {"Name": "d", "ProtocolType": "HTTP"}, caller=nobody
        )
    assert caught.value.status == 403


def test_a_deployments_stage_description_sets_stage_wide_method_settings(stack: Stack) -> None:
    api = stack.create("Wide", "AWS::ApiGateway::RestApi", {"Name": "wide"})
    api_id = api.physical_id
    root = api.attributes["RootResourceId"]
    method = {
        "RestApiId": api_id,
        "ResourceId": root,
        "HttpMethod": "GET",
        "Integration": {"Type": "MOCK"},
    }
    stack.create("Get", "AWS::ApiGateway::Method", method)
    stage_description = {"ThrottlingRateLimit": "50", "MetricsEnabled": True, "Description": "live"}
    props = {"RestApiId": api_id, "StageName": "live", "StageDescription": stage_description}
    stack.create("Deploy", "AWS::ApiGateway::Deployment", props)
    stage = stack.v1("GetStage", {"restApiId": api_id, "stageName": "live"})
    assert stage["description"] == "live"
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0
    assert stage["methodSettings"]["*/*"]["metricsEnabled"] is True
    stack.delete("Wide", "AWS::ApiGateway::RestApi", {}, api_id)


def test_an_http_apis_and_stages_tags_change_in_place(stack: Stack) -> None:
    props = {"Name": "tagged", "ProtocolType": "HTTP", "Tags": {"a": "1", "b": "2"}}
    api = stack.create("Tagged", "AWS::ApiGatewayV2::Api", props)
    new = {**props, "Tags": {"a": "2", "c": "3"}}
    stack.update("Tagged", "AWS::ApiGatewayV2::Api", props, new, api.physical_id)
    assert stack.v2("GetApi", {"ApiId": api.physical_id})["Tags"] == {"a": "2", "c": "3"}
    stage = {"ApiId": api.physical_id, "StageName": "live", "Tags": {"s": "1"}}
    stack.create("Live", "AWS::ApiGatewayV2::Stage", stage)
    stack.update("Live", "AWS::ApiGatewayV2::Stage", stage, {**stage, "Tags": {}}, "live")
    arn = f"arn:aws:apigateway:{REGION}::/apis/{api.physical_id}/stages/live"
    assert stack.v2("GetTags", {"ResourceArn": arn})["Tags"] == {}
    stack.delete("Tagged", "AWS::ApiGatewayV2::Api", props, api.physical_id)


def test_a_custom_domain_with_a_base_path_mapping(stack: Stack) -> None:
    api_id = stack.create("DomainApi", "AWS::ApiGateway::RestApi", {"Name": "d"}).physical_id
    stack.v1("PutMethod", {"restApiId": api_id, "resourceId": _root(stack, api_id),
                           "httpMethod": "GET", "authorizationType": "NONE"})  # fmt: skip
    stack.v1("PutIntegration", {"restApiId": api_id, "resourceId": _root(stack, api_id),
                                "httpMethod": "GET", "type": "MOCK"})  # fmt: skip
    stack.v1("CreateDeployment", {"restApiId": api_id, "stageName": "prod"})
    props = {
        "DomainName": "cfn.example.test",
        "RegionalCertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/a",
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "Tags": [{"Key": "team", "Value": "a"}],
    }
    domain = stack.create("Domain", "AWS::ApiGateway::DomainName", props)
    assert domain.physical_id == "cfn.example.test"
    assert domain.attributes["RegionalDomainName"].endswith(".amazonaws.com")
    assert "DistributionDomainName" not in domain.attributes
    new = {**props, "SecurityPolicy": "TLS_1_0", "Tags": []}
    stack.update("Domain", "AWS::ApiGateway::DomainName", props, new, domain.physical_id)
    got = stack.v1("GetDomainName", {"domainName": "cfn.example.test"})
    assert (got["securityPolicy"], got.get("tags")) == ("TLS_1_0", {})

    mapping_props = {"DomainName": "cfn.example.test", "BasePath": "v1", "RestApiId": api_id}
    kind = "AWS::ApiGateway::BasePathMapping"
    mapping = stack.create("Mapping", kind, mapping_props)
    assert mapping.physical_id == "cfn.example.test/v1"
    assert stack.provider(kind).replaces(mapping_props, {**mapping_props, "BasePath": "v2"}) == (
        REPLACES
    )
    staged = {**mapping_props, "Stage": "prod"}
    stack.update("Mapping", kind, mapping_props, staged, mapping.physical_id)
    found = stack.v1("GetBasePathMapping", {"domainName": "cfn.example.test", "basePath": "v1"})
    assert found["stage"] == "prod"
    stack.delete("Mapping", kind, staged, mapping.physical_id)
    stack.delete("Domain", "AWS::ApiGateway::DomainName", new, domain.physical_id)
    with pytest.raises(ServiceError):
        stack.v1("GetDomainName", {"domainName": "cfn.example.test"})


def _root(stack: Stack, api_id: str) -> str:
    return stack.v1("GetRestApi", {"restApiId": api_id})["rootResourceId"]


def test_a_v2_custom_domain_with_an_api_mapping(stack: Stack) -> None:
    api = stack.create(
        "V2DomainApi", "AWS::ApiGatewayV2::Api", {"Name": "v2d", "ProtocolType": "HTTP"}
    )
    stack.create("V2Stage", "AWS::ApiGatewayV2::Stage",
                 {"ApiId": api.physical_id, "StageName": "prod"})  # fmt: skip
    props = {
        "DomainName": "v2.example.test",
        "DomainNameConfigurations": [{"CertificateArn": "arn:aws:acm:us-east-1:0:certificate/a"}],
    }
    domain = stack.create("V2Domain", "AWS::ApiGatewayV2::DomainName", props)
    assert domain.physical_id == "v2.example.test"
    assert domain.attributes["RegionalDomainName"].endswith(".amazonaws.com")
    kind = "AWS::ApiGatewayV2::ApiMapping"
    mapping_props = {"DomainName": "v2.example.test", "ApiId": api.physical_id, "Stage": "prod"}
    mapping = stack.create("V2Mapping", kind, mapping_props)
    keyed = {**mapping_props, "ApiMappingKey": "v1"}
    assert stack.provider(kind).replaces(mapping_props, keyed) == IN_PLACE
    stack.update("V2Mapping", kind, mapping_props, keyed, mapping.physical_id)
    found = stack.v2(
        "GetApiMapping", {"DomainName": "v2.example.test", "ApiMappingId": mapping.physical_id}
    )
    assert found["ApiMappingKey"] == "v1"
    stack.delete("V2Mapping", kind, keyed, mapping.physical_id)
    stack.delete("V2Domain", "AWS::ApiGatewayV2::DomainName", props, domain.physical_id)
    with pytest.raises(ServiceError):
        stack.v2("GetDomainName", {"DomainName": "v2.example.test"})
