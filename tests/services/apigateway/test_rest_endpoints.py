"""REST APIs end to end: built with boto3's apigateway, called with a plain HTTP client at
LocalStack's path form or API Gateway's host form, answered as API Gateway answers."""

from __future__ import annotations

import base64
import http.client
import json
import re
import urllib.parse
import uuid

import pytest
from rest_support import APIGATEWAY, EXECUTE_API, RestApi

from support import allow, deploy, http_call

APP = """
import base64, json, time

def handler(event, context):
    path = event["path"]
    if path.endswith("/fail"):
        raise RuntimeError("boom")
    if path.endswith("/garbage"):
        return {"statusCode": "nope"}
    if path.endswith("/slow"):
        time.sleep(3)
    if path.endswith("/binary"):
        return {"statusCode": 200, "headers": {"content-type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG").decode(), "isBase64Encoded": True}
    return {"statusCode": 200, "multiValueHeaders": {"x-many": ["a", "b"]},
            "body": json.dumps(event)}
"""
REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
MISSING = (403, {"message": "Missing Authentication Token"})


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


@pytest.fixture(scope="module")
def function_arn(server) -> str:
    client = server.client("lambda")
    name = f"rest-api-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP, Timeout=10)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def api(apigw, function_arn) -> RestApi:
    built = RestApi(apigw, "pets", binaryMediaTypes=["image/png"])
    for path, method in [
        ("/pets", "GET"),
        ("/pets/{id}", "GET"),
        ("/pets/special", "GET"),
        ("/pets/{id}/toys/{toy}", "POST"),
        ("/files/{proxy+}", "ANY"),
        ("/slow", "GET"),
    ]:
        built.proxy(path, method, function_arn)
    slow = built.resource("/slow")
    apigw.update_integration(
        restApiId=built.id, resourceId=slow, httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "500"}],
    )  # fmt: skip
    built.method("/mock", "GET", {"type": "MOCK", "responses": {"200": {}}})
    # The Serverless Framework's CORS preflight template: not strict JSON (unquoted key).
    lenient = {"application/json": "{statusCode:200}"}
    built.method("/lenient", "GET", {"type": "MOCK", "requestTemplates": lenient,
                                     "responses": {"200": {}}})  # fmt: skip
    built.deploy("prod", variables={"colour": "blue"})
    return built


def call(url: str, method: str = "GET", **options) -> tuple[int, object, dict]:
    status, headers, body = http_call(url, method, **options)
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = body
    return status, parsed, headers


def event_of(url: str, method: str = "GET", **options) -> dict:
    status, event, _ = call(url, method, **options)
    assert status == 200, event
    return json.loads(event["body"]) if "body" not in event else event


def test_routing_literal_variable_greedy_and_any(server, api) -> None:
    base = api.url(server.endpoint)
    special = event_of(f"{base}/pets/special")
    assert special["resource"] == "/pets/special" and special["pathParameters"] is None
    pet = event_of(f"{base}/pets/a%20b")
    assert pet["resource"] == "/pets/{id}" and pet["pathParameters"] == {"id": "a b"}
    toy = event_of(f"{base}/pets/7/toys/ball", "POST", body=b"{}")
    assert toy["pathParameters"] == {"id": "7", "toy": "ball"}
    files = event_of(f"{base}/files/x/y/z.txt", "DELETE")
    assert files["resource"] == "/files/{proxy+}" and files["httpMethod"] == "DELETE"
    assert files["pathParameters"] == {"proxy": "x/y/z.txt"}
    assert event_of(f"{base}/pets/")["resource"] == "/pets"


def test_no_route_no_method_is_missing_authentication_token(server, api) -> None:
    base = api.url(server.endpoint)
    for url, method in [(f"{base}/owners", "GET"), (f"{base}/pets", "POST"), (base, "GET"),
                        (f"{base}/files", "GET")]:  # fmt: skip
        status, body, headers = call(url, method)
        assert (status, body) == MISSING, url
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_the_proxy_event_as_the_function_sees_it(server, api) -> None:
    url = f"{api.url(server.endpoint)}/pets/7?a=1&a=2&b=3"
    event = event_of(url, headers={"X-Many": "v", "User-Agent": "tests"})
    assert event["path"] == "/pets/7" and event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"a": "2", "b": "3"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    # urllib sends `X-Many` (str.title): the name reaches the function as it was sent
    assert event["headers"]["X-Many"] == "v" and event["multiValueHeaders"]["X-Many"] == ["v"]
    assert event["stageVariables"] == {"colour": "blue"}
    # What API Gateway's front end adds, as in the guide's sample events.
    port = urllib.parse.urlsplit(server.endpoint).port
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["headers"]["X-Forwarded-Port"] == str(port)
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["path"] == "/prod/pets/7" and context["stage"] == "prod"
    assert context["resourcePath"] == "/pets/{id}" and context["httpMethod"] == "GET"
    assert context["apiId"] == api.id and context["accountId"] == "000000000000"
    assert context["domainName"] == f"{api.id}.execute-api.us-east-1.amazonaws.com"
    assert REQUEST_ID.fullmatch(context["requestId"])
    assert context["extendedRequestId"] and isinstance(context["requestTimeEpoch"], int)
    assert re.fullmatch(r"\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000", context["requestTime"])
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "tests"
    resources = api.apigw.get_resources(restApiId=api.id)["items"]
    assert context["resourceId"] == next(r["id"] for r in resources if r["path"] == "/pets/{id}")


