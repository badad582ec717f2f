"""Connections and API destinations through boto3 against a real server, calling an HTTP
endpoint this test serves: the request EventBridge's user guide describes ("API
destinations": headers, authorization, parameters), secrets kept out of DescribeConnection,
and failed calls sent to the dead-letter queue."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError
from test_eventbridge_targets import receive_all

from support import allow_service

WAIT_S = 20.0


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Endpoint:
    """An HTTP server on loopback that records each request and answers `status`; `/token`
    answers an OAuth access token."""

    def __init__(self) -> None:
        self.requests: queue.Queue[Received] = queue.Queue()
        self.status = 200
        self.first: list[int] = []  # statuses answered, in turn, before `status`
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                endpoint.requests.put(
                    Received(self.command, self.path, dict(self.headers.items()), body)
                )
                payload = b"{}"
                if self.path.startswith("/token"):
                    payload = json.dumps({"access_token": "tok-1", "expires_in": 3600}).encode()
                status = endpoint.first.pop(0) if endpoint.first else endpoint.status
                self.send_response(200 if self.path.startswith("/token") else status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self) -> Received:
        return self.requests.get(timeout=WAIT_S)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    served = Endpoint()
    yield served
    served.close()


@pytest.fixture
def events(server):
    return server.client("events")


@pytest.fixture
def name() -> str:
    return f"ad-{uuid.uuid4().hex[:12]}"


def refused(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def authorized(events, name: str) -> bool:
    """Wait (with a deadline) for an OAuth connection to hold its token."""
    deadline = time.monotonic() + WAIT_S
    while events.describe_connection(Name=name)["ConnectionState"] != "AUTHORIZED":
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def route(events, name: str, destination_arn: str, **target: object) -> str:
    """The rule's ARN."""
    rule = events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))["RuleArn"]
    spec = {"Id": "api", "Arn": destination_arn, **target}
    events.put_targets(Rule=name, Targets=[spec])
    return rule


def put(events, name: str, detail: dict) -> None:
    entry = {"Source": name, "DetailType": "order", "Detail": json.dumps(detail)}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0


def test_an_api_key_connection_calls_the_endpoint_as_eventbridge_does(
    events, endpoint: Endpoint, name: str
) -> None:
    parameters = {
        "HeaderParameters": [{"Key": "X-Tenant", "Value": "acme", "IsValueSecret": False}],
        "QueryStringParameters": [{"Key": "sig", "Value": "s3cr3t", "IsValueSecret": True}],
        "BodyParameters": [{"Key": "origin", "Value": "overcast", "IsValueSecret": False}],
    }
    created = events.create_connection(
        Name=name,
        AuthorizationType="API_KEY",
        AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "key-1"},
            "InvocationHttpParameters": parameters,
        },
    )
    assert created["ConnectionState"] == "AUTHORIZED"
    described = events.describe_connection(Name=name)
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-api-key"}
    shown = described["AuthParameters"]["InvocationHttpParameters"]
    assert shown["QueryStringParameters"] == [{"Key": "sig", "IsValueSecret": True}]
    assert "key-1" not in json.dumps(described, default=str)

    destination = events.create_api_destination(
        Name=name,
        ConnectionArn=created["ConnectionArn"],
        InvocationEndpoint=f"{endpoint.url}/orders/*",
        HttpMethod="PUT",
    )
    assert destination["ApiDestinationState"] == "ACTIVE"
    assert events.describe_api_destination(Name=name)["InvocationRateLimitPerSecond"] == 300
    route(
        events,
        name,
        destination["ApiDestinationArn"],
        InputPath="$.detail",
        HttpParameters={
            "PathParameterValues": ["$.detail.id"],
            "HeaderParameters": {"X-Order": "$.detail.id"},
            "QueryStringParameters": {"v": "2"},
        },
    )
    put(events, name, {"id": "42", "total": 7})

    got = endpoint.next()
    assert got.method == "PUT"
    assert got.path == "/orders/42?v=2&sig=s3cr3t"
    headers = {key.lower(): value for key, value in got.headers.items()}
    assert headers["x-api-key"] == "key-1" and headers["x-tenant"] == "acme"
    assert headers["x-order"] == "42"
    assert headers["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["range"] == "bytes=0-1048575"
    assert json.loads(got.body) == {"id": "42", "total": 7, "origin": "overcast"}


def test_basic_and_oauth_connections_authorize_calls(events, endpoint: Endpoint, name: str) -> None:
    basic = events.create_connection(
        Name=f"{name}-b",
        AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "ann", "Password": "pw"}},
    )["ConnectionArn"]
    oauth = events.create_connection(
        Name=f"{name}-o",
        AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters={
            "OAuthParameters": {
                "ClientParameters": {"ClientID": "client", "ClientSecret": "secret"},
                "AuthorizationEndpoint": f"{endpoint.url}/token",
                "HttpMethod": "POST",
            }
        },
    )
    assert oauth["ConnectionState"] == "AUTHORIZING"
    token_request = endpoint.next()
    assert token_request.path == "/token" and b"grant_type=client_credentials" in token_request.body
    for label, connection in (("b", basic), ("o", oauth["ConnectionArn"])):
        events.create_api_destination(
            Name=f"{name}-{label}",
            ConnectionArn=connection,
            InvocationEndpoint=f"{endpoint.url}/{label}",
            HttpMethod="POST",
        )
    arn_of = lambda label: events.describe_api_destination(Name=f"{name}-{label}")  # noqa: E731
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(
        Rule=name,
        Targets=[{"Id": label, "Arn": arn_of(label)["ApiDestinationArn"]} for label in ("b", "o")],
    )
    assert authorized(events, f"{name}-o")
    put(events, name, {"n": 1})
    calls = {call.path: call for call in (endpoint.next(), endpoint.next())}
    assert calls["/b"].headers["Authorization"] == "Basic YW5uOnB3"
    assert calls["/o"].headers["Authorization"] == "Bearer tok-1"


