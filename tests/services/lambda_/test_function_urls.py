"""Function URLs end to end: create one with boto3, call it with a plain HTTP client."""

from __future__ import annotations

import json
import socket
import time

import pytest

from support import deploy, http_call

APP = """
import base64, json

def handler(event, context):
    path = event["rawPath"]
    if path == "/fail":
        raise RuntimeError("boom")
    if path == "/garbage":
        return {"statusCode": "nope"}
    if path == "/plain":
        return {"just": "json"}
    if path == "/image":
        return {"statusCode": 200, "headers": {"content-type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG-bytes").decode(), "isBase64Encoded": True}
    return {
        "statusCode": 201,
        "headers": {"x-echo": "yes"},
        "cookies": ["a=1", "b=2"],
        "body": json.dumps({"event": event}),
    }
"""


def call(url: str, path: str, method: str = "GET", body: bytes | None = None, headers=None):
    return http_call(url.rstrip("/") + path, method, body, headers)


@pytest.fixture
def url(lambda_client, function_name) -> str:
    deploy(lambda_client, function_name, APP)
    created = lambda_client.create_function_url_config(
        FunctionName=function_name,
        AuthType="NONE",
        Cors={
            "AllowOrigins": ["https://example.com"],
            "AllowMethods": ["GET", "POST"],
            "MaxAge": 60,
        },
    )
    return created["FunctionUrl"]


def test_event_and_structured_response(url: str) -> None:
    status, headers, body = call(
        url,
        "/items/7?x=1&x=2",
        "POST",
        b'{"a": 1}',
        {"Content-Type": "application/json", "Cookie": "s=1"},
    )
    assert status == 201 and headers["x-echo"] == "yes"
    assert headers.get_all("set-cookie") == ["a=1", "b=2"]
    event = json.loads(body)["event"]
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/7" and event["rawQueryString"] == "x=1&x=2"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["cookies"] == ["s=1"] and event["body"] == '{"a": 1}'
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["domainName"].endswith(".on.aws")


def test_inferred_binary_and_error_responses(url: str) -> None:
    status, headers, body = call(url, "/plain")
    assert status == 200 and json.loads(body) == {"just": "json"}
    status, headers, body = call(url, "/image")
    assert status == 200 and headers["content-type"] == "image/png" and body == b"\x89PNG-bytes"
    assert call(url, "/fail")[0] == 502
    assert call(url, "/garbage")[0] == 502


def test_cors_preflight_and_headers(url: str) -> None:
    status, headers, _ = call(
        url,
        "/x",
        "OPTIONS",
        headers={"Origin": "https://example.com", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://example.com"
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-max-age"] == "60"
    status, headers, _ = call(url, "/plain", headers={"Origin": "https://example.com"})
    assert headers["access-control-allow-origin"] == "https://example.com"


def test_lambda_host_form_and_unknown_urls(server, url: str) -> None:
    url_id = url.rstrip("/").rsplit("/", 1)[1]
    status, _, body = call(
        server.endpoint, "/plain", headers={"Host": f"{url_id}.lambda-url.us-east-1.on.aws"}
    )
    assert status == 200 and json.loads(body) == {"just": "json"}
    assert call(server.endpoint, "/lambda-url/" + "z" * 32 + "/")[0] == 404


def test_iam_urls_need_a_signature(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP)
    url = lambda_client.create_function_url_config(FunctionName=function_name, AuthType="AWS_IAM")[
        "FunctionUrl"
    ]
    assert call(url, "/plain")[0] == 403
    signed = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/lambda/aws4_request"
    }
    assert call(url, "/plain", headers=signed)[0] == 200


def test_invalid_response_is_explained_in_the_functions_log(server, url: str, function_name):
    assert call(url, "/garbage")[0] == 502
    logs = server.client("logs")
    deadline = time.monotonic() + 5
    messages: list[str] = []
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function_name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []  # not written yet
        messages = [e["message"] for e in events]
        if any("invalid response" in m for m in messages):
            break
        time.sleep(0.1)  # the log is written in batches: poll it with a deadline
    assert any("invalid response: statusCode must be an HTTP status" in m for m in messages)


def test_a_slow_client_does_not_block_others(url: str) -> None:
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    slow = socket.create_connection((host, int(port)))
    try:
        slow.sendall(b"GET " + url.split(port, 1)[1].encode() + b"plain HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        assert call(url, "/plain")[0] == 200  # answered while the slow request is unfinished
        assert time.monotonic() - started < 5
    finally:
        slow.close()


def test_raw_paths_reach_the_function_unresolved(url: str) -> None:
    status, _, body = call(url, "/a/%2e%2e/b")
    assert status == 201
    assert json.loads(body)["event"]["rawPath"] == "/a/%2e%2e/b"
