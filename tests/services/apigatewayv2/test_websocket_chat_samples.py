"""AWS's WebSocket chat samples, unchanged where it matters: their functions call the
`@connections` API at `"https://" + requestContext.domainName + "/" + stage`, with boto3
(the Python chat example of AWS's SDK code examples) and with the AWS SDK for JavaScript v3
(aws-samples/simple-websockets-chat-app), trusting the server's HTTPS listener through the
environment alone; three `websockets` clients chat through each."""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import uuid

import pytest
import websockets

from overcast.runtimes.node_sdk import NodeSdk
from support import allow, deploy

APIGATEWAY = "apigateway.amazonaws.com"
EXECUTE_API = "arn:aws:execute-api:us-east-1:000000000000:*"

# The Python sample's handler, after AWS's code example (its logging and most error handling
# left out; its routes, table layout and management client exactly): connections kept in a
# table keyed `connection_id` with the user's name; a message goes to every other connection
# as "name: msg"; a connection that cannot be posted to is dropped from the table.
PYTHON_CHAT = """
import json, logging, os
import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger()

def handle_connect(user_name, table, connection_id):
    table.put_item(Item={"connection_id": connection_id, "user_name": user_name})
    return 200

def handle_disconnect(table, connection_id):
    table.delete_item(Key={"connection_id": connection_id})
    return 200

def handle_message(table, connection_id, event_body, apig_management_client):
    user_name = table.get_item(Key={"connection_id": connection_id})["Item"]["user_name"]
    scan = table.scan(ProjectionExpression="connection_id")
    message = f"{user_name}: {event_body['msg']}".encode()
    for other_conn_id in [item["connection_id"] for item in scan["Items"]]:
        try:
            if other_conn_id != connection_id:
                apig_management_client.post_to_connection(Data=message, ConnectionId=other_conn_id)
        except ClientError:
            logger.exception("Couldn't post to connection %s.", other_conn_id)
            table.delete_item(Key={"connection_id": other_conn_id})
    return 200

def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["table_name"])
    route_key = event.get("requestContext", {}).get("routeKey")
    connection_id = event.get("requestContext", {}).get("connectionId")
    response = {"statusCode": 200}
    if route_key == "$connect":
        user_name = event.get("queryStringParameters", {"name": "guest"}).get("name")
        response["statusCode"] = handle_connect(user_name, table, connection_id)
    elif route_key == "$disconnect":
        response["statusCode"] = handle_disconnect(table, connection_id)
    elif route_key == "sendmessage":
        body = event.get("body")
        body = json.loads(body if body is not None else '{"msg": ""}')
        domain = event.get("requestContext", {}).get("domainName")
        stage = event.get("requestContext", {}).get("stage")
        apig_management_client = boto3.client(
            "apigatewaymanagementapi", endpoint_url=f"https://{domain}/{stage}")
        response["statusCode"] = handle_message(
            table, connection_id, body, apig_management_client)
    else:
        response["statusCode"] = 404
    return response
"""

# A two-way `$default` route's function: the events' domainName, for the host's own client.
ECHO = """
def handler(event, context):
    return {"statusCode": 200, "body": event["requestContext"]["domainName"]}
"""

# simple-websockets-chat-app's three functions (onconnect, ondisconnect, sendmessage), on
# SDK v3, as one module: sendmessage posts to every connection, the sender's included.
NODE_CHAT = """
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, DeleteCommand, ScanCommand } =
  require("@aws-sdk/lib-dynamodb");
const { ApiGatewayManagementApiClient, PostToConnectionCommand } =
  require("@aws-sdk/client-apigatewaymanagementapi");

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION }));
const { TABLE_NAME } = process.env;

exports.handler = async (event) => {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === "$connect") {
    await ddb.send(new PutCommand({ TableName: TABLE_NAME, Item: { connectionId } }));
    return { statusCode: 200, body: "Connected." };
  }
  if (routeKey === "$disconnect") {
    await ddb.send(new DeleteCommand({ TableName: TABLE_NAME, Key: { connectionId } }));
    return { statusCode: 200, body: "Disconnected." };
  }
  const connectionData = await ddb.send(
    new ScanCommand({ TableName: TABLE_NAME, ProjectionExpression: "connectionId" }));
  const apigwManagementApi = new ApiGatewayManagementApiClient({
    apiVersion: "2018-11-29",
    endpoint: "https://" + event.requestContext.domainName + "/" + event.requestContext.stage,
  });
  const postData = JSON.parse(event.body).data;
  await Promise.all(connectionData.Items.map(async ({ connectionId }) => {
    try {
      await apigwManagementApi.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: postData }));
    } catch (e) {
      if (e.$metadata && e.$metadata.httpStatusCode === 410) {
        await ddb.send(new DeleteCommand({ TableName: TABLE_NAME, Key: { connectionId } }));
      } else {
        throw e;
      }
    }
  }));
  return { statusCode: 200, body: "Data sent." };
};
"""


