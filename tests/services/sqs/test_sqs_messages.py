"""SQS's message operations through boto3 against a real server: what is sent comes back as
sent, visibility and long polling behave as SQS's, FIFO order and deduplication hold, and bad
input gets SQS's error with nothing stored."""

from __future__ import annotations

import json
import threading
import time

import pytest
from botocore.exceptions import ClientError
from sqs_harness import drain, queue_arn


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def depth(sqs, url: str) -> tuple[str, str, str]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return tuple(found[n] for n in names)


def test_send_receive_delete_with_attributes(sqs, queue) -> None:
    attributes = {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "size": {"DataType": "Number.int", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    }
    sent = sqs.send_message(QueueUrl=queue, MessageBody="hello", MessageAttributes=attributes)
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    received = sqs.receive_message(
        QueueUrl=queue,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
    )["Messages"]
    (message,) = received
    assert message["MessageId"] == sent["MessageId"] and message["Body"] == "hello"
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert set(message["Attributes"]) == {"SentTimestamp", "ApproximateReceiveCount"}
    assert depth(sqs, queue) == ("0", "1", "0")
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert depth(sqs, queue) == ("0", "0", "0")


def test_message_attribute_names_select_what_comes_back(sqs, queue) -> None:
    attributes = {name: {"DataType": "String", "StringValue": name} for name in ("a.x", "a.y", "b")}
    sqs.send_message(QueueUrl=queue, MessageBody="m", MessageAttributes=attributes)
    (message,) = sqs.receive_message(
        QueueUrl=queue, MessageAttributeNames=["a.*"], VisibilityTimeout=0
    )["Messages"]
    assert set(message["MessageAttributes"]) == {"a.x", "a.y"}
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert "MessageAttributes" not in message and "Attributes" not in message


def test_batches_report_each_entry(sqs, queue) -> None:
    sent = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "ok", "MessageBody": "one"},
            {"Id": "late", "MessageBody": "two", "DelaySeconds": 901},
            {"Id": "ok2", "MessageBody": "three"},
        ],
    )
    assert [s["Id"] for s in sent["Successful"]] == ["ok", "ok2"]
    (failed,) = sent["Failed"]
    assert failed["Id"] == "late" and failed["SenderFault"] is True
    assert failed["Code"] == "InvalidParameterValue"
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    handles = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=queue,
        Entries=[{**h, "VisibilityTimeout": 60} for h in handles]
        + [{"Id": "bad", "ReceiptHandle": "bogus", "VisibilityTimeout": 1}],
    )
    assert len(changed["Successful"]) == 2 and changed["Failed"][0]["Id"] == "bad"
    assert changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    deleted = sqs.delete_message_batch(QueueUrl=queue, Entries=handles)
    assert len(deleted["Successful"]) == 2 and not deleted.get("Failed")
    assert depth(sqs, queue) == ("0", "0", "0")


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
        (
            [{"Id": str(i), "MessageBody": "x"} for i in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        ),
        (
            [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        ),
        ([{"Id": "no spaces", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
    ],
)
def test_bad_batches_are_refused_whole(sqs, queue, entries, code) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    assert error_of(excinfo)[0] == code
    assert depth(sqs, queue) == ("0", "0", "0")


def test_visibility_timeout_and_changes(sqs, queue) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="m")
    (first,) = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=60)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0
    )
    (second,) = sqs.receive_message(
        QueueUrl=queue, MessageSystemAttributeNames=["ApproximateReceiveCount"]
    )["Messages"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    with pytest.raises(ClientError) as excinfo:  # an earlier receive's handle
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=5
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    assert "not available for visibility timeout change" in error_of(excinfo)[1]


def test_long_polling_answers_when_a_message_arrives(sqs, queue) -> None:
    answers: list[dict] = []
    receiving = threading.Thread(
        target=lambda: answers.append(sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20))
    )
    started = time.monotonic()
    receiving.start()
    sqs.send_message(QueueUrl=queue, MessageBody="wake up")
    receiving.join(timeout=30)
    # Well before the 20 s wait is over: the receive ends with the message.
    assert time.monotonic() - started < 10
    assert answers[0]["Messages"][0]["Body"] == "wake up"


def test_delay_seconds(sqs, queue) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=1)
    assert depth(sqs, queue) == ("0", "0", "1")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    (message,) = drain(sqs, queue, 1)
    assert message["Body"] == "later"


def test_fifo_order_groups_and_deduplication(sqs, queue_name) -> None:
    url = sqs.create_queue(
        QueueName=queue_name + ".fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    for i in range(5):
        sent = sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="a")
        assert sent["SequenceNumber"]
    again = sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="a")
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3)["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1", "a2"]
    assert first[0]["MessageId"] == again["MessageId"]  # the repeat was not queued
    # Group a is in flight: nothing more of it until those are deleted.
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in rest] == ["b0"]
    for message in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    attributes = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in attributes] == ["a3", "a4"]
    assert attributes[0]["Attributes"]["MessageGroupId"] == "a"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert error_of(excinfo) == (
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
    )


def test_redrive_to_the_dead_letter_queue(sqs, queue, queue_name) -> None:
    policy = json.dumps({"deadLetterTargetArn": queue_arn(sqs, queue), "maxReceiveCount": 2})
    source = sqs.create_queue(QueueName=queue_name + "-src", Attributes={"RedrivePolicy": policy})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    (dead,) = drain(sqs, queue, 1)
    assert dead["Body"] == "poison"
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == queue_arn(sqs, source)


def test_oversized_and_invalid_messages_are_refused(sqs, queue) -> None:
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"MaximumMessageSize": "1024"})
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x" * 1025)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="bell\x07")
    assert error_of(excinfo)[0] == "InvalidMessageContents"
    bad_attributes = [
        {"a": {"DataType": "String", "StringValue": ""}},
        {"a": {"DataType": "Colour", "StringValue": "red"}},
        {"a": {"DataType": "Number", "StringValue": "twelve"}},
        {"AWS.reserved": {"DataType": "String", "StringValue": "x"}},
        {f"a{i}": {"DataType": "String", "StringValue": "x"} for i in range(11)},
    ]
    for attributes in bad_attributes:
        with pytest.raises(ClientError) as excinfo:
            sqs.send_message(QueueUrl=queue, MessageBody="m", MessageAttributes=attributes)
        assert error_of(excinfo)[0] == "InvalidParameterValue", attributes
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=queue, ReceiptHandle="not-a-receipt-handle")
    assert depth(sqs, queue) == ("0", "0", "0")


def test_missing_parameters_and_unknown_queues(server, queue) -> None:
    loose = server.client("sqs", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        loose.send_message(QueueUrl=queue)
    assert error_of(excinfo) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    )
    with pytest.raises(loose.exceptions.QueueDoesNotExist):
        loose.send_message(QueueUrl=queue + "-gone", MessageBody="m")
    with pytest.raises(ClientError) as excinfo:
        loose.receive_message(QueueUrl=queue, MaxNumberOfMessages=11)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
