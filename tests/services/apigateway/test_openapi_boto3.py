"""ImportRestApi and PutRestApi through boto3: OpenAPI 3 (YAML) and Swagger 2 (JSON)
definitions with API Gateway's extensions, as SAM's DefinitionBody deploys them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from support import error_of

FUNCTION_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:000000000000:function:pets/invocations"
)
OPENAPI = f"""
openapi: "3.0.1"
info: {{title: petstore, version: "1.0"}}
x-amazon-apigateway-binary-media-types: ["image/png"]
x-amazon-apigateway-request-validators:
  all: {{validateRequestBody: true, validateRequestParameters: true}}
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    statusCode: "400"
    responseTemplates: {{application/json: '{{"error": $context.error.messageString}}'}}
paths:
  /pets:
    post:
      x-amazon-apigateway-request-validator: all
      security: [{{tokens: []}}, {{api_key: []}}]
      requestBody:
        content:
          application/json: {{schema: {{$ref: "#/components/schemas/Pet"}}}}
      responses:
        "200": {{description: ok, headers: {{X-Id: {{schema: {{type: string}}}}}}}}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: {FUNCTION_URI}
        passthroughBehavior: when_no_templates
        requestTemplates: {{application/json: '{{"name": $input.json("$.name")}}'}}
        responses:
          default: {{statusCode: "200"}}
          ".*error.*": {{statusCode: "400", responseTemplates: {{application/json: '{{}}'}}}}
  /pets/{{petId}}:
    get:
      parameters:
        - {{name: petId, in: path, required: true, schema: {{type: string}}}}
        - {{name: verbose, in: query, schema: {{type: string}}}}
      x-amazon-apigateway-integration:
        {{type: aws_proxy, httpMethod: POST, uri: {FUNCTION_URI}}}
  /{{proxy+}}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
components:
  schemas:
    Pet: {{type: object, required: [name], properties: {{name: {{type: string}}}}}}
  securitySchemes:
    api_key: {{type: apiKey, name: x-api-key, in: header}}
    tokens:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: {FUNCTION_URI}
        authorizerResultTtlInSeconds: 60
