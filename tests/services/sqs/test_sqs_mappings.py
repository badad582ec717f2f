"""Lambda event source mappings on queues, end to end through boto3: the mapping's API and
states, the SQS event record field for field, batching, partial batch failures, failed
batches coming back and going to the dead-letter queue, filtering, FIFO order, and the
recursive-loop stop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from sqs_harness import drain, events_of, logged, mapping, queue_arn, records_of, wait_for

from support import deploy

SAMPLE = Path(__file__).parents[2] / "events" / "sqs-event.json"
RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_mapping_api_and_states(lambda_client, sqs, queue, function_name) -> None:
    deploy(lambda_client, function_name, RECORDER)
    arn = queue_arn(sqs, queue)
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function_name
    )
    assert created["State"] == "Creating" and created["StateTransitionReason"] == "USER_INITIATED"
    assert created["BatchSize"] == 10 and created["MaximumBatchingWindowInSeconds"] == 0
    assert created["FunctionResponseTypes"] == []
    assert created["FunctionArn"].endswith(f":function:{function_name}")
    uuid = created["UUID"]
    assert created["EventSourceMappingArn"].endswith(f":event-source-mapping:{uuid}")
    assert wait_for(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")
    listed = lambda_client.list_event_source_mappings(FunctionName=function_name)
    assert [m["UUID"] for m in listed["EventSourceMappings"]] == [uuid]
    listed = lambda_client.list_event_source_mappings(EventSourceArn=arn)
    assert [m["UUID"] for m in listed["EventSourceMappings"]] == [uuid]

    disabled = lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert disabled["State"] == "Disabling"
    assert wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    )
    updated = lambda_client.update_event_source_mapping(
        UUID=uuid,
        Enabled=True,
        BatchSize=5,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2},
        FilterCriteria={"Filters": [{"Pattern": '{"body": ["x"]}'}]},
    )
    assert updated["State"] == "Enabling" and updated["BatchSize"] == 5
    assert updated["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert updated["FilterCriteria"] == {"Filters": [{"Pattern": '{"body": ["x"]}'}]}
    assert wait_for(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")

    deleted = lambda_client.delete_event_source_mapping(UUID=uuid)
    assert deleted["State"] == "Deleting"

    def gone() -> bool:
        try:
            lambda_client.get_event_source_mapping(UUID=uuid)
        except lambda_client.exceptions.ResourceNotFoundException:
            return True
        return False

    assert wait_for(gone)


def test_mapping_errors(lambda_client, sqs, queue, function_name) -> None:
    deploy(lambda_client, function_name, RECORDER)
    arn = queue_arn(sqs, queue)
    cases = [
        ({"EventSourceArn": arn + "-none"}, "InvalidParameterValueException"),
        ({"EventSourceArn": arn, "FunctionName": "no-such-function"}, "ResourceNotFoundException"),
        ({"EventSourceArn": arn, "BatchSize": 20}, "InvalidParameterValueException"),
        ({"EventSourceArn": arn, "StartingPosition": "LATEST"}, "InvalidParameterValueException"),
        (
            {"EventSourceArn": arn, "FilterCriteria": {"Filters": [{"Pattern": '{"a": 1}'}]}},
            "InvalidParameterValueException",
        ),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as excinfo:
            lambda_client.create_event_source_mapping(**{"FunctionName": function_name, **params})
        assert error_of(excinfo)[0] == code, params
    slow = function_name + "-slow"
    deploy(lambda_client, slow, RECORDER, Timeout=60)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=slow)
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds",
    )
    mapping(lambda_client, function_name, arn)
    with pytest.raises(lambda_client.exceptions.ResourceConflictException):
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function_name)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as excinfo:
        lambda_client.get_event_source_mapping(UUID="6b1e4e8a-0000-0000-0000-000000000000")
    assert error_of(excinfo)[1] == "The resource you requested does not exist."


def test_event_record_is_lambdas(server, lambda_client, sqs, queue, function_name) -> None:
    deploy(lambda_client, function_name, RECORDER)
    attributes = {
        "Attribute1": {"DataType": "String", "StringValue": "AttributeValue1"},
        "Attribute2": {"DataType": "Number", "StringValue": "123"},
        "Attribute3": {"DataType": "Binary", "BinaryValue": b"1100"},
    }
    sent = sqs.send_message(
        QueueUrl=queue, MessageBody="Message Body", MessageAttributes=attributes
    )
    sqs.send_message(QueueUrl=queue, MessageBody="plain")
    mapping(lambda_client, function_name, queue_arn(sqs, queue))
    records = wait_for(
        lambda: len(records_of(server, function_name)) == 2 and records_of(server, function_name)
    )
    by_body = {r["body"]: r for r in records}
    record, plain = by_body["Message Body"], by_body["plain"]
    (sample,) = json.loads(SAMPLE.read_text())["Records"]
    assert set(record) == set(sample)
    assert set(record["attributes"]) == set(sample["attributes"])
    assert record["messageId"] == sent["MessageId"]
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == queue_arn(sqs, queue)
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SenderId"] and record["receiptHandle"]
    assert record["messageAttributes"] == {
        "Attribute1": {
            "stringValue": "AttributeValue1",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "Attribute2": {
            "stringValue": "123",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Number",
        },
        "Attribute3": {
            "binaryValue": "MTEwMA==",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    # Without message attributes, Lambda still sends both keys.
    assert plain["messageAttributes"] == {} and plain["md5OfMessageAttributes"] is None
    assert wait_for(
        lambda: (
            sqs.get_queue_attributes(
                QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"]["ApproximateNumberOfMessagesNotVisible"]
            == "0"
        )
    )


def test_batch_size_and_window(server, lambda_client, sqs, queue, function_name) -> None:
    deploy(lambda_client, function_name, RECORDER)
    for start in range(0, 30, 10):
        sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(start, start + 10)],
        )
    mapping(
        lambda_client,
        function_name,
        queue_arn(sqs, queue),
        BatchSize=50,
        MaximumBatchingWindowInSeconds=1,
    )
    events = wait_for(lambda: events_of(server, function_name))
    assert len(events[0]["Records"]) == 30


DEAD_LETTERS = """
import json