def make_table(server, key: str) -> str:
    name = f"chat-{uuid.uuid4().hex[:8]}"
    server.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def function(server, source: str, **config) -> str:
    client = server.client("lambda")
    name = f"sample-{uuid.uuid4().hex[:8]}"
    deploy(client, name, source, Timeout=30, **config)
    allow(client, name, APIGATEWAY, EXECUTE_API)
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def chat_api(server, routes: dict[str, str], two_way: tuple[str, ...] = ()) -> str:
    """A WebSocket API whose `routes` go to their functions' ARNs; its `prod` stage's URL."""
    gateway = server.client("apigatewayv2")
    api = gateway.create_api(
        Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    integrations: dict[str, str] = {}
    for key, arn in routes.items():
        if arn not in integrations:
            made = gateway.create_integration(
                ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=arn
            )
            integrations[arn] = "integrations/" + made["IntegrationId"]
        route = gateway.create_route(ApiId=api["ApiId"], RouteKey=key, Target=integrations[arn])
        if key in two_way:
            gateway.create_route_response(
                ApiId=api["ApiId"], RouteId=route["RouteId"], RouteResponseKey="$default"
            )
    gateway.create_stage(ApiId=api["ApiId"], StageName="prod", AutoDeploy=True)
    return api["ApiEndpoint"] + "/prod"


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 90))


@pytest.fixture(scope="module")
def python_chat(server) -> str:
    table = make_table(server, "connection_id")
    chat = function(
        server,
        PYTHON_CHAT,
        Handler="app.lambda_handler",
        Environment={"Variables": {"table_name": table}},
    )
    echo = function(server, ECHO)
    routes = {"$connect": chat, "$disconnect": chat, "sendmessage": chat, "$default": echo}
    return chat_api(server, routes, two_way=("$default",))


def test_the_python_sample_chats_between_three_clients(python_chat) -> None:
    async def talk():
        async with (
            websockets.connect(python_chat + "?name=alice") as alice,
            websockets.connect(python_chat + "?name=bob") as bob,
            websockets.connect(python_chat + "?name=carol") as carol,
        ):
            await alice.send(json.dumps({"action": "sendmessage", "msg": "hi all"}))
            heard = [await bob.recv(), await carol.recv()]
            await carol.close()
            await bob.send(json.dumps({"action": "sendmessage", "msg": "bye carol"}))
            heard.append(await alice.recv())
            return heard

    assert run(talk()) == ["alice: hi all", "alice: hi all", "bob: bye carol"]


def test_wss_at_the_domain_name_with_the_data_dirs_ca(python_chat, server) -> None:
    """`wss://` + domainName + `/` + stage is the API's own endpoint over TLS too; a client
    that trusts `<data dir>/trust/ca.pem` connects, one that does not is refused."""

    async def domain_name() -> str:
        async with websockets.connect(python_chat) as socket:
            await socket.send("which domain?")
            return await socket.recv()

    domain = run(domain_name())
    url = f"wss://{domain}/prod"
    trusting = ssl.create_default_context(cafile=str(server.data_dir / "trust" / "ca.pem"))

    async def chat() -> list[str]:
        async with (
            websockets.connect(url + "?name=dave", ssl=trusting) as dave,
            websockets.connect(python_chat + "?name=erin") as erin,
        ):
            await dave.send(json.dumps({"action": "sendmessage", "msg": "over tls"}))
            await erin.send("echo")
            return [await erin.recv(), await erin.recv()]

    heard = run(chat())
    assert sorted(heard) == sorted(["dave: over tls", domain])
    with pytest.raises(ssl.SSLCertVerificationError):
        run(websockets.connect(url, ssl=ssl.create_default_context()).__aenter__())


@pytest.fixture(scope="module")
def node_sdk() -> NodeSdk:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are not installed")
    sdk = NodeSdk.default()
    sdk.install()  # the shared cache's, unless .ci/run has not installed it yet
    return sdk


def test_the_node_sample_chats_between_three_clients(server, node_sdk) -> None:
    table = make_table(server, "connectionId")
    chat = function(
        server,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        ZipFiles={"index.js": NODE_CHAT},
        Environment={"Variables": {"TABLE_NAME": table}},
    )
    url = chat_api(server, {"$connect": chat, "$disconnect": chat, "sendmessage": chat})

    async def talk():
        async with (
            websockets.connect(url) as alice,
            websockets.connect(url) as bob,
            websockets.connect(url) as carol,
        ):
            await alice.send(json.dumps({"action": "sendmessage", "data": "hello"}))
            return [await client.recv() for client in (alice, bob, carol)]

    assert run(talk()) == ["hello"] * 3
