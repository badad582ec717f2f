"""A REST API method's checks end to end: Lambda authorizers (TOKEN, REQUEST, caching,
policies), AWS_IAM, API keys with usage plans (throttle, quota), request validators,
customised gateway responses, Cognito refused; configured with boto3, called over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_support import APIGATEWAY, EXECUTE_API, RestApi, lambda_uri

from support import allow, deploy, http_call, signed

APP = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""
AUTHORIZER = """
CALLS = 0

def handler(event, context):
    global CALLS
    CALLS += 1
    if event["type"] == "TOKEN":
        token = event["authorizationToken"]
    else:
        # the client's header names, as API Gateway delivers them: looked up as written
        token = event["headers"].get("X-Token")
    if token == "boom":
        raise Exception("Unauthorized")
    if token == "garbage":
        return {"nope": 1}
    effect = "Deny" if token == "deny" else "Allow"
    resource = event["methodArn"] if token != "other" else "arn:aws:execute-api:*:*:*/*/GET/none"
    return {
        "principalId": "user-1",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
        "context": {"who": "ada", "calls": CALLS, "type": event["type"]},
        "usageIdentifierKey": "key-from-authorizer-" + "x" * 20,
    }
"""
FORBIDDEN = (403, {"message": "Forbidden"})
UNAUTHORIZED = (401, {"message": "Unauthorized"})


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


def _function(server, source: str) -> str:
    client = server.client("lambda")
    name = f"rest-checks-{uuid.uuid4().hex[:8]}"
    deploy(client, name, source)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def function_arn(server) -> str:
    return _function(server, APP)


@pytest.fixture(scope="module")
def authorizer_arn(server) -> str:
    return _function(server, AUTHORIZER)


def call(url: str, method: str = "GET", **options) -> tuple[int, object]:
    status, _, body = http_call(url, method, **options)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


@pytest.fixture(scope="module")
def authorized(apigw, function_arn, authorizer_arn) -> RestApi:
    built = RestApi(apigw, "authorized")
    token = apigw.create_authorizer(
        restApiId=built.id, name="token", type="TOKEN", authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.Authorization",
        identityValidationExpression="^[a-z]+$",
    )["id"]  # fmt: skip
    uncached = apigw.create_authorizer(
        restApiId=built.id, name="uncached", type="TOKEN", authorizerResultTtlInSeconds=0,
        authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.Authorization",
    )["id"]  # fmt: skip
    request = apigw.create_authorizer(
        restApiId=built.id, name="request", type="REQUEST",
        authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.x-token, method.request.querystring.q",
    )["id"]  # fmt: skip
    built.proxy("/token", "GET", function_arn, authorization="CUSTOM", authorizerId=token)
    built.proxy("/token/{id}", "GET", function_arn, authorization="CUSTOM", authorizerId=token)
    built.proxy("/fresh", "GET", function_arn, authorization="CUSTOM", authorizerId=uncached)
    built.proxy("/request", "GET", function_arn, authorization="CUSTOM", authorizerId=request)
    built.proxy("/iam", "GET", function_arn, authorization="AWS_IAM")
    built.deploy()
    return built


def test_token_authorizer(server, authorized) -> None:
    url = f"{authorized.url(server.endpoint)}/token"
    assert call(url) == UNAUTHORIZED  # no token
    assert call(url, headers={"Authorization": "NOT-valid"}) == UNAUTHORIZED  # the expression
    assert call(url, headers={"Authorization": "boom"}) == UNAUTHORIZED
    assert call(url, headers={"Authorization": "deny"}) == (
        403, {"Message": "User is not authorized to access this resource with an explicit deny"}
    )  # fmt: skip
    assert call(url, headers={"Authorization": "other"}) == (
        403, {"Message": "User is not authorized to access this resource"}
    )  # fmt: skip
    assert call(url, headers={"Authorization": "garbage"}) == (500, {"message": None})
    status, answer = call(url, headers={"Authorization": "allow"})
    assert status == 200
    context = answer["requestContext"]["authorizer"]
    assert context["principalId"] == "user-1" and context["who"] == "ada"
    # Context values reach the integration as strings; the authorizer's latency with them.
    assert isinstance(context["calls"], str) and isinstance(context["integrationLatency"], int)


def test_token_authorizer_answers_are_cached_by_token(server, authorized) -> None:
    base = authorized.url(server.endpoint)

    def calls(path: str, token: str) -> int:
        status, answer = call(f"{base}{path}", headers={"Authorization": token})
        assert status == 200, answer
        return int(answer["requestContext"]["authorizer"]["calls"])

    first = calls("/token/1", "cached")
    # Cached for 300 s: the policy the first call got is applied as it was (its Resource is
    # the first method's ARN, so another path is refused, as AWS's knowledge center warns).
    assert calls("/token/1", "cached") == first
    status, answer = call(f"{base}/token/2", headers={"Authorization": "cached"})
    assert (status, answer) == (403, {"Message": "User is not authorized to access this resource"})
    # TTL 0: asked each time.
    assert calls("/fresh", "fresh") < calls("/fresh", "fresh")


def test_request_authorizer(server, authorized) -> None:
    url = f"{authorized.url(server.endpoint)}/request"
    assert call(url, headers={"x-token": "allow"}) == UNAUTHORIZED  # no q: caching is on
    status, answer = call(f"{url}?q=1", headers={"x-token": "allow"})
    assert status == 200
    assert answer["requestContext"]["authorizer"]["type"] == "REQUEST"
    assert call(f"{url}?q=1", headers={"x-token": "deny"})[0] == 403


def test_aws_iam(server, authorized) -> None:
    url = f"{authorized.url(server.endpoint)}/iam"
    assert call(url) == (403, {"message": "Missing Authentication Token"})
    status, answer = call(url, headers={"Authorization": "AWS4-HMAC-SHA256 nonsense"})
    assert status == 403
    headers = signed(url, "GET", service="execute-api")
    status, answer = call(url, headers=headers)
    assert status == 200, answer
    identity = answer["requestContext"]["identity"]
    assert identity["userArn"] == "arn:aws:iam::000000000000:root"
    assert identity["accessKey"]


def test_cognito_authorizers_are_refused(server, apigw, function_arn) -> None:
    built = RestApi(apigw, "cognito")
    pool = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x"
    authorizer = apigw.create_authorizer(
        restApiId=built.id, name="pool", type="COGNITO_USER_POOLS", providerARNs=[pool],
        identitySource="method.request.header.Authorization",
    )["id"]  # fmt: skip
    built.proxy("/x", "GET", function_arn, authorization="COGNITO_USER_POOLS",
                authorizerId=authorizer)  # fmt: skip
    built.deploy()
    assert call(f"{built.url(server.endpoint)}/x", headers={"Authorization": "t"}) == (
        500, {"message": None},
    )  # fmt: skip


def test_api_keys_and_usage_plans(server, apigw, function_arn) -> None:
    built = RestApi(apigw, "keys")
    built.proxy("/keyed", "GET", function_arn, apiKeyRequired=True)
    built.proxy("/limited", "GET", function_arn, apiKeyRequired=True)
    built.proxy("/open", "GET", function_arn)
    built.deploy()
    value = uuid.uuid4().hex * 2
    key = apigw.create_api_key(name=f"k-{value[:6]}", enabled=True, value=value)
    stray = apigw.create_api_key(name=f"s-{value[:6]}", enabled=True)
    plan = apigw.create_usage_plan(
        name="plan", apiStages=[{"apiId": built.id, "stage": "prod"}],
        quota={"limit": 3, "period": "DAY"},
    )  # fmt: skip
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    base = built.url(server.endpoint)
    assert call(f"{base}/open")[0] == 200
    assert call(f"{base}/keyed") == FORBIDDEN
    assert call(f"{base}/keyed", headers={"x-api-key": "nope"}) == FORBIDDEN
    assert call(f"{base}/keyed", headers={"x-api-key": stray["value"]}) == FORBIDDEN
    status, answer = call(f"{base}/keyed", headers={"x-api-key": value})
    assert status == 200
    identity = answer["requestContext"]["identity"]
    assert (identity["apiKey"], identity["apiKeyId"]) == (value, key["id"])
    assert call(f"{base}/keyed", headers={"x-api-key": value})[0] == 200
    assert call(f"{base}/limited", headers={"x-api-key": value})[0] == 200
    assert call(f"{base}/keyed", headers={"x-api-key": value}) == (
        429, {"message": "Limit Exceeded"},
    )  # fmt: skip


def test_usage_plan_throttle(server, apigw, function_arn) -> None:
    built = RestApi(apigw, "throttled")
    built.proxy("/t", "GET", function_arn, apiKeyRequired=True)
    built.deploy()
    key = apigw.create_api_key(name=f"t-{uuid.uuid4().hex[:6]}", enabled=True)
    plan = apigw.create_usage_plan(
        name="slow", apiStages=[{"apiId": built.id, "stage": "prod"}],
        throttle={"rateLimit": 0.001, "burstLimit": 1},
    )  # fmt: skip
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    url = f"{built.url(server.endpoint)}/t"
    assert call(url, headers={"x-api-key": key["value"]})[0] == 200
    assert call(url, headers={"x-api-key": key["value"]}) == (
        429, {"message": "Too Many Requests"},
    )  # fmt: skip


def test_request_validators(server, apigw, function_arn) -> None:
    built = RestApi(apigw, "validated")
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
        "required": ["name"], "properties": {"name": {"type": "string"}},
    }  # fmt: skip
    apigw.create_model(restApiId=built.id, name="Pet", contentType="application/json",
                       schema=json.dumps(schema))  # fmt: skip
    validator = apigw.create_request_validator(
        restApiId=built.id, name="all", validateRequestBody=True, validateRequestParameters=True
    )["id"]
    built.proxy(
        "/pets", "POST", function_arn, requestValidatorId=validator,
        requestParameters={"method.request.querystring.owner": True,
                           "method.request.header.x-tag": True,
                           "method.request.querystring.optional": False},
        requestModels={"application/json": "Pet"},
    )  # fmt: skip
    built.deploy()
    url = f"{built.url(server.endpoint)}/pets"
    json_type = {"Content-Type": "application/json"}
    good = json.dumps({"name": "rex"}).encode()
    assert call(url, "POST", body=good, headers=json_type) == (
        400, {"message": "Missing required request parameters: [owner, x-tag]"},
    )  # fmt: skip
    tagged = {**json_type, "x-tag": "t"}
    invalid = (400, {"message": "Invalid request body"})
    assert call(f"{url}?owner=a", "POST", body=b'{"name": 1}', headers=tagged) == invalid
    assert call(f"{url}?owner=a", "POST", body=b"not json", headers=tagged) == invalid
    assert call(f"{url}?owner=a", "POST", body=good, headers=tagged)[0] == 200


def test_gateway_responses_customised(server, apigw, function_arn) -> None:
    built = RestApi(apigw, "responses")
    built.proxy("/x", "GET", function_arn, apiKeyRequired=True)
    apigw.put_gateway_response(
        restApiId=built.id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseParameters={"gatewayresponse.header.x-why": "'no route'",
                            "gatewayresponse.header.x-origin": "method.request.header.origin"},
    )  # fmt: skip
    apigw.put_gateway_response(
        restApiId=built.id,
        responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.x-4xx": "'yes'"},
    )
    built.deploy()
    base = built.url(server.endpoint)
    status, headers, body = http_call(f"{base}/nowhere", headers={"Origin": "https://o.test"})
    assert (status, json.loads(body)) == (404, {"message": "Missing Authentication Token"})
    assert headers["x-why"] == "no route" and headers["x-origin"] == "https://o.test"
    status, headers, body = http_call(f"{base}/x")  # INVALID_API_KEY falls back to DEFAULT_4XX
    assert (status, json.loads(body)) == FORBIDDEN
    assert headers["x-4xx"] == "yes"
