"""Deeply nested JSON in a request: each service's malformed-JSON error, never a 500.

Each request is a real boto3 call whose body is swapped for a deeply nested one just before it
is signed, so the error is read back as boto3 reads AWS's.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.aws.json_document import MAX_DEPTH, PAYLOAD_MAX_DEPTH
from support import deploy, error_of

DEEP = b"[" * 200_000 + b"]" * 200_000
ECHO = "def handler(event, context):\n    return event\n"


def nested(depth: int, leaf: object = 1) -> object:
    for _ in range(depth):
        leaf = {"a": leaf}
    return leaf


def send_body(client, operation: str, body: bytes) -> None:
    """Have `client`'s next `operation` call send `body` instead of what it serialized."""

    def swap(request, **_) -> None:
        request.data = body

    client.meta.events.register_first(f"before-sign.*.{operation}", swap)


def test_invoke_with_a_deeply_nested_payload(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, ECHO)
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=function_name, Payload=DEEP)
    code, message, status = error_of(caught)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message == (
        "Could not parse request body into json: Could not parse payload into json: "
        f"Document nesting depth ({PAYLOAD_MAX_DEPTH + 1}) exceeds the maximum allowed "
        f"({PAYLOAD_MAX_DEPTH})"
    )
    # A payload nested as deep as the limit reaches the function and comes back whole.
    payload = json.dumps(nested(PAYLOAD_MAX_DEPTH - 1))
    answer = lambda_client.invoke(FunctionName=function_name, Payload=payload)
    assert json.loads(answer["Payload"].read()) == json.loads(payload)


def test_lambda_control_plane_body(server, function_name) -> None:
    client = server.client("lambda")
    send_body(client, "TagResource", b'{"Tags": ' + DEEP + b"}")
    with pytest.raises(ClientError) as caught:
        client.tag_resource(
            Resource=f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}",
            Tags={"a": "b"},
        )
    code, message, status = error_of(caught)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json: ")
    assert f"exceeds the maximum allowed ({MAX_DEPTH})" in message


@pytest.mark.parametrize(
    ("service", "operation", "call"),
    [
        ("sqs", "ListQueues", lambda c: c.list_queues()),
        ("logs", "DescribeLogGroups", lambda c: c.describe_log_groups()),
        ("events", "ListRules", lambda c: c.list_rules()),
    ],
)
def test_json_protocol_services_answer_serialization_exception(
    server, service: str, operation: str, call
) -> None:
    client = server.client(service)
    send_body(client, operation, DEEP)
    with pytest.raises(ClientError) as caught:
        call(client)
    code, message, status = error_of(caught)
    assert (code, status) == ("SerializationException", 400)
    assert f"exceeds the maximum allowed ({MAX_DEPTH})" in message


def test_deeply_nested_documents_inside_parameters(server) -> None:
    deep_text = "[" * 2000 + "]" * 2000  # within EventPattern's 4096 characters
    events = server.client("events")
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="deep-pattern", EventPattern=deep_text)
    assert error_of(caught)[0] == "InvalidEventPatternException"
    entries = [{"Source": "s", "DetailType": "d", "Detail": deep_text}]
    answer = events.put_events(Entries=entries)
    assert answer["Entries"][0]["ErrorCode"] == "MalformedDetail"
    topics = server.client("sns")
    topic = topics.create_topic(Name="deep-json")["TopicArn"]
    with pytest.raises(ClientError) as caught:
        topics.publish(TopicArn=topic, MessageStructure="json", Message=deep_text)
    assert error_of(caught)[:2] == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - JSON message body failed to parse",
    )
