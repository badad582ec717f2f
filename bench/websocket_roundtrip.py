"""WebSocket message round trip: a client sends a message on a WebSocket API's connection,
the route's function answers it through `PostToConnection` (boto3's apigatewaymanagementapi,
as AWS's chat samples do), and the client receives it; against a direct synchronous invoke of
the same function (Lambda's Invoke API over a raw keep-alive connection), in the same run.

    python bench/websocket_roundtrip.py [--count 2000]

Target (issue 18): the round trip's p50 <= 3x the direct invoke's p50.
"""

from __future__ import annotations

import argparse
import json
import statistics

from _harness import (
    RawHttpClient,
    allow,
    client,
    create_function,
    lambda_client,
    overcast_server,
    summary,
    timed,
)
from websockets.sync.client import connect

from overcast.cli.default_role import BASIC_EXECUTION, execution_role

TARGET = 3.0
# Answers the `echo` route through PostToConnection (and `whoami` with the connection's id);
# any other event returns at once.
ECHO = """import os
import boto3

_clients = {}


def management(request):
    endpoint = "%s/execute-api/%s/%s" % (
        os.environ["AWS_ENDPOINT_URL"], request["apiId"], request["stage"])
    if endpoint not in _clients:
        _clients[endpoint] = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
    return _clients[endpoint]


def handler(event, context):
    request = event.get("requestContext") or {}
    route = request.get("routeKey")
    if route in ("echo", "whoami"):
        data = event["body"] if route == "echo" else request["connectionId"]
        management(request).post_to_connection(
            ConnectionId=request["connectionId"], Data=data.encode())
    return {"statusCode": 200}
"""
MANAGE_CONNECTIONS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "execute-api:ManageConnections",
                   "Resource": "arn:aws:execute-api:*:*:*/@connections/*"}],
}  # fmt: skip
MESSAGE = json.dumps({"action": "echo", "data": "hello"})


def websocket_api(endpoint: str, functions, name: str) -> str:
    """A WebSocket API whose $connect and `echo` routes invoke function `name`: its URL."""
    arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    gateway = client(endpoint, "apigatewayv2")
    api = gateway.create_api(
        Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    integration = gateway.create_integration(
        ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=arn
    )
    for key in ("$connect", "echo", "whoami"):
        gateway.create_route(
            ApiId=api["ApiId"], RouteKey=key, Target=f"integrations/{integration['IntegrationId']}"
        )
    gateway.create_stage(ApiId=api["ApiId"], StageName="prod")
    gateway.create_deployment(ApiId=api["ApiId"], StageName="prod")
    region, account = arn.split(":")[3:5]
    source = f"arn:aws:execute-api:{region}:{account}:{api['ApiId']}/*"
    allow(functions, name, "apigateway.amazonaws.com", source)
    return api["ApiEndpoint"] + "/prod"


def direct(endpoint: str, name: str, count: int, event: bytes, after=None) -> list[float]:
    """Sequential synchronous invokes with `event`, each followed (untimed) by `after`."""
    host, port = endpoint.removeprefix("http://").split(":")
    raw = RawHttpClient(host, int(port))
    path = f"/2015-03-31/functions/{name}/invocations"

    def once() -> None:
        status, body = raw.request("POST", path, event)
        assert status == 200 and json.loads(body) == {"statusCode": 200}, (status, body)

    samples = []
    for _ in range(300 + count):  # the first 300 warm up
        samples.extend(timed(once, 1))
        if after is not None:
            after()
    raw.close()
    return samples[300:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with overcast_server() as endpoint:
        iam = client(endpoint, "iam")
        role = execution_role(iam, "bench-websocket", BASIC_EXECUTION)
        iam.put_role_policy(RoleName="bench-websocket", PolicyName="manage-connections",
                            PolicyDocument=json.dumps(MANAGE_CONNECTIONS))  # fmt: skip
        functions = lambda_client(endpoint)
        create_function(functions, "ws-echo", ECHO, Role=role)
        url = websocket_api(endpoint, functions, "ws-echo")
        with connect(url, open_timeout=30) as socket:

            def round_trip() -> None:
                socket.send(MESSAGE)
                assert socket.recv(timeout=30) == MESSAGE

            timed(round_trip, 300)  # warm up (the function's first boto3 client included)
            messages = timed(round_trip, args.count)
            socket.send(json.dumps({"action": "whoami"}))
            api_id, stage = url.rsplit("/", 2)[-2:]
            context = {"routeKey": "echo", "connectionId": socket.recv(timeout=30),
                       "apiId": api_id, "stage": stage}  # fmt: skip
            # The same function doing the same work (PostToConnection to this socket), invoked
            # directly: what the WebSocket path adds is the difference.
            same_work = json.dumps({"requestContext": context, "body": MESSAGE}).encode()
            posting = direct(endpoint, "ws-echo", args.count, same_work,
                             lambda: socket.recv(timeout=30))  # fmt: skip
        invoked = direct(endpoint, "ws-echo", args.count, b"{}")
    print(f"direct sync invoke (returns at once)   : {summary(invoked)}")
    print(f"direct sync invoke (PostToConnection)  : {summary(posting)}")
    print(f"WebSocket round trip                   : {summary(messages)}")
    for label, baseline in (("returns at once", invoked), ("PostToConnection", posting)):
        ratio = statistics.median(messages) / statistics.median(baseline)
        print(f"ratio p50 round trip / p50 invoke ({label}): {ratio:.2f}x   target <= {TARGET:g}x")


if __name__ == "__main__":
    main()
