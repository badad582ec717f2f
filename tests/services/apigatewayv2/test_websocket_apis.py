"""WebSocket APIs end to end: configured with boto3, connected to with the `websockets`
client, their functions calling back through boto3's `apigatewaymanagementapi`, as AWS's
chat-app samples do (connection ids kept in DynamoDB, broadcast with PostToConnection)."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import boto3
import pytest
import websockets
from botocore.config import Config
from botocore.exceptions import ClientError

from support import allow, deploy, log_messages, wait_for

APIGATEWAY = "apigateway.amazonaws.com"
EXECUTE_API = "arn:aws:execute-api:us-east-1:000000000000"

# AWS's chat sample (simple-websockets-chat-app), in Python: $connect and $disconnect keep
# the connection ids in a table, `sendmessage` broadcasts to every one of them.
CHAT = """
import json, os
import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def management(event):
    # as AWS's samples build it
    domain, stage = event["requestContext"]["domainName"], event["requestContext"]["stage"]
    return boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{domain}/{stage}")

def handler(event, context):
    request = event["requestContext"]
    route, connection_id = request["routeKey"], request["connectionId"]
    if route == "$connect":
        query = event.get("queryStringParameters") or {}
        if query.get("refuse"):
            return {"statusCode": 401, "body": "no"}
        if query.get("fail"):
            raise RuntimeError("boom")
        TABLE.put_item(Item={"connectionId": connection_id})
        # the client's own header names, as API Gateway passes them on
        protocol = event["headers"].get("Sec-WebSocket-Protocol")
        headers = {"Sec-WebSocket-Protocol": protocol.split(",")[0]} if protocol else {}
        return {"statusCode": 200, "headers": headers}
    if route == "$disconnect":
        TABLE.delete_item(Key={"connectionId": connection_id})
        print("DISCONNECT " + json.dumps(request))
        return {"statusCode": 200}
    if route == "sendmessage":
        data = json.loads(event["body"])["data"]
        client = management(event)
        for item in TABLE.scan()["Items"]:
            try:
                client.post_to_connection(ConnectionId=item["connectionId"], Data=data.encode())
            except client.exceptions.GoneException:
                TABLE.delete_item(Key={"connectionId": item["connectionId"]})
        return {"statusCode": 200}
    if route == "whoami":
        client = management(event)
        found = client.get_connection(ConnectionId=connection_id)
        return {"statusCode": 200, "body": json.dumps({"event": event,
                "identity": found["Identity"]})}
    if route == "hangup":
        management(event).delete_connection(ConnectionId=connection_id)
        return {"statusCode": 200}
    if route == "crash":
        raise RuntimeError("crash")
    return {"statusCode": 200, "body": "echo:" + event["body"]}