def handler(event, context):
    failures = []
    for record in event["Records"]:
        print("SEEN " + record["body"] + " " + record["attributes"]["ApproximateReceiveCount"])
        if record["body"].startswith("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
    if any(r["body"] == "crash" for r in event["Records"]):
        raise RuntimeError("whole batch")
    return {"batchItemFailures": failures}
"""


@pytest.fixture
def redriven(sqs, queue_name) -> tuple[str, str]:
    """A queue whose messages come back after 1 s and go to a dead-letter queue after 2
    receives; (queue, dead-letter queue)."""
    dead = sqs.create_queue(QueueName=queue_name + "-dlq")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dead), "maxReceiveCount": 2})
    source = sqs.create_queue(
        QueueName=queue_name, Attributes={"VisibilityTimeout": "1", "RedrivePolicy": policy}
    )["QueueUrl"]
    return source, dead


def test_partial_batch_failures(server, lambda_client, sqs, redriven, function_name) -> None:
    source, dead = redriven
    deploy(lambda_client, function_name, DEAD_LETTERS, Timeout=1)
    sqs.send_message_batch(
        QueueUrl=source,
        Entries=[{"Id": b, "MessageBody": b} for b in ("ok-1", "fail-1", "ok-2")],
    )
    mapping(
        lambda_client,
        function_name,
        queue_arn(sqs, source),
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    (dead_letter,) = drain(sqs, dead, 1)
    assert dead_letter["Body"] == "fail-1"
    seen = logged(server, function_name, "SEEN ")
    # Only the failed message came back (received twice); the others were deleted at once.
    assert sorted(seen) == ["fail-1 1", "fail-1 2", "ok-1 1", "ok-2 1"]


def test_failed_batch_comes_back_then_goes_to_dead_letter_queue(
    server, lambda_client, sqs, redriven, function_name
) -> None:
    source, dead = redriven
    deploy(lambda_client, function_name, DEAD_LETTERS, Timeout=1)
    sqs.send_message(QueueUrl=source, MessageBody="crash")
    mapping(lambda_client, function_name, queue_arn(sqs, source))
    (dead_letter,) = drain(sqs, dead, 1)
    assert dead_letter["Body"] == "crash"
    assert sorted(logged(server, function_name, "SEEN ")) == ["crash 1", "crash 2"]


def test_filtered_out_messages_are_deleted(server, lambda_client, sqs, queue, function_name):
    deploy(lambda_client, function_name, RECORDER)
    pattern = json.dumps({"body": {"kind": ["keep"]}})
    mapping(
        lambda_client,
        function_name,
        queue_arn(sqs, queue),
        FilterCriteria={"Filters": [{"Pattern": pattern}]},
    )
    for body in ({"kind": "drop"}, {"kind": "keep", "n": 1}, "not json"):
        sqs.send_message(
            QueueUrl=queue, MessageBody=json.dumps(body) if isinstance(body, dict) else body
        )

    def settled() -> bool:
        found = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        empty = (
            found["ApproximateNumberOfMessages"]
            == found["ApproximateNumberOfMessagesNotVisible"]
            == "0"
        )
        return empty and bool(records_of(server, function_name))

    assert wait_for(settled)
    assert [json.loads(r["body"]) for r in records_of(server, function_name)] == [
        {"kind": "keep", "n": 1}
    ]


def test_fifo_order_through_a_mapping(server, lambda_client, sqs, queue_name, function_name):
    url = sqs.create_queue(
        QueueName=queue_name + ".fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    deploy(lambda_client, function_name, RECORDER)
    for group in ("a", "b"):
        for start in range(0, 20, 10):
            sqs.send_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "MessageBody": f"{group}{i}", "MessageGroupId": group}
                    for i in range(start, start + 10)
                ],
            )
    mapping(lambda_client, function_name, queue_arn(sqs, url), BatchSize=3)
    records = wait_for(
        lambda: len(records_of(server, function_name)) == 40 and records_of(server, function_name)
    )
    for group in ("a", "b"):
        bodies = [r["body"] for r in records if r["attributes"]["MessageGroupId"] == group]
        assert bodies == [f"{group}{i}" for i in range(20)]


LOOP = """
import os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    print("RUN")
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="again")
"""


def test_a_loop_through_a_queue_is_stopped_after_16(
    server, lambda_client, sqs, queue, function_name
) -> None:
    deploy(lambda_client, function_name, LOOP, Environment={"Variables": {"QUEUE_URL": queue}})
    mapping(lambda_client, function_name, queue_arn(sqs, queue))
    sqs.send_message(QueueUrl=queue, MessageBody="start")

    def stopped() -> bool:
        found = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        idle = (
            found["ApproximateNumberOfMessages"]
            == found["ApproximateNumberOfMessagesNotVisible"]
            == "0"
        )
        return idle and len(logged(server, function_name, "RUN")) >= 16

    assert wait_for(stopped, timeout=60)
    assert len(logged(server, function_name, "RUN")) == 16


SLOW = """
import time

