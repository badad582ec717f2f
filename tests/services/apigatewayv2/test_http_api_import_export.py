"""ImportApi, ReimportApi and ExportApi for HTTP APIs through boto3: an OpenAPI 3 definition
with integrations, CORS, tags and authorizers in, the same back out, and an imported
authorizer enforced by the API's endpoint."""

from __future__ import annotations

import json

import pytest
import yaml
from botocore.exceptions import ClientError

from support import http_call

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:hello"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"


def integration(version: str = "2.0") -> dict:
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": URI,
        "payloadFormatVersion": version,
    }


DEFINITION = {
    "openapi": "3.0.1",
    "info": {"title": "pets", "version": "2024-01-01"},
    "tags": [{"name": "team", "x-amazon-apigateway-tag-value": "a"}],
    "x-amazon-apigateway-cors": {"allowOrigins": ["https://example.com"], "maxAge": 60},
    "paths": {
        "/pets": {
            "get": {
                "security": [{"tokens": ["pets/read"]}],
                "x-amazon-apigateway-integration": integration(),
            },
            "post": {
                "security": [{"guard": []}],
                "x-amazon-apigateway-integration": integration("1.0"),
            },
        },
        "/pets/{id}": {
            "x-amazon-apigateway-any-method": {
                "security": [{"sigv4": []}],
                "x-amazon-apigateway-integration": integration(),
            }
        },
        "$default": {
            "x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": integration()}
        },
    },
    "components": {
        "securitySchemes": {
            "tokens": {
                "type": "oauth2",
                "x-amazon-apigateway-authorizer": {
                    "type": "jwt",
                    "identitySource": "$request.header.Authorization",
                    "jwtConfiguration": {"issuer": "https://issuer.example", "audience": ["app"]},
                },
            },
            "guard": {
                "type": "apiKey",
                "name": "Unused",
                "in": "header",
                "x-amazon-apigateway-authorizer": {
                    "type": "request",
                    "identitySource": "$request.header.X-Key, $request.querystring.k",
                    "authorizerUri": URI,
                    "authorizerPayloadFormatVersion": "2.0",
                    "enableSimpleResponses": True,
                    "authorizerResultTtlInSeconds": 30,
                },
            },
            "sigv4": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "awsSigv4",
            },
        }
    },
}


@pytest.fixture
def gateway(server):
    return server.client("apigatewayv2")


@pytest.fixture
def imported(gateway):
    made = gateway.import_api(Body=json.dumps(DEFINITION))
    yield made
    gateway.delete_api(ApiId=made["ApiId"])


def routes_of(gateway, api_id: str) -> dict[str, dict]:
    return {r["RouteKey"]: r for r in gateway.get_routes(ApiId=api_id)["Items"]}


def test_import_builds_the_api(gateway, imported) -> None:
    api_id = imported["ApiId"]
    assert imported["Name"] == "pets" and imported["ProtocolType"] == "HTTP"
    assert imported["CorsConfiguration"]["AllowOrigins"] == ["https://example.com"]
    assert gateway.get_api(ApiId=api_id)["Tags"] == {"team": "a"}
    authorizers = {a["Name"]: a for a in gateway.get_authorizers(ApiId=api_id)["Items"]}
    assert authorizers["guard"]["IdentitySource"] == [
        "$request.header.X-Key",
        "$request.querystring.k",
    ]
    assert authorizers["guard"]["AuthorizerResultTtlInSeconds"] == 30
    assert authorizers["tokens"]["JwtConfiguration"]["Issuer"] == "https://issuer.example"
    routes = routes_of(gateway, api_id)
    assert set(routes) == {"GET /pets", "POST /pets", "ANY /pets/{id}", "$default"}
    assert routes["GET /pets"]["AuthorizationType"] == "JWT"
    assert routes["GET /pets"]["AuthorizationScopes"] == ["pets/read"]
    assert routes["POST /pets"]["AuthorizerId"] == authorizers["guard"]["AuthorizerId"]
    assert routes["ANY /pets/{id}"]["AuthorizationType"] == "AWS_IAM"
    assert routes["$default"]["AuthorizationType"] == "NONE"
    versions = {i["PayloadFormatVersion"] for i in gateway.get_integrations(ApiId=api_id)["Items"]}
    assert versions == {"1.0", "2.0"}
    # The imported JWT authorizer guards its route at the endpoint.
    gateway.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    status, _, body = http_call(imported["ApiEndpoint"] + "/pets")
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})


def test_export_round_trips(gateway, imported) -> None:
    api_id = imported["ApiId"]
    exported = gateway.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")
    document = json.loads(exported["body"].read())
    assert document["openapi"] == "3.0.1" and document["info"]["title"] == "pets"
    get = document["paths"]["/pets"]["get"]
    assert get["security"] == [{"tokens": ["pets/read"]}]
    assert get["x-amazon-apigateway-integration"]["payloadFormatVersion"] == "2.0"
    any_id = document["paths"]["/pets/{id}"]["x-amazon-apigateway-any-method"]
    assert any_id["parameters"][0]["name"] == "id"
    schemes = document["components"]["securitySchemes"]
    assert schemes["guard"]["x-amazon-apigateway-authorizer"]["enableSimpleResponses"] is True
    assert document["x-amazon-apigateway-cors"]["maxAge"] == 60

    again = gateway.import_api(Body=json.dumps(document))
    try:
        assert set(routes_of(gateway, again["ApiId"])) == set(routes_of(gateway, api_id))
    finally:
        gateway.delete_api(ApiId=again["ApiId"])

    bare = gateway.export_api(
        ApiId=api_id, Specification="OAS30", OutputType="YAML", IncludeExtensions=False
    )
    text = bare["body"].read().decode()
    assert "x-amazon-apigateway" not in text
    assert "/pets" in yaml.safe_load(text)["paths"]


def test_reimport_replaces_the_definition(gateway, imported) -> None:
    api_id = imported["ApiId"]
    smaller = {
        "openapi": "3.0.1",
        "info": {"title": "owners", "version": "1"},
        "paths": {"/owners": {"get": {"x-amazon-apigateway-integration": integration()}}},
    }
    answer = gateway.reimport_api(ApiId=api_id, Body=yaml.safe_dump(smaller))
    assert answer["Name"] == "owners"
    assert set(routes_of(gateway, api_id)) == {"GET /owners"}
    assert gateway.get_authorizers(ApiId=api_id)["Items"] == []
    assert len(gateway.get_integrations(ApiId=api_id)["Items"]) == 1


def test_bad_definitions_are_refused_and_leave_nothing(gateway) -> None:
    before = len(gateway.get_apis()["Items"])
    undeclared = {**DEFINITION, "components": {}}
    for body in ("{not json", json.dumps(undeclared), json.dumps({"paths": {}}), "[]"):
        with pytest.raises(ClientError) as caught:
            gateway.import_api(Body=body)
        assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert len(gateway.get_apis()["Items"]) == before
    with pytest.raises(ClientError) as caught:
        gateway.export_api(ApiId="nosuchapi1", Specification="OAS30", OutputType="JSON")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
