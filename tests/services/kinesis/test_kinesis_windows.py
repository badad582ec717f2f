"""Tumbling windows on a Kinesis mapping, through boto3: each invocation gets its window and
the state the last one returned, the window ends with a final invocation carrying the whole
state, and a response without a state is a failed invocation."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

from stream_harness import events_of, mapping, wait_for
from support import deploy

# Keeps the data of every record of the window in its state.
AGGREGATOR = """
import base64, json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    state = dict(event["state"])
    for record in event["Records"]:
        state.setdefault("seen", []).append(base64.b64decode(record["kinesis"]["data"]).decode())
    return {"state": state}
"""
STATELESS = """
def handler(event, context):
    return {"batchItemFailures": []}
"""


def epoch_ms(text: str) -> int:
    parsed = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def test_state_is_carried_through_each_window(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    deploy(lambda_client, function_name, AGGREGATOR)
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    for data in ("a", "b", "c"):
        kinesis.put_record(StreamName=name, Data=data.encode(), PartitionKey="k")
    uuid_ = mapping(lambda_client, function_name, arn, BatchSize=1, TumblingWindowInSeconds=1)
    assert lambda_client.get_event_source_mapping(UUID=uuid_)["TumblingWindowInSeconds"] == 1

    def finals() -> list[dict]:
        return [e for e in events_of(server, function_name) if e["isFinalInvokeForWindow"]]

    assert wait_for(
        lambda: [d for e in finals() for d in e["state"].get("seen", [])] == ["a", "b", "c"]
    )
    events = events_of(server, function_name)
    state: dict = {}
    for event in events:
        assert event["shardId"] == "shardId-000000000000" and event["eventSourceARN"] == arn
        assert event["isWindowTerminatedEarly"] is False
        start, end = epoch_ms(event["window"]["start"]), epoch_ms(event["window"]["end"])
        assert end - start == 1000
        assert event["state"] == state  # what the last invocation of the window returned
        if event["isFinalInvokeForWindow"]:
            assert event["Records"] == []
            state = {}
            continue
        [record] = event["Records"]
        arrival = record["kinesis"]["approximateArrivalTimestamp"] * 1000
        assert start <= round(arrival) < end
        data = base64.b64decode(record["kinesis"]["data"]).decode()
        state = {"seen": [*state.get("seen", []), data]}
    assert events[-1]["isFinalInvokeForWindow"]


def test_a_response_without_state_fails(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName=f"windows-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    deploy(lambda_client, function_name, STATELESS)
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    mapping(
        lambda_client, function_name, arn, TumblingWindowInSeconds=60, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )  # fmt: skip
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"))
    failure = json.loads(messages[0]["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["KinesisBatchInfo"]["batchSize"] == 1
    assert "functionError" not in failure["responseContext"]  # it ran, but kept no state
