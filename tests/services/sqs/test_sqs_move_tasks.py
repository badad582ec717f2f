"""Dead-letter queue redrive through boto3 against a real server: StartMessageMoveTask back to
the messages' own queues or to a destination, ListMessageMoveTasks, CancelMessageMoveTask, and
their errors in SQS's recorded words."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError
from sqs_harness import drain, queue_arn, wait_for


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    error = response["Error"]
    return error["Code"], error["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def source_of(sqs, name: str, dead_letter_url: str) -> str:
    """A queue whose messages go to the dead-letter queue after one receive."""
    policy = {"deadLetterTargetArn": queue_arn(sqs, dead_letter_url), "maxReceiveCount": 1}
    return sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps(policy)})[
        "QueueUrl"
    ]


def into_dead_letters(sqs, url: str, bodies: list[str]) -> None:
    """Send messages and receive them once: the next receive moves them to the dead letters."""
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    while sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
        "Messages"
    ):
        pass


def latest(sqs, arn: str) -> dict:
    return sqs.list_message_move_tasks(SourceArn=arn)["Results"][0]


def finished(sqs, arn: str) -> dict:
    found = wait_for(lambda: latest(sqs, arn)["Status"] != "RUNNING" and latest(sqs, arn))
    assert found, "the task did not finish"
    return found


def depth(sqs, url: str) -> int:
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(found["ApproximateNumberOfMessages"]) + int(
        found["ApproximateNumberOfMessagesNotVisible"]
    )


def test_redrive_back_to_each_message_s_own_queue(sqs, queue, queue_name) -> None:
    dead_arn = queue_arn(sqs, queue)
    first = source_of(sqs, queue_name + "-a", queue)
    second = source_of(sqs, queue_name + "-b", queue)
    into_dead_letters(sqs, first, ["a1", "a2"])
    into_dead_letters(sqs, second, ["b1", "b2"])
    dead_ids = {m["MessageId"] for m in sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]}  # fmt: skip
    assert len(dead_ids) == 4

    handle = sqs.start_message_move_task(SourceArn=dead_arn)["TaskHandle"]
    assert json.loads(base64.b64decode(handle))["sourceArn"] == dead_arn
    task = finished(sqs, dead_arn)
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 4
    assert task["ApproximateNumberOfMessagesToMove"] == 4
    assert isinstance(task["StartedTimestamp"], int)
    for absent in ("TaskHandle", "DestinationArn", "MaxNumberOfMessagesPerSecond"):
        assert absent not in task
    assert depth(sqs, queue) == 0
    for url, expected in ((first, {"a1", "a2"}), (second, {"b1", "b2"})):
        messages = drain(sqs, url, 2)
        assert {m["Body"] for m in messages} == expected
        for message in messages:  # new messages: new ids, received once, no dead-letter source
            assert message["MessageId"] not in dead_ids
            assert message["Attributes"]["ApproximateReceiveCount"] == "1"
            assert "DeadLetterQueueSourceArn" not in message["Attributes"]


def test_redrive_to_a_destination_queue(sqs, queue, queue_name) -> None:
    dead_arn = queue_arn(sqs, queue)
    into_dead_letters(sqs, source_of(sqs, queue_name + "-src", queue), ["one", "two"])
    target = sqs.create_queue(QueueName=queue_name + "-dst")["QueueUrl"]
    sqs.start_message_move_task(SourceArn=dead_arn, DestinationArn=queue_arn(sqs, target))
    task = finished(sqs, dead_arn)
    assert task["Status"] == "COMPLETED" and task["DestinationArn"] == queue_arn(sqs, target)
    assert {m["Body"] for m in drain(sqs, target, 2)} == {"one", "two"}


def test_a_running_task_lists_its_handle_and_can_be_cancelled(sqs, queue, queue_name) -> None:
    dead_arn = queue_arn(sqs, queue)
    into_dead_letters(sqs, source_of(sqs, queue_name + "-src", queue), [f"m{i}" for i in range(10)])
    target = sqs.create_queue(QueueName=queue_name + "-dst")["QueueUrl"]
    target_arn = queue_arn(sqs, target)
    handle = sqs.start_message_move_task(
        SourceArn=dead_arn, DestinationArn=target_arn, MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dead_arn, DestinationArn=target_arn)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source queue "
        "arn at a given time.",
        400,
    )
    running = wait_for(lambda: latest(sqs, dead_arn)["ApproximateNumberOfMessagesMoved"] >= 1)
    assert running
    task = latest(sqs, dead_arn)
    assert task["Status"] == "RUNNING" and task["TaskHandle"] == handle
    assert task["MaxNumberOfMessagesPerSecond"] == 1
    assert task["ApproximateNumberOfMessagesToMove"] == 10

    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    task = latest(sqs, dead_arn)
    assert task["Status"] == "CANCELLED" and "TaskHandle" not in task
    assert task["ApproximateNumberOfMessagesMoved"] == moved < 10
    # What moved stays moved; the rest stays in the dead-letter queue; nothing is lost.
    assert depth(sqs, target) == moved and depth(sqs, queue) == 10 - moved
    with pytest.raises(ClientError) as excinfo:  # no longer running
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    # Another task may start now; the list shows the most recent first.
    sqs.start_message_move_task(SourceArn=dead_arn, DestinationArn=target_arn)
    assert finished(sqs, dead_arn)["Status"] == "COMPLETED"
    statuses = [
        t["Status"]
        for t in sqs.list_message_move_tasks(SourceArn=dead_arn, MaxResults=10)["Results"]
    ]
    assert statuses == ["COMPLETED", "CANCELLED"]
    assert depth(sqs, target) == 10


def test_a_task_fails_when_its_destination_is_gone(sqs, queue, queue_name) -> None:
    dead_arn = queue_arn(sqs, queue)
    into_dead_letters(sqs, source_of(sqs, queue_name + "-src", queue), ["a", "b", "c"])
    target = sqs.create_queue(QueueName=queue_name + "-dst")["QueueUrl"]
    sqs.start_message_move_task(
        SourceArn=dead_arn, DestinationArn=queue_arn(sqs, target), MaxNumberOfMessagesPerSecond=1
    )
    sqs.delete_queue(QueueUrl=target)
    task = finished(sqs, dead_arn)
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert depth(sqs, queue) == 3 - task["ApproximateNumberOfMessagesMoved"] > 0


def test_move_task_errors(sqs, queue, queue_name) -> None:
    dead_arn = queue_arn(sqs, queue)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dead_arn)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
        400,
    )
    source_of(sqs, queue_name + "-src", queue)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dead_arn, DestinationArn=dead_arn + "-none")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
        404,
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dead_arn, MaxNumberOfMessagesPerSecond=501)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle="foobared")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value for parameter TaskHandle is invalid.",
        400,
    )

    def handle(task_id: str, source_arn: str) -> str:
        document = json.dumps({"taskId": task_id, "sourceArn": source_arn})
        return base64.b64encode(document.encode()).decode()

    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as excinfo:
        sqs.cancel_message_move_task(TaskHandle=handle("10f57157", dead_arn + "-none"))
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The resource that you specified for the SourceArn parameter doesn't exist.",
        404,
    )
    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as excinfo:
        sqs.cancel_message_move_task(TaskHandle=handle("10f57157", dead_arn))
    assert error_of(excinfo) == ("ResourceNotFoundException", "Task does not exist.", 404)
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.list_message_move_tasks(SourceArn=dead_arn + "-none")
    with pytest.raises(ClientError) as excinfo:
        sqs.list_message_move_tasks(SourceArn=dead_arn, MaxResults=11)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    assert sqs.list_message_move_tasks(SourceArn=dead_arn)["Results"] == []