def test_a_refused_call_goes_to_the_dead_letter_queue(
    server, events, endpoint: Endpoint, name: str
) -> None:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    connection = events.create_connection(
        Name=name,
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
    )["ConnectionArn"]
    destination = events.create_api_destination(
        Name=name,
        ConnectionArn=connection,
        InvocationEndpoint=f"{endpoint.url}/x",
        HttpMethod="POST",
    )["ApiDestinationArn"]
    rule = route(events, name, destination, DeadLetterConfig={"Arn": dlq})
    allow_service(sqs, url, "events.amazonaws.com", rule)
    endpoint.status = 400  # not retried
    put(events, name, {"n": 1})
    assert endpoint.next().path == "/x"
    [dead] = receive_all(sqs, url, 1)
    assert json.loads(dead["Body"])["detail"] == {"n": 1}


def test_connection_and_destination_lifecycle_and_errors(events, name: str) -> None:
    missing = f"arn:aws:events:us-east-1:000000000000:connection/{name}/{uuid.uuid4()}"
    assert refused(
        events.create_api_destination,
        Name=name,
        ConnectionArn=missing,
        InvocationEndpoint="https://example.com/x",
        HttpMethod="POST",
    ) == (
        "ResourceNotFoundException",
        f"Failed to describe the connection(s). Connection '{name}' does not exist.",
    )
    connection = events.create_connection(
        Name=name,
        AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )["ConnectionArn"]
    events.create_api_destination(
        Name=name,
        ConnectionArn=connection,
        InvocationEndpoint="https://example.com/x",
        HttpMethod="POST",
    )
    [listed] = events.list_api_destinations(NamePrefix=name)["ApiDestinations"]
    assert listed["ConnectionArn"] == connection and listed["HttpMethod"] == "POST"
    events.update_api_destination(Name=name, HttpMethod="PUT", Description="d")
    assert events.describe_api_destination(Name=name)["HttpMethod"] == "PUT"
    assert events.deauthorize_connection(Name=name)["ConnectionState"] == "DEAUTHORIZING"
    assert events.describe_connection(Name=name)["ConnectionState"] == "DEAUTHORIZED"
    assert events.describe_api_destination(Name=name)["ApiDestinationState"] == "INACTIVE"
    [entry] = events.list_connections(NamePrefix=name)["Connections"]
    assert entry["AuthorizationType"] == "BASIC" and entry["ConnectionState"] == "DEAUTHORIZED"
    events.delete_api_destination(Name=name)
    assert refused(events.describe_api_destination, Name=name)[0] == "ResourceNotFoundException"
    assert events.delete_connection(Name=name)["ConnectionState"] == "DELETING"
    assert refused(events.describe_connection, Name=name) == (
        "ResourceNotFoundException",
        f"Failed to describe the connection(s). Connection '{name}' does not exist.",
    )


def test_a_call_answered_503_is_retried(events, endpoint: Endpoint, name: str) -> None:
    connection = events.create_connection(
        Name=name,
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
    )["ConnectionArn"]
    destination = events.create_api_destination(
        Name=name,
        ConnectionArn=connection,
        InvocationEndpoint=f"{endpoint.url}/retry",
        HttpMethod="POST",
    )["ApiDestinationArn"]
    route(events, name, destination)
    endpoint.first = [503]
    put(events, name, {"n": 1})
    first, again = endpoint.next(), endpoint.next()
    assert first.path == again.path == "/retry" and first.body == again.body
