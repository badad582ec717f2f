"""Function URLs end to end: create one with boto3, call it with a plain HTTP client."""

from __future__ import annotations

import json
import socket
import time

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from support import allow_public_url, deploy, http_call, signed_headers

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
    allow_public_url(lambda_client, function_name)
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


def test_none_urls_need_the_functions_policy_to_let_everyone_in(
    server, lambda_client, function_name
) -> None:
    """AuthType NONE skips authentication, not authorization: the function's resource-based
    policy must grant `*` lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE) and, since
    October 2025, lambda:InvokeFunction through a URL; until then Lambda answers 403."""
    deploy(lambda_client, function_name, APP)
    url = lambda_client.create_function_url_config(FunctionName=function_name, AuthType="NONE")[
        "FunctionUrl"
    ]
    forbidden = (403, {"Message": "Forbidden"})

    def answer() -> tuple[int, dict]:
        status, headers, body = call(url, "/plain")
        assert headers["content-type"] == "application/json"
        return status, json.loads(body)

    assert answer() == forbidden
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    assert answer() == forbidden  # lambda:InvokeFunction is needed too
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="public-invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    assert answer() == (200, {"just": "json"})
    # Removing a statement takes effect at once (the answer is cached per policy revision).
    lambda_client.remove_permission(FunctionName=function_name, StatementId="public-url")
    assert answer() == forbidden
    # A grant for AWS_IAM URLs, or to one account only, does not open a NONE URL.
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="iam-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="AWS_IAM",
    )
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="account-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="000000000000",
        FunctionUrlAuthType="NONE",
    )
    assert answer() == forbidden


def test_an_alias_none_url_needs_the_aliass_policy(server, lambda_client, function_name) -> None:
    """An alias's URL is judged by the alias's policy (AddPermission with its Qualifier)."""
    deploy(lambda_client, function_name, APP)
    version = lambda_client.publish_version(FunctionName=function_name)["Version"]
    lambda_client.create_alias(FunctionName=function_name, Name="live", FunctionVersion=version)
    url = lambda_client.create_function_url_config(
        FunctionName=function_name, Qualifier="live", AuthType="NONE"
    )["FunctionUrl"]
    allow_public_url(lambda_client, function_name)  # the function's: not the alias's
    assert call(url, "/plain")[0] == 403
    allow_public_url(lambda_client, function_name, qualifier="live")
    assert call(url, "/plain")[0] == 200


def test_iam_urls_need_a_signature(server, lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP)
    url = lambda_client.create_function_url_config(FunctionName=function_name, AuthType="AWS_IAM")[
        "FunctionUrl"
    ]
    status, _, body = call(url, "/plain")
    assert (status, json.loads(body)) == (403, {"Message": "Forbidden"})
    target = url.rstrip("/") + "/plain?a=1"
    signed = signed_headers(server.data_dir, "GET", target, service="lambda")
    status, _, body = http_call(target, headers=signed)
    assert (status, json.loads(body)) == (200, {"just": "json"})
    # A signed body, and the presigned-query form.
    posted = signed_headers(server.data_dir, "POST", target, b'{"x": 1}', service="lambda")
    assert http_call(target, "POST", b'{"x": 1}', posted)[0] == 200
    assert http_call(presigned(server.credentials, target))[0] == 200


def test_iam_urls_refuse_a_bad_signature(server, lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP)
    url = lambda_client.create_function_url_config(FunctionName=function_name, AuthType="AWS_IAM")[
        "FunctionUrl"
    ]
    target = url.rstrip("/") + "/plain"
    root = server.credentials
    wrong_secret = {**root, "aws_secret_access_key": "not-the-secret"}
    status, _, body = http_call(target, headers=sign(wrong_secret, "GET", target))
    assert status == 403
    assert json.loads(body)["message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    unknown = {"aws_access_key_id": "AKIAUNKNOWNKEY000000", "aws_secret_access_key": "x"}
    status, _, body = http_call(target, headers=sign(unknown, "GET", target))
    assert (status, json.loads(body)) == (
        403,
        {"message": "The security token included in the request is invalid."},
    )
    # Signed for another service: a URL takes `lambda`'s signatures only.
    assert http_call(target, headers=sign(root, "GET", target, service="s3"))[0] == 403
    # Changed after signing.
    moved = sign(root, "GET", target)
    assert http_call(target + "?extra=1", headers=moved)[0] == 403


def test_iam_urls_authorize_the_signer(server, lambda_client, function_name) -> None:
    """The signer needs lambda:InvokeFunctionUrl and lambda:InvokeFunction on the function,
    from its own policies or from the function's resource policy."""
    deploy(lambda_client, function_name, APP)
    url = lambda_client.create_function_url_config(FunctionName=function_name, AuthType="AWS_IAM")[
        "FunctionUrl"
    ]
    target = url.rstrip("/") + "/plain"
    iam = server.client("iam")
    user = f"url-caller-{function_name}"[:64]
    user_arn = iam.create_user(UserName=user)["User"]["Arn"]
    created = iam.create_access_key(UserName=user)["AccessKey"]
    key = {
        "aws_access_key_id": created["AccessKeyId"],
        "aws_secret_access_key": created["SecretAccessKey"],
    }
    status, _, body = http_call(target, headers=sign(key, "GET", target))
    assert (status, json.loads(body)) == (403, {"Message": "Forbidden"})
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal=user_arn,
        FunctionUrlAuthType="AWS_IAM",
    )
    # Since October 2025 a URL also needs lambda:InvokeFunction.
    assert http_call(target, headers=sign(key, "GET", target))[0] == 403
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal=user_arn,
        InvokedViaFunctionUrl=True,
    )
    assert http_call(target, headers=sign(key, "GET", target))[0] == 200
    lambda_client.remove_permission(FunctionName=function_name, StatementId="url")
    assert http_call(target, headers=sign(key, "GET", target))[0] == 403
    # The same from an identity policy.
    function_arn = lambda_client.get_function(FunctionName=function_name)["Configuration"][
        "FunctionArn"
    ]
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
                "Resource": function_arn,
                "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}},
            }
        ],
    }
    iam.put_user_policy(UserName=user, PolicyName="url", PolicyDocument=json.dumps(document))
    assert http_call(target, headers=sign(key, "GET", target))[0] == 200


def sign(key: dict, method: str, url: str, body: bytes = b"", service: str = "lambda") -> dict:
    """Headers signed with SigV4 by `key` (boto3's keyword arguments), as botocore signs."""
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def presigned(key: dict, url: str) -> str:
    """`url` presigned for a GET with SigV4's query form."""
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(credentials, "lambda", "us-east-1", expires=300).add_auth(request)
    return request.url


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
