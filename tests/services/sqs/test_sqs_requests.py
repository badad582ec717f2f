"""Requests SQS accepts and inputs it refuses, through boto3 against a real server, held
against SQS's recorded answers: DelaySeconds=0 on a FIFO queue, a visibility change through
a receipt whose visibility timeout has just run out, a bare queue name as the QueueUrl, and
the FIFO attributes and ids a standard queue refuses."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from sqs_harness import wait_for


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_delay_seconds_0_on_a_fifo_queue_takes_the_queue_s_delay(sqs, queue_name) -> None:
    url = sqs.create_queue(
        QueueName=queue_name + ".fifo", Attributes={"FifoQueue": "true", "DelaySeconds": "0"}
    )["QueueUrl"]
    sent = sqs.send_message(
        QueueUrl=url, MessageBody="now", MessageGroupId="g", MessageDeduplicationId="d",
        DelaySeconds=0,
    )  # fmt: skip
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    # A non-zero delay of its own stays refused on a FIFO queue.
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=url, MessageBody="later", MessageGroupId="g", MessageDeduplicationId="e",
            DelaySeconds=2,
        )  # fmt: skip
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter "
        "that is not valid for this queue type.",
    )
    # In a batch as well: 0 goes, a delay of its own is that entry's failure.
    batch = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "zero", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "f",
             "DelaySeconds": 0},
            {"Id": "two", "MessageBody": "b", "MessageGroupId": "g", "MessageDeduplicationId": "h",
             "DelaySeconds": 2},
        ],
    )  # fmt: skip
    assert [s["Id"] for s in batch["Successful"]] == ["zero"]
    assert [f["Id"] for f in batch["Failed"]] == ["two"]


def test_a_fifo_queue_s_own_delay_applies_when_a_message_says_0(sqs, queue_name) -> None:
    url = sqs.create_queue(
        QueueName=queue_name + ".fifo",
        Attributes={"FifoQueue": "true", "DelaySeconds": "60", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g", DelaySeconds=0)
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert found["ApproximateNumberOfMessagesDelayed"] == "1"


def test_visibility_change_through_a_just_expired_receipt_is_accepted(sqs, queue_name) -> None:
    url = sqs.create_queue(QueueName=queue_name, Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]

    def visible() -> bool:
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return found["ApproximateNumberOfMessages"] == "1"

    assert wait_for(visible)  # the visibility timeout ran out
    answer = sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    # Once another receive has the message, the old receipt no longer changes anything.
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_a_bare_queue_name_serves_as_the_queue_url(sqs, queue, queue_name) -> None:
    sent = sqs.send_message(QueueUrl=queue_name, MessageBody="by name")
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    found = sqs.get_queue_attributes(QueueUrl=queue_name, AttributeNames=["QueueArn"])
    assert found["Attributes"]["QueueArn"].endswith(":" + queue_name)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=queue_name + "-none", MessageBody="m")


@pytest.mark.parametrize(
    ("group_id", "shown"),
    [("", ""), ("a" * 129, "a" * 129), ("group 123", "group 123")],
    ids=["empty", "too-long", "space"],
)
def test_a_standard_queue_checks_message_group_ids(sqs, queue, group_id, shown) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="m", MessageGroupId=group_id)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        f"Value {shown} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
        "include alphanumeric and punctuation characters. 1 to 128 in length.",
    )
    # A well-formed one is taken (SQS's fair queues).
    assert sqs.send_message(QueueUrl=queue, MessageBody="m", MessageGroupId="tenant-1")


def test_fifo_attributes_of_standard_queues_are_refused(sqs, queue, queue_name) -> None:
    cases = [
        ({"FifoQueue": "false"}, "Unknown Attribute FifoQueue."),
        ({"ContentBasedDeduplication": "false"}, "Unknown Attribute ContentBasedDeduplication."),
        (
            {"DeduplicationScope": "queue"},
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
        (
            {"FifoThroughputLimit": "perQueue"},
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
        ),
    ]
    for attributes, message in cases:
        with pytest.raises(ClientError) as excinfo:
            sqs.create_queue(QueueName=queue_name + "-other", Attributes=attributes)
        assert error_of(excinfo) == ("InvalidAttributeName", message)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=queue_name + "-other")
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"FifoQueue": "true"})
    assert error_of(excinfo) == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")


def test_a_fifo_queue_keeps_its_type_and_high_throughput_pairs(sqs, queue_name) -> None:
    url = sqs.create_queue(QueueName=queue_name + ".fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})  # what it is
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert error_of(excinfo) == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )
    # perMessageGroupId only with DeduplicationScope=messageGroup (SQS's attribute docs).
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"FifoThroughputLimit": "perMessageGroupId"}
        )
    assert error_of(excinfo)[0] == "InvalidAttributeValue"
    with pytest.raises(ClientError):
        sqs.create_queue(
            QueueName=queue_name + "-2.fifo",
            Attributes={"FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId"},
        )
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        },
    )
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert found["DeduplicationScope"] == "messageGroup"
    assert found["FifoThroughputLimit"] == "perMessageGroupId"


def test_range_and_batch_size_errors_in_sqs_s_words(sqs, queue) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=21)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
        "provided.",
    )
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}
    body = "a" * (1_048_576 - len("k") - len("String") - len("x"))
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[
                {"Id": "1", "MessageBody": body, "MessageAttributes": attributes},
                {"Id": "2", "MessageBody": "a"},
            ],
        )
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.",
    )
