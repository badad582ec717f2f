"""HTTP APIs end to end: configured with boto3, called with a plain HTTP client at their
ApiEndpoint (or API Gateway's host form), answered as API Gateway answers."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support import allow, deploy, http_call, presigned_url, signed_headers, wait_for

SAMPLES = Path(__file__).resolve().parents[2] / "events"
APIGATEWAY = "apigateway.amazonaws.com"
EXECUTE_API = "arn:aws:execute-api:us-east-1:000000000000"
INTERNAL_ERROR = (500, {"message": "Internal Server Error"})
APP = """
import json, time

def handler(event, context):
    path = event.get("rawPath") or event["path"]
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    if path.endswith("/garbage"):
        return {"statusCode": "nope"}
    if path.endswith("/slow"):
        time.sleep(3)
    if path.endswith("/cors"):
        return {"statusCode": 200, "headers": {"access-control-allow-origin": "https://evil.test",
                "access-control-max-age": "9"}, "body": "cors"}
    return {"statusCode": 200, "headers": {"x-version": event.get("version", "?")},
            "body": json.dumps(event)}
"""
ORIGIN = "https://example.com"
CORS = {"AllowOrigins": [ORIGIN], "AllowMethods": ["GET", "POST"], "MaxAge": 60}


def event_of(url: str, method: str = "GET", **options) -> dict:
    status, _, body = http_call(url, method, **options)
    assert status == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def function_arn(server) -> str:
    client = server.client("lambda")
    name = f"http-api-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP, Timeout=10)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")  # every API of the account
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def gateway(server):
    return server.client("apigatewayv2")


def integration(gateway, api_id: str, uri: str, version: str = "2.0", **extra) -> str:
    made = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=uri,
        PayloadFormatVersion=version,
        **extra,
    )
    return "integrations/" + made["IntegrationId"]


@pytest.fixture(scope="module")
def api(gateway, function_arn) -> str:
    """Routes of every kind over one function; a $default stage with AutoDeploy, CORS on."""
    created = gateway.create_api(Name="routes", ProtocolType="HTTP", CorsConfiguration=CORS)
    api_id = created["ApiId"]
    v2 = integration(gateway, api_id, function_arn)
    v1 = integration(gateway, api_id, function_arn, "1.0")
    slow = integration(gateway, api_id, function_arn, TimeoutInMillis=500)
    for key, target, authorization in [
        ("GET /items/{id}", v2, "NONE"),
        ("GET /items/special", v2, "NONE"),
        ("ANY /files/{proxy+}", v2, "NONE"),
        ("POST /v1/{thing}", v1, "NONE"),
        ("GET /v1/garbage", v1, "NONE"),
        ("GET /slow", slow, "NONE"),
        ("GET /signed", v2, "AWS_IAM"),
        ("$default", v2, "NONE"),
    ]:
        gateway.create_route(
            ApiId=api_id, RouteKey=key, Target=target, AuthorizationType=authorization
        )
    gateway.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return created["ApiEndpoint"]


def test_routing_precedence_greedy_paths_any_and_default(api) -> None:
    special = event_of(f"{api}/items/special")
    assert special["routeKey"] == "GET /items/special" and "pathParameters" not in special
    item = event_of(f"{api}/items/a%20b")
    assert item["routeKey"] == "GET /items/{id}" and item["pathParameters"] == {"id": "a b"}
    assert item["rawPath"] == "/items/a%20b"
    files = event_of(f"{api}/files/x/y/z.txt", "DELETE")
    assert files["routeKey"] == "ANY /files/{proxy+}"
    assert files["pathParameters"] == {"proxy": "x/y/z.txt"}
    fallback = event_of(f"{api}/items/1/more", "PUT")
    assert fallback["routeKey"] == "$default" and fallback["rawPath"] == "/items/1/more"


def test_payload_2_0_as_the_function_sees_it(api) -> None:
    event = event_of(
        f"{api}/items/7?x=1&x=2",
        headers={"Cookie": "a=1; b=2", "X-Many": "v"},
    )
    sample = json.loads((SAMPLES / "apigw-v2-request-no-authorizer.json").read_text())
    assert set(sample) - {"isBase64Encoded"} <= set(event)
    assert set(sample["requestContext"]) - {"authentication"} <= set(event["requestContext"])
    assert set(event["requestContext"]["http"]) == set(sample["requestContext"]["http"])
    assert event["version"] == "2.0" and event["rawQueryString"] == "x=1&x=2"
    assert event["queryStringParameters"] == {"x": "1,2"} and event["cookies"] == ["a=1", "b=2"]
    context = event["requestContext"]
    assert context["domainName"].endswith(".execute-api.us-east-1.amazonaws.com")
    assert (context["stage"], context["routeKey"]) == ("$default", "GET /items/{id}")


def test_payload_1_0_as_the_function_sees_it(api) -> None:
    status, headers, body = http_call(
        f"{api}/v1/thing%201?a=1&a=2",
        "POST",
        b'{"in": 1}',
        {"Content-Type": "application/json", "X-Custom": "c"},
    )
    assert status == 200 and headers["x-version"] == "1.0"
    event = json.loads(body)
    sample = json.loads((SAMPLES / "apigw-request.json").read_text())
    assert set(sample) <= set(event)
    assert event["resource"] == "/v1/{thing}" and event["path"] == "/v1/thing%201"
    assert event["httpMethod"] == "POST" and event["body"] == '{"in": 1}'
    assert event["pathParameters"] == {"thing": "thing 1"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["headers"]["x-custom"] == "c" and event["multiValueHeaders"]["x-custom"] == ["c"]
    context = event["requestContext"]
    assert context["resourcePath"] == "/v1/{thing}" and context["stage"] == "$default"
    assert context["identity"]["sourceIp"] == "127.0.0.1"


def test_no_route_is_404_not_found(gateway, function_arn) -> None:
    created = gateway.create_api(
        Name="narrow", ProtocolType="HTTP", Target=function_arn, RouteKey="GET /only"
    )
    endpoint = created["ApiEndpoint"]
    assert http_call(f"{endpoint}/only")[0] == 200
    for url, method in [(f"{endpoint}/other", "GET"), (f"{endpoint}/only", "POST")]:
        status, headers, body = http_call(url, method)
        assert (status, json.loads(body)) == (404, {"message": "Not Found"})
        assert headers["apigw-requestid"]
    unknown = endpoint.rsplit("/", 1)[0] + "/zzzzzzzzzz/only"
    assert http_call(unknown)[0] == 404


def test_named_stages_variables_and_deployments(gateway, function_arn) -> None:
    api_id = gateway.create_api(Name="staged", ProtocolType="HTTP")["ApiId"]
    endpoint = gateway.get_api(ApiId=api_id)["ApiEndpoint"]
    # The function is named through a stage variable, as API Gateway allows.
    prefix, name = function_arn.rsplit(":", 1)
    target = integration(gateway, api_id, prefix + ":${stageVariables.fn}")
    gateway.create_route(ApiId=api_id, RouteKey="GET /hello", Target=target)
    gateway.create_stage(ApiId=api_id, StageName="prod", StageVariables={"fn": name, "c": "b"})
    assert http_call(f"{endpoint}/prod/hello")[0] == 404  # nothing deployed to the stage yet
    gateway.create_deployment(ApiId=api_id, StageName="prod")
    event = event_of(f"{endpoint}/prod/hello")
    assert event["rawPath"] == "/prod/hello" and event["requestContext"]["stage"] == "prod"
    assert event["stageVariables"] == {"fn": name, "c": "b"}
    assert http_call(f"{endpoint}/hello")[0] == 404  # no $default stage


def test_cors_preflight_and_headers(api) -> None:
    status, headers, body = http_call(
        f"{api}/anything",
        "OPTIONS",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert (status, body) == (204, b"")
    assert headers["access-control-allow-origin"] == ORIGIN
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-max-age"] == "60"
    status, headers, _ = http_call(f"{api}/cors", headers={"Origin": ORIGIN})
    # The integration's own CORS headers give way to the API's configuration.
    assert status == 200 and headers.get_all("access-control-allow-origin") == [ORIGIN]
    assert headers["access-control-max-age"] is None


def test_function_failures_are_500_and_timeouts_503(api) -> None:
    for path in ("/items/fail", "/items/garbage", "/v1/garbage"):
        status, _, body = http_call(api + path)
        assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"}), path
    status, _, body = http_call(f"{api}/slow")
    assert (status, json.loads(body)) == (503, {"message": "Service Unavailable"})


def test_a_throttled_function_is_500(server, gateway) -> None:
    client = server.client("lambda")
    name = f"throttled-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    endpoint = gateway.create_api(Name="t", ProtocolType="HTTP", Target=arn)["ApiEndpoint"]
    status, _, body = http_call(f"{endpoint}/x")
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})


def test_oversized_requests(api) -> None:
    status, _, body = http_call(f"{api}/items/1", "POST", b"x" * (10 * 1024 * 1024 + 1))
    assert (status, json.loads(body)) == (413, {"message": "Request Entity Too Large"})
    # Within API Gateway's 10 MB but over what Lambda takes: the invocation fails.
    status, _, body = http_call(f"{api}/items/1", "POST", b"x" * (7 * 1024 * 1024))
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
    status, _, body = http_call(f"{api}/items/1", headers={"X-Big": "b" * 11000})
    assert (status, json.loads(body)) == (431, {"message": "Request Header Fields Too Large"})


def test_api_gateways_host_form(server, api) -> None:
    api_id = api.rsplit("/", 1)[1]
    host = f"{api_id}.execute-api.us-east-1.amazonaws.com"
    event = event_of(f"{server.endpoint}/items/special", headers={"Host": host})
    assert event["routeKey"] == "GET /items/special"


def test_iam_routes_need_a_signature_and_a_disabled_endpoint_refuses(gateway, api) -> None:
    assert http_call(f"{api}/signed")[0] == 403
    off = gateway.create_api(Name="off", ProtocolType="HTTP", DisableExecuteApiEndpoint=True)
    status, _, body = http_call(off["ApiEndpoint"] + "/")
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})


def test_iam_routes_verify_the_signature_and_ask_iam(server, api) -> None:
    """AWS_IAM: a SigV4 signature (header or presigned query) for `execute-api`, verified,
    and IAM's execute-api:Invoke on `api-id/stage/METHOD/path`; a header that only looks
    like one is refused."""
    url = f"{api}/signed"
    forged = {"Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/execute-api"}
    assert http_call(url, headers=forged)[0] == 403
    status, _, body = http_call(url)
    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})
    headers = signed_headers(server.data_dir, "GET", url, service="execute-api")
    assert http_call(url, headers=headers)[0] == 200
    key = server.credentials
    assert http_call(presigned_url(url, *key.values()))[0] == 200
    wrong_service = signed_headers(server.data_dir, "GET", url, service="lambda")
    assert http_call(url, headers=wrong_service)[0] == 403
    assert http_call(url + "?x=1", headers=headers)[0] == 403  # the query is signed too

    iam = server.client("iam")
    name = f"caller-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    user_key = iam.create_access_key(UserName=name)["AccessKey"]
    user = (user_key["AccessKeyId"], user_key["SecretAccessKey"])
    status, _, body = wait_for(lambda: _refused_or_none(presigned_url(url, *user)))
    assert status == 403 and "execute-api:Invoke" in json.loads(body)["message"]
    api_id = api.rsplit("/", 1)[1]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "execute-api:Invoke",
                "Resource": f"{EXECUTE_API}:{api_id}/$default/GET/signed",
            }
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    assert wait_for(lambda: http_call(presigned_url(url, *user))[0] == 200)


def _refused_or_none(url: str) -> tuple | None:
    # a new key is known to the server at once or shortly after: an unknown key is 403 too
    answer = http_call(url)
    return answer if b"execute-api:Invoke" in answer[2] else None


def test_the_function_policy_decides_which_routes_may_invoke_it(server, gateway) -> None:
    """API Gateway invokes as `apigateway.amazonaws.com`, its SourceArn the route's
    `api-id/stage/METHOD/path` (or `api-id/stage/$default`); without a permission that
    allows it the integration answers 500, as API Gateway does."""
    client = server.client("lambda")
    name = f"guarded-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP)
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    created = gateway.create_api(Name="guarded", ProtocolType="HTTP")
    api_id, endpoint = created["ApiId"], created["ApiEndpoint"]
    target = integration(gateway, api_id, arn)
    for key in ("GET /items/{id}", "$default"):
        gateway.create_route(ApiId=api_id, RouteKey=key, Target=target)
    gateway.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    def answer(path: str) -> tuple[int, object]:
        status, _, body = http_call(endpoint + path)
        return status, json.loads(body)

    assert answer("/items/1") == INTERNAL_ERROR  # no policy at all
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:another-api/*/*/items/{{id}}")
    allow(client, name, "events.amazonaws.com", f"{EXECUTE_API}:{api_id}/*/*/items/{{id}}")
    assert answer("/items/1") == INTERNAL_ERROR  # another API's, another service's

    route = allow(client, name, APIGATEWAY, f"{EXECUTE_API}:{api_id}/*/GET/items/{{id}}")
    status, event = answer("/items/1")
    assert status == 200 and event["routeKey"] == "GET /items/{id}"
    assert answer("/other") == INTERNAL_ERROR  # the $default route is not /items/{id}
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:{api_id}/*/$default")
    assert answer("/other")[0] == 200

    client.remove_permission(FunctionName=name, StatementId=route["Sid"])
    assert answer("/items/1") == INTERNAL_ERROR  # a cached answer is not kept past a change
    assert answer("/other")[0] == 200
