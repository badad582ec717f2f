"""WebSocket non-proxy integrations end to end: configured with boto3 (integrations,
integration responses, route responses), talked to with the `websockets` client. A MOCK
integration answers through its integration response's template with WebSocket's
`$context`; an AWS integration sends the message to SQS (SendMessage, as the integration's
credentials role); an HTTP integration posts the mapped message to a local server and maps
its answer by status code."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import websockets
from botocore.exceptions import ClientError

from support import LAMBDA_ROLE, create_lambda_role

DEFAULT = "\\$default"
MOCK_REPLY = (
    '{"connection": "$context.connectionId", "route": "$context.routeKey",'
    ' "event": "$context.eventType", "stage": "$context.stage",'
    ' "requestId": "$context.requestId", "domain": "$context.domainName"}'
)


class Hook(BaseHTTPRequestHandler):
    """Echoes the JSON it is posted, or answers 404 when its text is `missing`."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        found = json.loads(body)
        status = 404 if found.get("text") == "missing" else 200
        answer = json.dumps(
            {
                "got": found,
                "path": self.path,
                "tag": self.headers["X-Tag"],
                "connection": self.headers["X-Connection"],
            }
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def hook():
    listener = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.server_address[1]}"
    listener.shutdown()
    listener.server_close()


@pytest.fixture(scope="module")
def gateway(server):
    return server.client("apigatewayv2")


@pytest.fixture(scope="module")
def queue(server) -> str:
    return server.client("sqs").create_queue(QueueName=f"ws-{uuid.uuid4().hex[:8]}")["QueueUrl"]


def two_way_route(gateway, api_id: str, key: str, integration_id: str) -> None:
    route = gateway.create_route(
        ApiId=api_id,
        RouteKey=key,
        Target=f"integrations/{integration_id}",
        RouteResponseSelectionExpression="$default",
    )
    gateway.create_route_response(
        ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default"
    )


def echo_response(gateway, api_id: str, integration_id: str) -> None:
    """The integration's `$default` response: the backend's JSON answer as it is."""
    gateway.create_integration_response(
        ApiId=api_id,
        IntegrationId=integration_id,
        IntegrationResponseKey="$default",
        ResponseTemplates={"$default": "$input.json('$')"},
    )


@pytest.fixture(scope="module")
def socket_api(server, gateway, queue, hook) -> dict:
    create_lambda_role(server)  # allows everything: the SQS integration's credentials role
    api = gateway.create_api(
        Name="mapped", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    api_id = api["ApiId"]
    mock = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="MOCK",
        TemplateSelectionExpression=DEFAULT,
        RequestTemplates={"$default": '{"statusCode": 200}'},
    )["IntegrationId"]
    gateway.create_integration_response(
        ApiId=api_id,
        IntegrationId=mock,
        IntegrationResponseKey="$default",
        TemplateSelectionExpression=DEFAULT,
        ResponseTemplates={"$default": MOCK_REPLY},
    )
    two_way_route(gateway, api_id, "mock", mock)
    account, name = queue.rsplit("/", 2)[-2:]
    sqs = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="AWS",
        IntegrationMethod="POST",
        IntegrationUri=f"arn:aws:apigateway:us-east-1:sqs:path/{account}/{name}",
        CredentialsArn=LAMBDA_ROLE,
        TemplateSelectionExpression=DEFAULT,
        RequestTemplates={
            "$default": "Action=SendMessage&MessageBody=$util.urlEncode($input.json('$.data'))"
        },
    )["IntegrationId"]
    gateway.create_integration_response(
        ApiId=api_id,
        IntegrationId=sqs,
        IntegrationResponseKey="$default",
        ResponseTemplates={
            "$default": '{"queued": '
            "\"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')\"}"
        },
    )
    two_way_route(gateway, api_id, "enqueue", sqs)
    http = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP",
        IntegrationMethod="POST",
        IntegrationUri=hook + "/hook",
        RequestParameters={"integration.request.header.X-Tag": "'ws'"},
        TemplateSelectionExpression="${request.body.action}",
        RequestTemplates={
            "http": '{"from": "$context.connectionId", "text": $input.json(\'$.text\')}'
        },
    )["IntegrationId"]
    echo_response(gateway, api_id, http)
    gateway.create_integration_response(
        ApiId=api_id,
        IntegrationId=http,
        IntegrationResponseKey="/4\\d{2}/",
        TemplateSelectionExpression="${integration.response.statuscode}",
        ResponseTemplates={"404": '{"error": "not found"}'},
    )
    two_way_route(gateway, api_id, "http", http)
    mapped = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP",
        IntegrationMethod="POST",
        IntegrationUri=hook + "/hook/{section}",
        RequestParameters={
            "integration.request.header.X-Tag": "'mapped'",
            "integration.request.header.X-Connection": "context.connectionId",
            "integration.request.path.section": "route.request.body.$.where.section",
            "integration.request.querystring.kind": "route.request.body.action",
            "integration.request.querystring.flavour": "stageVariables.flavour",
            "integration.request.querystring.absent": "route.request.body.nothing",
        },
        TemplateSelectionExpression=DEFAULT,
        RequestTemplates={"$default": '{"from": "$context.connectionId"}'},
    )["IntegrationId"]
    echo_response(gateway, api_id, mapped)
    two_way_route(gateway, api_id, "params", mapped)
    gateway.create_stage(
        ApiId=api_id, StageName="dev", AutoDeploy=True, StageVariables={"flavour": "plain"}
    )
    return {"id": api_id, "url": api["ApiEndpoint"] + "/dev", "http": http, "mock": mock}