"""


@pytest.fixture(scope="module")
def gateway(server):
    return server.client("apigatewayv2")


@pytest.fixture(scope="module")
def table(server) -> str:
    name = f"connections-{uuid.uuid4().hex[:8]}"
    dynamodb = server.client("dynamodb")
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "connectionId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture(scope="module")
def chat_function(server, table) -> str:
    client = server.client("lambda")
    name = f"chat-{uuid.uuid4().hex[:8]}"
    deploy(client, name, CHAT, Timeout=20, Environment={"Variables": {"TABLE": table}})
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def chat(gateway, chat_function) -> dict:
    """The chat API: $connect, $disconnect, sendmessage, and a two-way $default and whoami;
    stage `prod`, deployed by hand."""
    api = gateway.create_api(
        Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    api_id = api["ApiId"]
    integration = gateway.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=chat_function
    )
    target = "integrations/" + integration["IntegrationId"]
    routes = {}
    for key in ("$connect", "$disconnect", "sendmessage", "$default", "whoami", "hangup", "crash"):
        routes[key] = gateway.create_route(ApiId=api_id, RouteKey=key, Target=target)["RouteId"]
    for key in ("$default", "whoami", "crash"):
        gateway.update_route(
            ApiId=api_id, RouteId=routes[key], RouteResponseSelectionExpression="$default"
        )
        gateway.create_route_response(
            ApiId=api_id, RouteId=routes[key], RouteResponseKey="$default"
        )
    gateway.create_stage(ApiId=api_id, StageName="prod")
    gateway.create_deployment(ApiId=api_id, StageName="prod")
    url = api["ApiEndpoint"] + "/prod"
    return {"api": api, "id": api_id, "routes": routes, "url": url, "function": chat_function}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


async def receive_json(socket) -> dict:
    return json.loads(await socket.recv())


def test_create_api_answers_a_websocket_endpoint(chat, server) -> None:
    api = chat["api"]
    assert api["ProtocolType"] == "WEBSOCKET"
    assert api["RouteSelectionExpression"] == "$request.body.action"
    host = server.endpoint.removeprefix("http://")
    assert api["ApiEndpoint"] == f"ws://{host}/execute-api/{chat['id']}"


def test_two_way_default_route_echoes(chat) -> None:
    async def talk():
        async with websockets.connect(chat["url"]) as socket:
            await socket.send("hello")
            return await socket.recv()

    assert run(talk()) == "echo:hello"


def test_chat_room_broadcasts_to_every_client(chat, server, table) -> None:
    async def talk():
        async with (
            websockets.connect(chat["url"]) as alice,
            websockets.connect(chat["url"]) as bob,
            websockets.connect(chat["url"]) as carol,
        ):
            await alice.send(json.dumps({"action": "sendmessage", "data": "hi all"}))
            return [await s.recv() for s in (alice, bob, carol)]

    assert run(talk()) == ["hi all"] * 3


def test_message_event_and_get_connection(chat) -> None:
    async def talk():
        async with websockets.connect(chat["url"], user_agent_header="chat-test/1") as socket:
            await socket.send(json.dumps({"action": "whoami"}))
            return await receive_json(socket)

    answer = run(talk())
    context = answer["event"]["requestContext"]
    assert context["routeKey"] == "whoami"
    assert context["eventType"] == "MESSAGE"
    assert context["messageDirection"] == "IN"
    assert context["stage"] == "prod"
    assert context["apiId"] == chat["id"]
    # HOST:TLSPORT/execute-api/{api}: "https://" + domainName + "/" + stage is the management
    # API's endpoint (AWS's domainName is {api}.execute-api.{region}.amazonaws.com)
    host, _, port = context["domainName"].partition("/")[0].partition(":")
    assert context["domainName"] == f"{host}:{port}/execute-api/{chat['id']}"
    assert host == "127.0.0.1" and int(port) != int(chat["url"].rsplit(":", 1)[1].split("/")[0])
    assert isinstance(context["connectedAt"], int)
    assert context["messageId"]
    assert answer["event"]["isBase64Encoded"] is False
    assert answer["identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "chat-test/1"}


def test_unrouted_message_without_default_is_forbidden(gateway, chat_function) -> None:
    api = gateway.create_api(
        Name="nodefault", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a"
    )
    gateway.create_stage(ApiId=api["ApiId"], StageName="dev", AutoDeploy=True)

    async def talk():
        async with websockets.connect(api["ApiEndpoint"] + "/dev") as socket:
            await socket.send("{}")
            return await receive_json(socket)

    answer = run(talk())
    assert answer["message"] == "Forbidden"
    assert set(answer) == {"message", "connectionId", "requestId"}


def test_failing_route_tells_the_client(chat) -> None:
    async def talk():
        async with websockets.connect(chat["url"]) as socket:
            await socket.send(json.dumps({"action": "crash"}))
            return await receive_json(socket)

    assert run(talk())["message"] == "Internal server error"


def test_connect_refusal_is_the_functions_status(chat) -> None:
    async def connect(query: str):
        async with websockets.connect(chat["url"] + query):
            pass

    with pytest.raises(websockets.InvalidStatus) as refused:
        run(connect("?refuse=1"))
    assert refused.value.response.status_code == 401
    with pytest.raises(websockets.InvalidStatus) as failed:
        run(connect("?fail=1"))
    assert failed.value.response.status_code == 502


def test_subprotocol_chosen_by_connect(chat) -> None:
    async def talk():
        async with websockets.connect(chat["url"], subprotocols=["chat.v1"]) as socket:
            return socket.subprotocol

    assert run(talk()) == "chat.v1"


def test_delete_connection_closes_it_and_disconnect_runs(chat) -> None:
    async def talk():
        async with websockets.connect(chat["url"]) as socket:
            await socket.send(json.dumps({"action": "hangup"}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
            return closed.value.rcvd.code

    assert run(talk()) == 1000


def test_management_api_from_boto3(chat, server) -> None:
    client = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{server.endpoint}/execute-api/{chat['id']}/prod",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
        **server.credentials,
    )
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"x")
    with pytest.raises(client.exceptions.GoneException):
        client.get_connection(ConnectionId="AAAAAAAAAAAAAAA=")

    async def talk():
        async with websockets.connect(chat["url"]) as socket:
            await socket.send(json.dumps({"action": "whoami"}))
            connection_id = (await receive_json(socket))["event"]["requestContext"]["connectionId"]
            found = await asyncio.to_thread(client.get_connection, ConnectionId=connection_id)
            await asyncio.to_thread(
                client.post_to_connection, ConnectionId=connection_id, Data=b"pushed"
            )
            pushed = await socket.recv()
            with pytest.raises(client.exceptions.PayloadTooLargeException):
                await asyncio.to_thread(
                    client.post_to_connection, ConnectionId=connection_id, Data=b"x" * 131073
                )
            return found, pushed

    found, pushed = run(talk())
    assert pushed == "pushed"
    assert found["ConnectedAt"] <= found["LastActiveAt"]


def test_management_api_needs_a_signature(chat, server) -> None:
    from support import http_call

    status, _, body = http_call(
        f"{server.endpoint}/execute-api/{chat['id']}/prod/@connections/abc", "GET"
    )
    assert status == 403
    assert json.loads(body) == {"message": "Missing Authentication Token"}


def bad_request(call, **params) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException", error
    return error["Message"]


def test_control_plane_refuses_what_websocket_apis_cannot_have(gateway, chat_function) -> None:
    assert "required" in bad_request(gateway.create_api, Name="x", ProtocolType="WEBSOCKET")
    bad_request(
        gateway.create_api,
        Name="x",
        ProtocolType="WEBSOCKET",
        RouteSelectionExpression="action",
    )
    bad_request(
        gateway.create_api,
        Name="x",
        ProtocolType="WEBSOCKET",
        RouteSelectionExpression="$request.body.action",
        CorsConfiguration={"AllowOrigins": ["*"]},
    )
    api_id = gateway.create_api(
        Name="rules", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    bad_request(gateway.create_route, ApiId=api_id, RouteKey="$other")
    bad_request(
        gateway.create_integration,
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=chat_function,
        PayloadFormatVersion="2.0",
    )
    made = gateway.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=chat_function
    )
    assert made["PayloadFormatVersion"] == "1.0"
    route_id = gateway.create_route(ApiId=api_id, RouteKey="send")["RouteId"]
    bad_request(
        gateway.create_route_response, ApiId=api_id, RouteId=route_id, RouteResponseKey="$x"
    )
    response = gateway.create_route_response(
        ApiId=api_id, RouteId=route_id, RouteResponseKey="$default"
    )
    listed = gateway.get_route_responses(ApiId=api_id, RouteId=route_id)["Items"]
    assert [r["RouteResponseId"] for r in listed] == [response["RouteResponseId"]]
    gateway.delete_route(ApiId=api_id, RouteId=route_id)
    with pytest.raises(gateway.exceptions.NotFoundException):
        gateway.get_route_response(
            ApiId=api_id, RouteId=route_id, RouteResponseId=response["RouteResponseId"]
        )


def test_host_form_and_disconnect_event(chat, server) -> None:
    port = int(server.endpoint.rsplit(":", 1)[1])
    host = f"{chat['id']}.execute-api.us-east-1.amazonaws.com"

    async def talk():
        sock = socket.create_connection(("127.0.0.1", port))
        async with websockets.connect(f"ws://{host}/prod", sock=sock) as ws:
            await ws.send(json.dumps({"action": "whoami"}))
            found = await receive_json(ws)
            await ws.close(code=4000, reason="bye")
            return found["event"]["requestContext"]["connectionId"]

    connection_id = run(talk())
    name = chat_function_name(chat)

    def disconnected():
        for line in log_messages(server, name):
            if line.startswith("DISCONNECT ") and connection_id in line:
                return json.loads(line.removeprefix("DISCONNECT "))
        return None

    context = wait_for(disconnected)
    assert context["eventType"] == "DISCONNECT"
    assert context["routeKey"] == "$disconnect"
    assert context["disconnectStatusCode"] == 4000
    assert context["disconnectReason"] == "bye"


def chat_function_name(chat: dict) -> str:
    return chat["function"].rsplit(":", 1)[1]


def test_iam_decides_who_manages_connections(chat, server) -> None:
    iam = server.client("iam")
    name = f"user-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    other = f"{EXECUTE_API}:{chat['id']}/other/*"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "execute-api:ManageConnections", "Resource": other}
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    client = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{server.endpoint}/execute-api/{chat['id']}/prod",
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        config=Config(retries={"max_attempts": 0}),
    )
    with pytest.raises(client.exceptions.ForbiddenException):
        client.get_connection(ConnectionId="AAAAAAAAAAAAAAA=")


def test_a_custom_domain_serves_a_websocket_api(chat, server, gateway) -> None:
    port = int(server.endpoint.rsplit(":", 1)[1])
    domain = f"chat-{uuid.uuid4().hex[:6]}.example.test"
    gateway.create_domain_name(DomainName=domain)
    gateway.create_api_mapping(
        DomainName=domain, ApiId=chat["id"], Stage="prod", ApiMappingKey="rooms"
    )

    async def talk():
        sock = socket.create_connection(("127.0.0.1", port))
        async with websockets.connect(f"ws://{domain}/rooms", sock=sock) as ws:
            await ws.send("hello")  # no action: the two-way $default route echoes it
            echoed = await ws.recv()
            await ws.close(code=4000, reason="bye")
            return echoed

    assert run(talk()) == "echo:hello"

    def disconnected():
        for line in log_messages(server, chat_function_name(chat)):
            if line.startswith("DISCONNECT ") and domain in line:
                return json.loads(line.removeprefix("DISCONNECT "))
        return None

    context = wait_for(disconnected)
    assert (context["domainName"], context["stage"]) == (domain, "prod")
