"""End to end: the HTTP event compilers' resources, with hand-made functions and role (core's
template.compile is written elsewhere), deployed by Overcast's CloudFormation with boto3 and
called over HTTP: payload 2.0 and 1.0 events, CORS preflights, a JWT authorizer refusing a
request without a token, a REST API's proxy event, a private method wanting its API key, and
a WebSocket API's stage deployed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlparse

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import http_api, rest_api, websocket
from overcast.deploy.serverless.model import EventUse, Service, Stack
from support import RunningServer, http_call

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""
API_KEY = "overcast-e2e-key-0123456789"
WAIT = {"Delay": 0.2, "MaxAttempts": 300}


def _service(name: str) -> Service:
    config = {
        "service": name,
        "provider": {
            "name": "aws",
            "httpApi": {
                "cors": True,
                "authorizers": {
                    "jwtAuth": {
                        "identitySource": "$request.header.Authorization",
                        "issuerUrl": "https://issuer.example.com",
                        "audience": ["notes"],
                    }
                },
            },
            "apiGateway": {"apiKeys": [{"name": f"{name}-key", "value": API_KEY}]},
        },
        "functions": {"echo": {"handler": "index.handler"}, "old": {"httpApi": {"payload": "1.0"}}},
    }
    return Service(Path("."), config, "dev", "us-east-1")


def _use(key: str, kind: str, config: object, index: int = 1) -> EventUse:
    where = f"functions.{key}.events[{index}].{kind}"
    return EventUse(key, naming.function_logical_id(key), index, config, where)


def _template(service: Service) -> dict:
    stack = Stack()
    stack.add(
        naming.ROLE_LOGICAL_ID,
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        },
    )
    for key in service.functions:
        stack.add(
            naming.function_logical_id(key),
            "AWS::Lambda::Function",
            {
                "FunctionName": service.function_name(key),
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": [naming.ROLE_LOGICAL_ID, "Arn"]},
                "Code": {"ZipFile": ECHO},
            },
        )
    http_api.compile(
        stack,
        service,
        [
            _use("echo", "httpApi", "GET /notes/{id}"),
            _use(
                "echo", "httpApi", {"method": "POST", "path": "/notes", "authorizer": "jwtAuth"}, 2
            ),
            _use("old", "httpApi", "GET /old"),
        ],
    )
    rest_api.compile(
        stack,
        service,
        [
            _use("echo", "http", {"method": "get", "path": "items/{id}", "cors": True}),
            _use("echo", "http", {"method": "get", "path": "private", "private": True}, 2),
        ],
    )
    websocket.compile(stack, service, [_use("echo", "websocket", "$default")])
    return stack.template()


def test_compiled_http_events_deploy_and_answer(server: RunningServer) -> None:
    name = f"e2e{uuid.uuid4().hex[:8]}"
    service = _service(name)
    cf = server.client("cloudformation")
    cf.create_stack(
        StackName=service.stack_name,
        TemplateBody=json.dumps(_template(service)),
        Capabilities=["CAPABILITY_IAM"],
    )
    try:
        cf.get_waiter("stack_create_complete").wait(StackName=service.stack_name, WaiterConfig=WAIT)
        stack = cf.describe_stacks(StackName=service.stack_name)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        _check_http_api(outputs["HttpApiUrl"])
        _check_rest_api(server, outputs["ServiceEndpoint"])
        assert outputs["ServiceEndpointWebsocket"].startswith(server.endpoint.replace("http", "ws"))
        assert outputs["ServiceEndpointWebsocket"].endswith("/dev")
    finally:
        cf.delete_stack(StackName=service.stack_name)
        cf.get_waiter("stack_delete_complete").wait(StackName=service.stack_name, WaiterConfig=WAIT)


def _check_http_api(url: str) -> None:
    status, _, body = http_call(f"{url}/notes/42?x=1")
    event = json.loads(body)
    assert status == 200
    assert (event["version"], event["routeKey"]) == ("2.0", "GET /notes/{id}")
    assert event["pathParameters"] == {"id": "42"}

    status, _, body = http_call(f"{url}/old")
    assert (status, json.loads(body)["version"], json.loads(body)["httpMethod"]) == (
        200,
        "1.0",
        "GET",
    )

    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    status, headers, _ = http_call(f"{url}/notes", method="OPTIONS", headers=preflight)
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"].upper()

    status, _, body = http_call(f"{url}/notes", method="POST", body=b"{}")
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})


def _check_rest_api(server: RunningServer, service_endpoint: str) -> None:
    # The framework's ServiceEndpoint is API Gateway's host form; Overcast serves the same
    # stage at /restapis/<id>/<stage>/_user_request_/ on its own address too.
    api_id = urlparse(service_endpoint).hostname.split(".")[0]
    assert service_endpoint.endswith("/dev")
    base = f"{server.endpoint}/restapis/{api_id}/dev/_user_request_"

    status, _, body = http_call(f"{base}/items/7")
    event = json.loads(body)
    assert status == 200
    assert (event["resource"], event["httpMethod"]) == ("/items/{id}", "GET")
    assert event["pathParameters"] == {"id": "7"}

    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}
    status, headers, body = http_call(f"{base}/items/7", method="OPTIONS", headers=preflight)
    assert status == 200, body
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Methods"] == "OPTIONS,GET"

    status, _, _ = http_call(f"{base}/private")
    assert status == 403
    status, _, body = http_call(f"{base}/private", headers={"x-api-key": API_KEY})
    assert (status, json.loads(body)["resource"]) == (200, "/private")