def handler(event, context):
    print("BATCH " + context.log_stream_name)
    time.sleep(0.3)
"""


def test_maximum_concurrency_caps_the_environments(
    server, lambda_client, sqs, queue, function_name
) -> None:
    deploy(lambda_client, function_name, SLOW)
    sqs.send_message_batch(
        QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(8)]
    )
    mapping(
        lambda_client,
        function_name,
        queue_arn(sqs, queue),
        BatchSize=1,
        ScalingConfig={"MaximumConcurrency": 2},
    )
    streams = wait_for(
        lambda: (
            len(logged(server, function_name, "BATCH ")) == 8
            and logged(server, function_name, "BATCH ")
        )
    )
    # Eight one-message batches, never more than two at once: two environments served them.
    assert len(set(streams)) == 2


def test_a_mapping_follows_its_queue_deleted_and_made_again(
    server, lambda_client, sqs, queue, queue_name, function_name
) -> None:
    deploy(lambda_client, function_name, RECORDER)
    mapping(lambda_client, function_name, queue_arn(sqs, queue))
    sqs.delete_queue(QueueUrl=queue)
    again = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    sqs.send_message(QueueUrl=again, MessageBody="second life")
    records = wait_for(lambda: records_of(server, function_name))
    assert [r["body"] for r in records] == ["second life"]
