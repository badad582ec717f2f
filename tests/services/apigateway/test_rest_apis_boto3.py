"""apigateway (REST APIs) through boto3 against a running server: the control plane's
operations, their shapes and API Gateway's errors."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from support import error_of

ACCOUNT = "000000000000"
FUNCTION_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:000000000000:function:hello/invocations"
)


@pytest.fixture
def apigw(server):
    return server.client("apigateway")


@pytest.fixture
def api(apigw):
    created = apigw.create_rest_api(name="pets")
    yield created
    apigw.delete_rest_api(restApiId=created["id"])


def test_create_get_list_update_delete_rest_api(apigw) -> None:
    created = apigw.create_rest_api(name="shop", description="d", binaryMediaTypes=["image/png"])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    api_id = created["id"]
    assert re.fullmatch(r"[a-z0-9]{10}", api_id)
    assert created["apiKeySource"] == "HEADER" and created["disableExecuteApiEndpoint"] is False
    assert created["endpointConfiguration"]["types"] == ["EDGE"]
    assert apigw.get_rest_api(restApiId=api_id)["name"] == "shop"
    assert api_id in [a["id"] for a in apigw.get_rest_apis(limit=500)["items"]]
    updated = apigw.update_rest_api(
        restApiId=api_id,
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "store"},
            {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"},
            {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
            {"op": "replace", "path": "/minimumCompressionSize", "value": "10"},
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"},
        ],
    )
    assert updated["name"] == "store" and updated["binaryMediaTypes"] == ["image/jpeg"]
    assert updated["minimumCompressionSize"] == 10 and updated["disableExecuteApiEndpoint"]
    models = apigw.get_models(restApiId=api_id)["items"]
    assert sorted(m["name"] for m in models) == ["Empty", "Error"]
    assert apigw.delete_rest_api(restApiId=api_id)["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as caught:
        apigw.get_rest_api(restApiId=api_id)
    assert error_of(caught) == (
        "NotFoundException",
        f"Invalid API identifier specified {ACCOUNT}:{api_id}",
        404,
    )


def test_rest_api_refusals(apigw, api) -> None:
    with pytest.raises(ClientError) as caught:
        apigw.create_rest_api(name="x", description="")
    assert error_of(caught) == ("BadRequestException", "Description cannot be an empty string", 400)
    with pytest.raises(ClientError) as caught:
        apigw.update_rest_api(
            restApiId=api["id"],
            patchOperations=[{"op": "replace", "path": "/minimumCompressionSize", "value": "-1"}],
        )
    assert error_of(caught)[1] == (
        "Invalid minimum compression size, must be between 0 and 10485760"
    )
    with pytest.raises(ClientError) as caught:
        apigw.update_rest_api(
            restApiId=api["id"], patchOperations=[{"op": "replace", "path": "/id", "value": "x"}]
        )
    assert error_of(caught) == ("BadRequestException", "Invalid patch path /id", 400)


def test_resources_tree(apigw, api) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert pets["path"] == "/pets" and pets["parentId"] == root
    pet = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    assert pet["path"] == "/pets/{petId}"
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    with pytest.raises(ClientError) as caught:
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert error_of(caught) == (
        "ConflictException",
        "Another resource with the same parent already has this name: pets",
        409,
    )
    with pytest.raises(ClientError) as caught:
        apigw.create_resource(restApiId=api_id, parentId=proxy["id"], pathPart="x")
    assert error_of(caught)[1] == (
        "Cannot create a child of a resource with a greedy path variable: {proxy+}"
    )
    with pytest.raises(ClientError) as caught:
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{other}")
    assert error_of(caught)[1] == (
        "A sibling ({proxy+}) of this resource already has a variable path part -- only one "
        "is allowed"
    )
    paths = [r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]]
    assert paths == ["/", "/pets", "/pets/{petId}", "/{proxy+}"]
    moved = apigw.update_resource(
        restApiId=api_id,
        resourceId=pets["id"],
        patchOperations=[{"op": "replace", "path": "/pathPart", "value": "animals"}],
    )
    assert moved["path"] == "/animals"
    assert apigw.get_resource(restApiId=api_id, resourceId=pet["id"])["path"] == (
        "/animals/{petId}"
    )
    apigw.delete_resource(restApiId=api_id, resourceId=pets["id"])
    with pytest.raises(ClientError) as caught:
        apigw.get_resource(restApiId=api_id, resourceId=pet["id"])
    assert error_of(caught) == ("NotFoundException", "Invalid Resource identifier specified", 404)


def _method_with_integration(apigw, api_id: str, resource_id: str) -> None:
    apigw.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        authorizationType="NONE",
        requestParameters={"method.request.querystring.q": True},
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=FUNCTION_URI,
    )


def test_methods_and_integrations(apigw, api) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    method = apigw.put_method(
        restApiId=api_id, resourceId=root, httpMethod="POST", authorizationType="NONE",
        apiKeyRequired=True, requestModels={"application/json": "Empty"},
    )  # fmt: skip
    assert method["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (method["httpMethod"], method["apiKeyRequired"]) == ("POST", True)
    with pytest.raises(ClientError) as caught:
        apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert error_of(caught) == ("NotFoundException", "Invalid Method identifier specified", 404)
    apigw.put_method_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        responseModels={"application/json": "Empty"},
    )  # fmt: skip
    integration = apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="POST", type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )  # fmt: skip
    assert integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert integration["timeoutInMillis"] == 29000 and integration["cacheNamespace"] == root
    apigw.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        selectionPattern="", responseTemplates={"application/json": '{"ok": true}'},
    )  # fmt: skip
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert got["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    assert got["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"] == {
        "application/json": '{"ok": true}'
    }
    embedded = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"][0]
    assert embedded["resourceMethods"]["POST"]["methodIntegration"]["type"] == "MOCK"
    plain = apigw.get_resources(restApiId=api_id)["items"][0]
    assert plain["resourceMethods"] == {"POST": {}}
    updated = apigw.update_method(
        restApiId=api_id, resourceId=root, httpMethod="POST",
        patchOperations=[
            {"op": "add", "path": "/requestParameters/method.request.header.x-id", "value": "true"},
            {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
        ],
    )  # fmt: skip
    assert updated["requestParameters"] == {"method.request.header.x-id": True}
    assert updated["apiKeyRequired"] is False
    with pytest.raises(ClientError) as caught:
        apigw.put_integration(
            restApiId=api_id, resourceId=root, httpMethod="POST", type="HTTPS_PROXY"
        )
    assert error_of(caught)[1].startswith("1 validation error detected: Value 'HTTPS_PROXY'")
    with pytest.raises(ClientError) as caught:
        apigw.put_method_response(
            restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="wrong"
        )
    assert "Member must satisfy regular expression pattern: [1-5]\\d\\d" in error_of(caught)[1]
    apigw.delete_integration(restApiId=api_id, resourceId=root, httpMethod="POST")
    with pytest.raises(ClientError) as caught:
        apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert error_of(caught) == (
        "NotFoundException",
        "Invalid Integration identifier specified",
        404,
    )


def test_deployments_and_stages(apigw, api) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    with pytest.raises(ClientError) as caught:
        apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert error_of(caught) == (
        "BadRequestException",
        "The REST API doesn't contain any methods",
        400,
    )
    _method_with_integration(apigw, api_id, root)
    deployment = apigw.create_deployment(
        restApiId=api_id, stageName="prod", variables={"table": "pets"}, description="first"
    )
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == deployment["id"] and stage["variables"] == {"table": "pets"}
    assert stage["cacheClusterStatus"] == "NOT_AVAILABLE" and stage["methodSettings"] == {}
    updated = apigw.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"},
            {"op": "replace", "path": "/~1/GET/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/variables/table", "value": "cats"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
        ],
    )
    assert updated["methodSettings"]["*/*"]["throttlingRateLimit"] == 5.0
    assert updated["methodSettings"]["~1/GET"]["cachingEnabled"] is True
    assert updated["variables"] == {"table": "cats"} and updated["tracingEnabled"] is True
    with pytest.raises(ClientError) as caught:
        apigw.update_stage(
            restApiId=api_id,
            stageName="prod",
            patchOperations=[{"op": "replace", "path": "/tags/tag1", "value": "v"}],
        )
    assert error_of(caught)[1].startswith("Invalid method setting path: /tags/tag1. Must be")
    with pytest.raises(ClientError) as caught:
        apigw.delete_deployment(restApiId=api_id, deploymentId=deployment["id"])
    assert error_of(caught)[1] == (
        "Active stages pointing to this deployment must be moved or deleted"
    )
    summary = apigw.get_deployment(
        restApiId=api_id, deploymentId=deployment["id"], embed=["apisummary"]
    )["apiSummary"]
    assert summary == {"/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    second = apigw.create_deployment(restApiId=api_id)
    apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=second["id"])
    with pytest.raises(ClientError) as caught:
        apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=second["id"])
    assert error_of(caught)[0] == "ConflictException"
    names = sorted(s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"])
    assert names == ["dev", "prod"]
    apigw.delete_stage(restApiId=api_id, stageName="dev")
    apigw.delete_deployment(restApiId=api_id, deploymentId=second["id"])
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [deployment["id"]]
