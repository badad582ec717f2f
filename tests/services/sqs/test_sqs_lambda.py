"""Queues with Lambda's own tooling: Powertools' BatchProcessor behind a mapping, unchanged,
and queues as asynchronous invocations' OnFailure destination and dead-letter queue (one that
does not exist loses only its own record)."""

from __future__ import annotations

import json

import pytest
from sqs_harness import drain, logged, mapping, queue_arn

from packages import InstallFailed, install, package_with, runtime_interpreter
from support import LAMBDA_ROLE, deploy

pytestmark = pytest.mark.timeout(300)  # the first run downloads Powertools

POWERTOOLS = """
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord):
    count = record.attributes.approximate_receive_count
    colour = record.message_attributes["colour"].string_value
    print(f"SEEN {record.body} {count} {colour} {record.queue_url.rsplit('/', 1)[1]}")
    if record.body.startswith("fail"):
        raise ValueError("cannot take " + record.body)


def handler(event, context):
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
"""
FAILING = """
def handler(event, context):
    raise RuntimeError("no good: " + event["order"])
"""


@pytest.fixture(scope="module")
def powertools_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    site = tmp_path_factory.mktemp("powertools-site")
    try:
        install(["aws-lambda-powertools"], site, runtime_interpreter("python3.12"))
    except InstallFailed as exc:
        pytest.skip(f"could not install aws-lambda-powertools from PyPI: {exc}")
    return package_with(site, {"app.py": POWERTOOLS})


def test_powertools_batch_processor(
    server, lambda_client, sqs, queue_name, function_name, powertools_zip
) -> None:
    dead = sqs.create_queue(QueueName=queue_name + "-dlq")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dead), "maxReceiveCount": 2})
    source = sqs.create_queue(
        QueueName=queue_name, Attributes={"VisibilityTimeout": "1", "RedrivePolicy": policy}
    )["QueueUrl"]
    lambda_client.create_function(
        FunctionName=function_name,
        Runtime="python3.12",
        Role=LAMBDA_ROLE,
        Handler="app.handler",
        Code={"ZipFile": powertools_zip},
        Timeout=1,  # within the queue's 1 s visibility timeout, as Lambda requires
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    colour = {"colour": {"DataType": "String", "StringValue": "blue"}}
    sqs.send_message_batch(
        QueueUrl=source,
        Entries=[
            {"Id": body, "MessageBody": body, "MessageAttributes": colour}
            for body in ("ok-1", "fail-1", "ok-2")
        ],
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
    assert sorted(seen) == [
        f"fail-1 1 blue {queue_name}",
        f"fail-1 2 blue {queue_name}",
        f"ok-1 1 blue {queue_name}",
        f"ok-2 1 blue {queue_name}",
    ]


def test_queue_as_on_failure_destination(lambda_client, sqs, queue, function_name) -> None:
    deploy(lambda_client, function_name, FAILING)
    lambda_client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn(sqs, queue)}},
    )
    lambda_client.invoke(
        FunctionName=function_name, InvocationType="Event", Payload=b'{"order": "7"}'
    )
    (message,) = drain(sqs, queue, 1)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"order": "7"}
    assert record["responsePayload"]["errorMessage"] == "no good: 7"


def test_queue_as_dead_letter_queue(lambda_client, sqs, queue, function_name) -> None:
    deploy(
        lambda_client,
        function_name,
        FAILING,
        DeadLetterConfig={"TargetArn": queue_arn(sqs, queue)},
    )
    lambda_client.put_function_event_invoke_config(
        FunctionName=function_name, MaximumRetryAttempts=0
    )
    answer = lambda_client.invoke(
        FunctionName=function_name, InvocationType="Event", Payload=b'{"order": "8"}'
    )
    (message,) = drain(sqs, queue, 1)
    assert json.loads(message["Body"]) == {"order": "8"}
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {
        "RequestID": answer["ResponseMetadata"]["RequestId"],
        "ErrorCode": "200",
        "ErrorMessage": "no good: 8",
    }


def test_a_missing_destination_queue_loses_only_its_record(
    lambda_client, sqs, queue, function_name
) -> None:
    # Lambda drops a record it cannot deliver; the same failure still reaches the function's
    # dead-letter queue, which exists.
    gone = queue_arn(sqs, queue).replace(queue.rsplit("/", 1)[1], f"{function_name}-gone")
    deploy(
        lambda_client,
        function_name,
        FAILING,
        DeadLetterConfig={"TargetArn": queue_arn(sqs, queue)},
    )
    lambda_client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": gone}},
    )
    lambda_client.invoke(
        FunctionName=function_name, InvocationType="Event", Payload=b'{"order": "9"}'
    )
    (message,) = drain(sqs, queue, 1)
    assert json.loads(message["Body"]) == {"order": "9"}
    assert message["MessageAttributes"]["ErrorCode"] == {"DataType": "String", "StringValue": "200"}
