"""RESPONSE_STREAM function URLs end to end: boto3 creates them, a plain HTTP client reads the
response chunk by chunk while the function is still running."""

from __future__ import annotations

import http.client
import json
import shutil
from urllib.parse import urlsplit

import pytest

from gate import gate
from support import allow_public_url, deploy

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

NODE = """
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const path = event.rawPath;
  if (path === "/plain") {
    responseStream.setContentType("text/plain");
    responseStream.write("just ");
    responseStream.end("text");
    return;
  }
  if (path === "/bad-prelude") {
    responseStream.setContentType("application/vnd.awslambda.http-integration-response");
    responseStream.write("not json");
    responseStream.end(new Uint8Array(8));
    return;
  }
  if (path === "/fail-early") throw new Error("nothing written");
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201,
    headers: { "content-type": "text/html", "x-streamed": "yes" },
    cookies: ["a=1", "b=2"],
  });
  stream.write("<p>first</p>");
  if (event.queryStringParameters?.gate) {
    await (await fetch(event.queryStringParameters.gate)).text();
  }
  if (path === "/fail-midway") throw new Error("broken stream");
  stream.write("<p>second</p>");
  stream.end();
});
"""

PYTHON = """
def handler(event, context):
    if event["rawPath"] == "/fail":
        raise RuntimeError("boom")
    return {"statusCode": 201, "headers": {"x-from": "python"}, "body": "hello"}
"""


def streaming_url(client, name: str, **config) -> str:
    url = client.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM", **config
    )["FunctionUrl"]
    allow_public_url(client, name)
    return url


def request(url: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request("GET", parts.path.rstrip("/") + path, headers=headers or {})
    return connection.getresponse()


def read_at_least(response: http.client.HTTPResponse, size: int) -> bytes:
    data = b""
    while len(data) < size:
        piece = response.read1(size - len(data))
        if not piece:
            break
        data += piece
    return data


@pytest.fixture
def node_url(lambda_client, function_name) -> str:
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.mjs": NODE},
    )
    return streaming_url(lambda_client, function_name, Cors={"AllowOrigins": ["*"]})


def test_chunks_arrive_while_the_function_runs(node_url: str) -> None:
    with gate() as waiting:
        response = request(node_url, f"/page?gate={waiting.url}", {"Origin": "https://a.example"})
        # Status and headers come from the prelude; the body is chunked, as it is written.
        assert response.status == 201
        assert response.getheader("transfer-encoding") == "chunked"
        assert response.getheader("content-type") == "text/html"
        assert response.getheader("x-streamed") == "yes"
        assert response.headers.get_all("set-cookie") == ["a=1", "b=2"]
        assert response.getheader("access-control-allow-origin") == "*"
        assert read_at_least(response, len(b"<p>first</p>")) == b"<p>first</p>"
        # That chunk was read while the function still waits at the gate.
        assert waiting.reached.wait(15)
        waiting.open()
        assert response.read() == b"<p>second</p>"


def test_a_stream_without_a_prelude_is_the_body_of_a_200(node_url: str) -> None:
    response = request(node_url, "/plain")
    assert response.status == 200 and response.getheader("content-type") == "text/plain"
    assert response.read() == b"just text"


def test_errors_before_and_after_the_body_begins(node_url: str) -> None:
    response = request(node_url, "/fail-early")
    assert response.status == 502
    assert json.loads(response.read()) == {"Message": "Internal Server Error"}
    response = request(node_url, "/bad-prelude")
    assert response.status == 502
    response.read()
    # Once the body has begun, an error cuts the response short.
    response = request(node_url, "/fail-midway")
    assert response.status == 201
    with pytest.raises(http.client.IncompleteRead) as cut:
        response.read()
    assert cut.value.partial == b"<p>first</p>"


def test_a_function_that_does_not_stream(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, PYTHON)
    url = streaming_url(lambda_client, function_name)
    # The whole result is the body, as it is: a streaming URL reads no statusCode from it.
    response = request(url, "/")
    assert response.status == 200
    assert response.getheader("content-type") == "application/json"
    assert json.loads(response.read()) == {
        "statusCode": 201,
        "headers": {"x-from": "python"},
        "body": "hello",
    }
    response = request(url, "/fail")
    assert response.status == 502
    response.read()
    # Switched to BUFFERED, the same function's result is an HTTP response again.
    lambda_client.update_function_url_config(FunctionName=function_name, InvokeMode="BUFFERED")
    response = request(url, "/")
    assert response.status == 201 and response.read() == b"hello"