"""


@pytest.fixture
def apigw(server):
    return server.client("apigateway")


def _methods(apigw, api_id: str) -> dict[str, dict]:
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r.get("resourceMethods", {}) for r in items}


def test_import_openapi3_yaml(apigw) -> None:
    api = apigw.import_rest_api(body=OPENAPI.encode())
    api_id = api["id"]
    try:
        assert api["name"] == "petstore" and api["binaryMediaTypes"] == ["image/png"]
        found = _methods(apigw, api_id)
        assert set(found) == {"/", "/pets", "/pets/{petId}", "/{proxy+}"}
        post = found["/pets"]["POST"]
        (authorizer,) = apigw.get_authorizers(restApiId=api_id)["items"]
        assert authorizer["identitySource"] == "method.request.header.Authorization"
        assert authorizer["authorizerResultTtlInSeconds"] == 60
        assert (post["authorizationType"], post["authorizerId"]) == ("CUSTOM", authorizer["id"])
        assert post["apiKeyRequired"] is True
        assert post["requestModels"] == {"application/json": "Pet"}
        assert post["methodResponses"]["200"]["responseParameters"] == {
            "method.response.header.X-Id": False
        }
        integration = post["methodIntegration"]
        assert integration["type"] == "AWS"
        assert integration["passthroughBehavior"] == "WHEN_NO_TEMPLATES"
        responses = integration["integrationResponses"]
        assert "selectionPattern" not in responses["200"]
        assert responses["400"]["selectionPattern"] == ".*error.*"
        (validator,) = apigw.get_request_validators(restApiId=api_id)["items"]
        assert post["requestValidatorId"] == validator["id"]
        get = found["/pets/{petId}"]["GET"]
        assert get["requestParameters"] == {
            "method.request.path.petId": True,
            "method.request.querystring.verbose": False,
        }
        assert get["methodIntegration"]["type"] == "AWS_PROXY"
        assert found["/{proxy+}"]["ANY"]["methodIntegration"]["type"] == "MOCK"
        schema = json.loads(apigw.get_model(restApiId=api_id, modelName="Pet")["schema"])
        assert schema["required"] == ["name"]
        response = apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
        assert response["statusCode"] == "400" and response["defaultResponse"] is False
        apigw.create_deployment(restApiId=api_id, stageName="prod")
    finally:
        apigw.delete_rest_api(restApiId=api_id)


def test_swagger2_json_and_put_rest_api(apigw) -> None:
    swagger = {
        "swagger": "2.0",
        "info": {"title": "hello", "version": "1"},
        "paths": {
            "/hello": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200"}},
                    },
                }
            }
        },
    }
    api_id = apigw.import_rest_api(body=json.dumps(swagger).encode())["id"]
    try:
        assert set(_methods(apigw, api_id)["/hello"]) == {"GET"}
        swagger["paths"] = {"/bye": swagger["paths"]["/hello"]}
        apigw.put_rest_api(restApiId=api_id, mode="merge", body=json.dumps(swagger).encode())
        assert {"/hello", "/bye"} <= set(_methods(apigw, api_id))
        apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(swagger).encode())
        assert set(_methods(apigw, api_id)) == {"/", "/bye"}
    finally:
        apigw.delete_rest_api(restApiId=api_id)


def test_bad_definitions_are_refused_whole(apigw) -> None:
    before = len(apigw.get_rest_apis(limit=500)["items"])
    with pytest.raises(ClientError) as caught:
        apigw.import_rest_api(body=b"not: [a definition")
    assert error_of(caught) == ("BadRequestException", "Invalid OpenAPI input.", 400)
    broken = OPENAPI.replace("type: aws_proxy", "type: https_proxy")
    with pytest.raises(ClientError) as caught:
        apigw.import_rest_api(body=broken.encode())
    assert error_of(caught)[0] == "BadRequestException"
    assert len(apigw.get_rest_apis(limit=500)["items"]) == before


def test_export_reads_back_as_the_same_api(apigw) -> None:
    api_id = apigw.import_rest_api(body=OPENAPI.encode())["id"]
    copy_id = None
    try:
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        exported = apigw.get_export(
            restApiId=api_id, stageName="prod", exportType="oas30",
            parameters={"extensions": "apigateway"}, accepts="application/json",
        )  # fmt: skip
        assert exported["contentType"] == "application/json"
        document = json.loads(exported["body"].read())
        assert document["openapi"] == "3.0.1" and document["info"]["title"] == "petstore"
        post = document["paths"]["/pets"]["post"]
        assert post["x-amazon-apigateway-integration"]["responses"]["default"] == {
            "statusCode": "200"
        }
        assert "tokens" in document["components"]["securitySchemes"]
        as_yaml = apigw.get_export(
            restApiId=api_id, stageName="prod", exportType="swagger", accepts="application/yaml"
        )
        assert as_yaml["contentType"] == "application/yaml"
        assert as_yaml["body"].read().startswith(b"swagger: '2.0'")
        copy_id = apigw.import_rest_api(body=json.dumps(document).encode())["id"]
        original, copied = _methods(apigw, api_id), _methods(apigw, copy_id)
        assert set(copied) == set(original)
        assert copied["/pets"]["POST"]["apiKeyRequired"] is True
        assert copied["/pets"]["POST"]["methodIntegration"]["integrationResponses"].keys() == {
            "200", "400",
        }  # fmt: skip
        with pytest.raises(ClientError) as caught:
            apigw.get_export(restApiId=api_id, stageName="prod", exportType="raml")
        assert error_of(caught)[0] == "BadRequestException"
    finally:
        for each in (api_id, copy_id):
            if each:
                apigw.delete_rest_api(restApiId=each)


def test_hostile_definitions_are_refused(apigw) -> None:
    laughs = "openapi: '3.0.1'\ninfo: {title: t, version: '1'}\npaths: {}\n"
    laughs += "a: &a ['lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol', 'lol']\n"
    laughs += "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b]\n"
    nested = '{"items": ' * 5000 + "{}" + "}" * 5000
    deep = '{"openapi": "3.0.1", "info": {"title": "t"}, "paths": {}, "x": ' + nested + "}"
    for body in (laughs.encode(), deep.encode(), b"\xff\xfe", b"[1, 2]"):
        with pytest.raises(ClientError) as caught:
            apigw.import_rest_api(body=body)
        assert error_of(caught) == ("BadRequestException", "Invalid OpenAPI input.", 400)