def talk(url: str, *messages: dict) -> list:
    async def run() -> list:
        async with websockets.connect(url) as socket:
            answers = []
            for sent in messages:
                await socket.send(json.dumps(sent))
                answers.append(json.loads(await socket.recv()))
            return answers

    return asyncio.run(asyncio.wait_for(run(), 60))


def test_mock_answers_through_its_integration_response(socket_api) -> None:
    (answer,) = talk(socket_api["url"], {"action": "mock"})
    assert answer["route"] == "mock" and answer["event"] == "MESSAGE"
    assert answer["stage"] == "dev"
    assert answer["connection"] and answer["requestId"]
    assert socket_api["id"] in answer["domain"]


def test_sqs_send_message_integration(server, socket_api, queue) -> None:
    (answer,) = talk(socket_api["url"], {"action": "enqueue", "data": {"order": 7}})
    received = server.client("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=5)
    message = received["Messages"][0]
    assert message["MessageId"] == answer["queued"]
    assert json.loads(message["Body"]) == {"order": 7}


def test_http_integration_maps_both_ways(socket_api) -> None:
    found, missing = talk(
        socket_api["url"],
        {"action": "http", "text": "hello"},
        {"action": "http", "text": "missing"},
    )
    assert found["got"]["text"] == "hello" and found["got"]["from"]
    assert (found["path"], found["tag"]) == ("/hook", "ws")
    assert missing == {"error": "not found"}


def test_request_parameters_map_the_message_stage_and_context(socket_api) -> None:
    # WebSocket API guide, "Set up data mapping for WebSocket APIs": a JSON field of the
    # message, a stage variable, a context variable and a static value; a field the message
    # lacks leaves its parameter out.
    (answer,) = talk(socket_api["url"], {"action": "params", "where": {"section": "a b/c"}})
    assert answer["path"] == "/hook/a%20b%2Fc?kind=params&flavour=plain"
    assert answer["tag"] == "mapped"
    assert answer["connection"] == answer["got"]["from"] != ""


def test_integration_responses_control_plane(gateway, socket_api) -> None:
    api_id, http = socket_api["id"], socket_api["http"]
    items = gateway.get_integration_responses(ApiId=api_id, IntegrationId=http)["Items"]
    keys = sorted(i["IntegrationResponseKey"] for i in items)
    assert keys == ["$default", "/4\\d{2}/"]
    created = gateway.create_integration_response(
        ApiId=api_id, IntegrationId=http, IntegrationResponseKey="/5\\d{2}/"
    )
    response_id = created["IntegrationResponseId"]
    updated = gateway.update_integration_response(
        ApiId=api_id,
        IntegrationId=http,
        IntegrationResponseId=response_id,
        ResponseTemplates={"$default": "oops"},
    )
    assert updated["ResponseTemplates"] == {"$default": "oops"}
    got = gateway.get_integration_response(
        ApiId=api_id, IntegrationId=http, IntegrationResponseId=response_id
    )
    assert got["IntegrationResponseKey"] == "/5\\d{2}/"
    gateway.delete_integration_response(
        ApiId=api_id, IntegrationId=http, IntegrationResponseId=response_id
    )
    with pytest.raises(ClientError) as caught:
        gateway.get_integration_response(
            ApiId=api_id, IntegrationId=http, IntegrationResponseId=response_id
        )
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as caught:
        gateway.create_integration_response(
            ApiId=api_id, IntegrationId=http, IntegrationResponseKey="$default"
        )
    assert caught.value.response["Error"]["Code"] == "ConflictException"


def test_bad_integrations_are_refused(gateway, socket_api) -> None:
    api_id = socket_api["id"]
    with pytest.raises(ClientError) as caught:
        gateway.create_integration(ApiId=api_id, IntegrationType="HTTP", IntegrationUri="ftp://x")
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    proxy = gateway.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri="http://127.0.0.1:1/"
    )["IntegrationId"]
    with pytest.raises(ClientError) as caught:
        gateway.create_integration_response(
            ApiId=api_id, IntegrationId=proxy, IntegrationResponseKey="$default"
        )
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
