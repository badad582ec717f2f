"""apigateway through boto3: authorizers, request validators, models, gateway responses,
API keys, usage plans, tags and the account, with API Gateway's errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import error_of

AUTHORIZER_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
)


@pytest.fixture
def apigw(server):
    return server.client("apigateway")


@pytest.fixture
def api(apigw):
    created = apigw.create_rest_api(name="parts")
    yield created
    apigw.delete_rest_api(restApiId=created["id"])


@pytest.fixture
def stage(apigw, api):
    """A deployed `prod` stage of `api` (one MOCK GET on the root)."""
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return "prod"


def test_authorizers(apigw, api) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    created = apigw.create_authorizer(
        restApiId=api_id, name="tokens", type="TOKEN", authorizerUri=AUTHORIZER_URI,
        identitySource="method.request.header.Authorization",
    )  # fmt: skip
    assert created["authorizerResultTtlInSeconds"] == 300
    with pytest.raises(ClientError) as caught:
        apigw.put_method(
            restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="CUSTOM"
        )
    assert error_of(caught)[1] == (
        "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
        "COGNITO_USER_POOLS requires a valid authorizer."
    )
    apigw.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="CUSTOM",
        authorizerId=created["id"],
    )  # fmt: skip
    updated = apigw.update_authorizer(
        restApiId=api_id, authorizerId=created["id"],
        patchOperations=[{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}],
    )  # fmt: skip
    assert updated["authorizerResultTtlInSeconds"] == 0
    assert [a["id"] for a in apigw.get_authorizers(restApiId=api_id)["items"]] == [created["id"]]
    with pytest.raises(ClientError) as caught:
        apigw.get_authorizer(restApiId=api_id, authorizerId="nope00")
    assert error_of(caught) == (
        "NotFoundException",
        "Invalid Authorizer identifier specified",
        404,
    )


def test_validators_and_models(apigw, api) -> None:
    api_id, root = api["id"], api["rootResourceId"]
    validator = apigw.create_request_validator(
        restApiId=api_id, name="body", validateRequestBody=True
    )
    assert validator["validateRequestParameters"] is False
    with pytest.raises(ClientError) as caught:
        apigw.update_request_validator(
            restApiId=api_id, requestValidatorId=validator["id"],
            patchOperations=[{"op": "replace", "path": "/invalidPath", "value": "x"}],
        )  # fmt: skip
    assert error_of(caught)[1] == (
        "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: "
        "[/name, /validateRequestParameters, /validateRequestBody]"
    )
    schema = '{"type": "object", "required": ["name"]}'
    model = apigw.create_model(
        restApiId=api_id, name="Pet", schema=schema, contentType="application/json"
    )
    assert model["ResponseMetadata"]["HTTPStatusCode"] == 201
    with pytest.raises(ClientError) as caught:
        apigw.create_model(restApiId=api_id, name="Pet", schema="{}", contentType="text/plain")
    assert error_of(caught) == (
        "ConflictException",
        "Model name already exists for this REST API",
        409,
    )
    apigw.put_method(
        restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE",
        requestValidatorId=validator["id"], requestModels={"application/json": "Pet"},
    )  # fmt: skip
    with pytest.raises(ClientError) as caught:
        apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert (
        error_of(caught)[1] == "Cannot delete model 'Pet', is referenced in method request: //ANY"
    )
    with pytest.raises(ClientError) as caught:
        apigw.get_model(restApiId=api_id, modelName="Nope")
    assert error_of(caught) == ("NotFoundException", "Invalid model name specified: Nope", 404)


def test_gateway_responses(apigw, api) -> None:
    api_id = api["id"]
    default = apigw.get_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )
    assert default["defaultResponse"] is True and default["statusCode"] == "403"
    assert default["responseTemplates"] == {
        "application/json": '{"message":$context.error.messageString}'
    }
    put = apigw.put_gateway_response(
        restApiId=api_id, responseType="DEFAULT_4XX", statusCode="418",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
    )  # fmt: skip
    assert put["defaultResponse"] is False
    listed = {
        r["responseType"]: r
        for r in apigw.get_gateway_responses(restApiId=api_id, limit=50)["items"]
    }
    assert listed["DEFAULT_4XX"]["statusCode"] == "418" and len(listed) == 21
    apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    with pytest.raises(ClientError) as caught:
        apigw.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert error_of(caught) == (
        "NotFoundException",
        "Gateway response type not defined on api",
        404,
    )
    with pytest.raises(ClientError) as caught:
        apigw.get_gateway_response(restApiId=api_id, responseType="FAKE_RESPONSE_TYPE")
    assert error_of(caught)[1].startswith(
        "1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType'"
    )


def test_api_keys_and_usage_plans(apigw, api, stage) -> None:
    api_id = api["id"]
    key = apigw.create_api_key(name="client", enabled=True, value="k" * 24)
    assert key["value"] == "k" * 24 and key["enabled"] is True
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == "k" * 24
    with pytest.raises(ClientError) as caught:
        apigw.create_api_key(name="short", value="short")
    assert error_of(caught)[1] == "API Key value should be at least 20 characters"
    generated = apigw.create_api_key(name="generated")
    assert len(generated["value"]) == 40 and generated["enabled"] is False
    plan = apigw.create_usage_plan(
        name="gold", apiStages=[{"apiId": api_id, "stage": stage}],
        throttle={"burstLimit": 10, "rateLimit": 5.0},
        quota={"limit": 100, "period": "DAY"},
    )  # fmt: skip
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    with pytest.raises(ClientError) as caught:
        apigw.create_usage_plan(name="bad", apiStages=[{"apiId": api_id, "stage": "nope"}])
    assert error_of(caught)[1].startswith(f"Invalid API Stage {{api: {api_id}, stage: nope}}")
    plan_key = apigw.create_usage_plan_key(
        usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY"
    )
    assert plan_key == {**plan_key, "id": key["id"], "type": "API_KEY", "value": "k" * 24}
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [
        key["id"]
    ]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    updated = apigw.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "replace", "path": "/quota/limit", "value": "500"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "7.5"},
        ],
    )
    assert updated["quota"]["limit"] == 500 and updated["throttle"]["rateLimit"] == 7.5
    renamed = apigw.update_api_key(
        apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/name", "value": "renamed"}]
    )
    assert renamed["name"] == "renamed"
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    with pytest.raises(ClientError) as caught:
        apigw.get_usage_plan(usagePlanId=plan["id"])
    assert error_of(caught) == ("NotFoundException", "Invalid Usage Plan ID specified", 404)
    for each in (key, generated):
        apigw.delete_api_key(apiKey=each["id"])
    with pytest.raises(ClientError) as caught:
        apigw.get_api_key(apiKey=key["id"])
    assert error_of(caught) == ("NotFoundException", "Invalid API Key identifier specified", 404)


def test_tags_and_account(apigw, api, stage) -> None:
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"
    apigw.tag_resource(resourceArn=arn, tags={"team": "a", "env": "dev"})
    apigw.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "a"}
    assert apigw.get_rest_api(restApiId=api["id"])["tags"] == {"team": "a"}
    stage_arn = f"{arn}/stages/{stage}"
    apigw.tag_resource(resourceArn=stage_arn, tags={"tier": "1"})
    assert apigw.get_stage(restApiId=api["id"], stageName=stage)["tags"] == {"tier": "1"}
    account = apigw.get_account()
    assert account["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    role = "arn:aws:iam::000000000000:role/apigw-logs"
    updated = apigw.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )
    assert updated["cloudwatchRoleArn"] == role


def test_a_model_schema_too_deep_to_parse_is_a_bad_request(apigw, api) -> None:
    with pytest.raises(ClientError) as caught:
        apigw.create_model(
            restApiId=api["id"], name="Deep", schema="[" * 100000, contentType="application/json"
        )
    assert error_of(caught)[0] == "BadRequestException"


def test_an_api_keys_stage_key_needs_an_api_and_a_stage(apigw, api, stage) -> None:
    """StageKey's members are optional in the model: one missing is a BadRequest (found by a
    fuzzer answering 500)."""
    made = apigw.create_api_key(
        name="staged", stageKeys=[{"restApiId": api["id"], "stageName": stage}]
    )
    assert made["stageKeys"] == [f"{api['id']}/{stage}"]
    for partial in ({"stageName": stage}, {"restApiId": api["id"]}):
        with pytest.raises(ClientError) as caught:
            apigw.create_api_key(name="partial", stageKeys=[partial])
        assert error_of(caught)[0] == "BadRequestException"
