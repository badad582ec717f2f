"""REST API non-proxy integrations end to end: MOCK (with a request template choosing the
status), CORS as an OPTIONS mock, HTTP and HTTP_PROXY to a local server, Lambda without the
proxy (errors picked by selection patterns), passthrough behaviours, and a gateway response
template; configured with boto3, called over HTTP."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_support import APIGATEWAY, EXECUTE_API, RestApi, lambda_uri

from support import allow, deploy, http_call

GREETER = """
def handler(event, context):
    if event.get("name") == "nobody":
        raise ValueError("not found: nobody")
    return {"greeting": "hello " + event.get("name", "?"), "event": event}
"""


class Backend(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = {
            "method": self.command, "path": self.path, "body": body.decode(),
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }  # fmt: skip
        data = json.dumps(seen).encode()
        status = 418 if "teapot" in self.path else 200
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("x-backend", "yes")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def backend():
    http = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_address[1]}"
    http.shutdown()
    http.server_close()


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


@pytest.fixture(scope="module")
def greeter(server) -> str:
    client = server.client("lambda")
    name = f"rest-greeter-{uuid.uuid4().hex[:8]}"
    deploy(client, name, GREETER)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def api(apigw, backend, greeter) -> RestApi:
    built = RestApi(apigw, "mappings")
    built.method("/mock", "GET", {
        "type": "MOCK",
        "requestTemplates": {"application/json": "{\"statusCode\": $input.params('code')}"},
        "responses": {
            "200": {"responseTemplates": {"application/json":
                    '{"stage": "$context.stage", "q": "$input.params(\'q\')"}'}},
            "404": {"selectionPattern": "404",
                    "responseTemplates": {"application/json": '{"missing": true}'}},
        },
    })  # fmt: skip
    cors = {
        "method.response.header.Access-Control-Allow-Origin": "'*'",
        "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
        "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'",
    }
    built.method("/mock", "OPTIONS", {
        "type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "responses": {"200": {"responseParameters": cors,
                              "responseTemplates": {"application/json": ""}}},
    })  # fmt: skip
    built.method("/http/{item}", "POST", {
        "type": "HTTP", "integrationHttpMethod": "PUT", "uri": f"{backend}/items/{{item}}",
        "requestParameters": {"integration.request.path.item": "method.request.path.item",
                              "integration.request.header.x-from": "'gateway'",
                              "integration.request.querystring.q": "method.request.querystring.q"},
        "requestTemplates": {"application/json": '{"wrapped": $input.json(\'$\')}'},
        "responses": {
            "200": {"responseParameters": {
                        "method.response.header.x-seen": "integration.response.header.x-backend"},
                    "responseTemplates": {"application/json":
                        '{"path": $input.json(\'$.path\'), "body": $input.json(\'$.body\'), '
                        '"from": $input.json(\'$.headers.x-from\')}'}},
        },
    })  # fmt: skip
    built.method("/proxy/{proxy+}", "ANY", {
        "type": "HTTP_PROXY", "integrationHttpMethod": "ANY", "uri": f"{backend}/{{proxy}}",
        "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
    })  # fmt: skip
    built.method("/greet", "GET", {
        "type": "AWS", "integrationHttpMethod": "POST", "uri": lambda_uri(greeter),
        "requestTemplates": {"application/json": '{"name": "$input.params(\'name\')"}'},
        "responses": {
            "200": {"responseTemplates": {"application/json": '$input.json(\'$.greeting\')'}},
            "404": {"selectionPattern": "not found.*",
                    "responseTemplates": {"application/json":
                        '{"error": "$input.path(\'$.errorMessage\')"}'}},
        },
    })  # fmt: skip
    built.method("/strict", "POST", {
        "type": "MOCK", "passthroughBehavior": "NEVER",
        "requestTemplates": {"application/json": '{"statusCode": 200}'},
        "responses": {"200": {}},
    })  # fmt: skip
    apigw.put_gateway_response(
        restApiId=built.id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseTemplates={"application/json":
            '{"error": $context.error.messageString, "type": "$context.error.responseType"}'},
    )  # fmt: skip
    built.deploy("dev")
    return built


def call(url: str, method: str = "GET", **options) -> tuple[int, object, object]:
    status, headers, body = http_call(url, method, **options)
    try:
        return status, json.loads(body), headers
    except ValueError:
        return status, body, headers


def test_mock_chooses_its_response_by_the_request_template(server, api) -> None:
    base = api.url(server.endpoint, "dev")
    assert call(f"{base}/mock?code=200&q=x")[:2] == (200, {"stage": "dev", "q": "x"})
    assert call(f"{base}/mock?code=404")[:2] == (404, {"missing": True})
    # No response for 500, and no default for it: API Gateway's configuration error.
    assert call(f"{base}/mock?code=abc")[0] == 500


def test_cors_preflight_as_an_options_mock(server, api) -> None:
    status, body, headers = call(f"{api.url(server.endpoint, 'dev')}/mock", "OPTIONS",
                                 headers={"Origin": "https://a.test"})  # fmt: skip
    assert (status, body) == (200, b"")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"


def test_http_integration_with_mappings(server, api) -> None:
    url = f"{api.url(server.endpoint, 'dev')}/http/a%20b?q=7&dropped=1"
    status, body, headers = call(url, "POST", body=b'{"n": 1}',
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 200, body
    assert body["path"] == "/items/a%20b?q=7"
    assert json.loads(body["body"]) == {"wrapped": {"n": 1}}
    assert body["from"] == "gateway" and headers["x-seen"] == "yes"


def test_http_proxy_passes_through(server, api) -> None:
    base = api.url(server.endpoint, "dev")
    status, body, headers = call(f"{base}/proxy/a/b?x=1", "PUT", body=b"raw",
                                 headers={"X-Custom": "c"})  # fmt: skip
    assert status == 200
    assert (body["method"], body["path"], body["body"]) == ("PUT", "/a/b?x=1", "raw")
    assert body["headers"]["x-custom"] == "c" and headers["x-backend"] == "yes"
    assert call(f"{base}/proxy/teapot")[0] == 418


def test_lambda_without_the_proxy(server, api) -> None:
    base = api.url(server.endpoint, "dev")
    assert call(f"{base}/greet?name=ada")[:2] == (200, "hello ada")
    assert call(f"{base}/greet?name=nobody")[:2] == (404, {"error": "not found: nobody"})


def test_passthrough_never_refuses_other_content_types(server, api) -> None:
    url = f"{api.url(server.endpoint, 'dev')}/strict"
    assert call(url, "POST", body=b"x", headers={"Content-Type": "text/plain"})[:2] == (
        415, {"message": "Unsupported Media Type"},
    )  # fmt: skip
    assert call(url, "POST", body=b"{}", headers={"Content-Type": "application/json"})[0] == 200


def test_gateway_response_template(server, api) -> None:
    assert call(f"{api.url(server.endpoint, 'dev')}/nowhere")[:2] == (
        404, {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"},
    )  # fmt: skip