def test_forwarded_headers_are_api_gateways(server, api) -> None:
    """A client's X-Forwarded-For is kept with its own address appended; the port and
    protocol are the endpoint's, whatever the client claimed."""
    sent = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
            "x-forwarded-port": "443"}  # fmt: skip
    event = event_of(f"{api.url(server.endpoint)}/pets/7", headers=sent)
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["203.0.113.7, 127.0.0.1"]
    assert event["multiValueHeaders"]["X-Forwarded-Proto"] == ["http"]
    assert "x-forwarded-port" not in event["headers"]


def test_header_names_keep_the_clients_casing(server, api) -> None:
    """REST APIs hand the function the names as sent (`Accept`, `CloudFront-Is-Mobile-Viewer`
    in AWS's sample events); uvicorn's parser lower-cases them, http/header_case.py keeps
    them. Sent with http.client, which writes names exactly as given."""
    url = urllib.parse.urlsplit(f"{api.url(server.endpoint)}/pets/7")
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest("GET", url.path)
        for name, value in (("X-Mixed-Case", "1"), ("x-lower", "2"), ("X-Twice", "a"),
                            ("X-Twice", "b")):  # fmt: skip
            connection.putheader(name, value)
        connection.endheaders()
        event = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    assert event["headers"]["X-Mixed-Case"] == "1" and event["headers"]["x-lower"] == "2"
    assert event["multiValueHeaders"]["X-Twice"] == ["a", "b"]
    assert "x-mixed-case" not in event["headers"]
    assert event["headers"]["Host"]


def test_bodies_text_and_binary(server, api) -> None:
    base = api.url(server.endpoint)
    text = event_of(f"{base}/pets/7/toys/x", "POST", body=b'{"a": 1}',
                    headers={"Content-Type": "application/json"})  # fmt: skip
    assert text["body"] == '{"a": 1}' and text["isBase64Encoded"] is False
    binary = event_of(f"{base}/pets/7/toys/x", "POST", body=b"\x89PNG",
                      headers={"Content-Type": "image/png"})  # fmt: skip
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG"


def test_binary_responses_need_a_binary_media_type(server, api) -> None:
    url = f"{api.url(server.endpoint)}/files/binary"
    status, headers, body = http_call(url, headers={"Accept": "image/png"})
    assert status == 200 and body == b"\x89PNG"
    status, headers, body = http_call(url, headers={"Accept": "application/json"})
    # Asked for no binary type, with image/png a binary type: the response's type decides.
    assert body == b"\x89PNG"


def test_response_headers_and_ids(server, api) -> None:
    status, headers, _ = http_call(f"{api.url(server.endpoint)}/pets")
    assert status == 200
    assert headers.get_all("x-many") == ["a", "b"]
    assert REQUEST_ID.fullmatch(headers["x-amzn-RequestId"])
    assert headers["x-amz-apigw-id"]


def test_function_failures_and_timeouts(server, api) -> None:
    base = api.url(server.endpoint)
    internal = (502, {"message": "Internal server error"})
    assert call(f"{base}/files/fail")[:2] == internal
    assert call(f"{base}/files/garbage")[:2] == internal
    assert call(f"{base}/slow")[:2] == (504, {"message": "Endpoint request timed out"})


def test_a_function_that_does_not_allow_api_gateway_is_500(server, apigw) -> None:
    client = server.client("lambda")
    name = f"rest-closed-{uuid.uuid4().hex[:8]}"
    deploy(client, name, APP)
    arn = client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    built = RestApi(apigw, "closed")
    built.proxy("/x", "GET", arn)
    built.deploy()
    assert call(f"{built.url(server.endpoint)}/x")[:2] == (
        500, {"message": "Internal server error"},
    )  # fmt: skip
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:{built.id}/*/GET/x")
    assert call(f"{built.url(server.endpoint)}/x")[0] == 200


def test_host_form_and_unknown_stage(server, api) -> None:
    host = f"{api.id}.execute-api.us-east-1.localhost.localstack.cloud"
    event = event_of(f"{server.endpoint}/prod/pets/3", headers={"Host": host})
    assert event["pathParameters"] == {"id": "3"}
    status, body, _ = call(f"{server.endpoint}/nostage/pets/3", headers={"Host": host})
    assert (status, body) == (403, {"message": "Forbidden"})


def test_mock_integration_without_templates(server, api) -> None:
    status, headers, body = http_call(f"{api.url(server.endpoint)}/mock")
    assert (status, body) == (200, b"")


def test_mock_integration_reads_a_lenient_status_template(server, api) -> None:
    status, headers, body = http_call(f"{api.url(server.endpoint)}/lenient")
    assert (status, body) == (200, b"")
