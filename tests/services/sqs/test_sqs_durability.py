"""What SQS acknowledged survives `kill -9`: sent messages, their receive state, queues, event
source mappings and message move tasks. One kill serves the module: each scenario acts on the
first server, which is then killed, and its test checks the server started after it over the
same data dir (the scenarios use queues of their own)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqs_harness import drain, mapping, queue_arn, records_of, wait_for

from support import RunningServer, deploy, start_server

RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""


@dataclass(frozen=True)
class Messages:
    """Queue "kept": 100 sent, `hidden` in flight for 5 minutes, `deleted` gone; a disabled
    mapping from queue "mapped" to `function_name`."""

    url: str  # on the first server
    hidden: dict
    deleted: dict
    mapping_uuid: str
    function_name: str


@dataclass(frozen=True)
class MoveTask:
    """A task moving `bodies` from queue "dead" back to "source", killed in its middle."""

    dead_arn: str
    bodies: set[str]


@dataclass(frozen=True)
class AfterKill:
    first_endpoint: str
    second: RunningServer
    messages: Messages
    move: MoveTask


def send_messages(first: RunningServer) -> Messages:
    sqs = first.client("sqs")
    url = sqs.create_queue(QueueName="kept", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    for start in range(0, 100, 10):
        sent = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)],
        )
        assert len(sent["Successful"]) == 10
    hidden, deleted = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=deleted["ReceiptHandle"])
    lambda_client = first.client("lambda")
    function_name = f"durable-{uuid.uuid4().hex[:8]}"
    deploy(lambda_client, function_name, RECORDER)
    other = sqs.create_queue(QueueName="mapped")["QueueUrl"]
    uuid_ = mapping(lambda_client, function_name, queue_arn(sqs, other), Enabled=False)
    return Messages(url, hidden, deleted, uuid_, function_name)


def moved(sqs, dead_arn: str) -> int:
    return sqs.list_message_move_tasks(SourceArn=dead_arn)["Results"][0][
        "ApproximateNumberOfMessagesMoved"
    ]


def start_a_move_task(first: RunningServer) -> MoveTask:
    sqs = first.client("sqs")
    dead = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dead_arn = queue_arn(sqs, dead)
    policy = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 1})
    source = sqs.create_queue(QueueName="source", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    bodies = {f"m{i}" for i in range(6)}
    for body in sorted(bodies):
        sqs.send_message(QueueUrl=source, MessageBody=body)
    sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # all moved to "dead"
    sqs.start_message_move_task(SourceArn=dead_arn, MaxNumberOfMessagesPerSecond=2)
    assert wait_for(lambda: moved(sqs, dead_arn) >= 1)
    return MoveTask(dead_arn, bodies)


@pytest.fixture(scope="module")
def after_kill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AfterKill]:
    data_dir = tmp_path_factory.mktemp("sqs-kill-9") / "data"
    first = start_server(data_dir, "--keep-alive", "30")
    try:
        messages = send_messages(first)
        move = start_a_move_task(first)  # last: the kill comes in the middle of the task
    finally:
        first.process.kill()  # SIGKILL: no shutdown code runs
        first.process.wait()
    second = start_server(data_dir, "--keep-alive", "30")
    yield AfterKill(first.endpoint, second, messages, move)
    second.stop()


def test_acknowledged_messages_survive_kill_9(after_kill: AfterKill) -> None:
    second, kept = after_kill.second, after_kill.messages
    sqs = second.client("sqs")
    url = sqs.get_queue_url(QueueName="kept")["QueueUrl"]
    assert url == kept.url.replace(after_kill.first_endpoint, second.endpoint)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "98"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    bodies = {m["Body"] for m in drain(sqs, url, 98)}
    assert bodies == {f"m{i}" for i in range(100)} - {kept.hidden["Body"], kept.deleted["Body"]}
    # The receipt handed out before the kill still deletes its message.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=kept.hidden["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"

    # The mapping is kept too, and polls once enabled.
    lambda_client = second.client("lambda")
    assert lambda_client.get_event_source_mapping(UUID=kept.mapping_uuid)["State"] == "Disabled"
    other = sqs.get_queue_url(QueueName="mapped")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="after the kill")
    lambda_client.update_event_source_mapping(UUID=kept.mapping_uuid, Enabled=True)
    records = wait_for(lambda: records_of(second, kept.function_name))
    assert [r["body"] for r in records] == ["after the kill"]


def test_a_message_move_task_survives_kill_9(after_kill: AfterKill) -> None:
    sqs, task = after_kill.second.client("sqs"), after_kill.move
    source, dead = (sqs.get_queue_url(QueueName=n)["QueueUrl"] for n in ("source", "dead"))
    done = wait_for(
        lambda: (
            sqs.list_message_move_tasks(SourceArn=task.dead_arn)["Results"][0]["Status"]
            == "COMPLETED"
        )
    )
    assert done, "the task did not resume"
    assert moved(sqs, task.dead_arn) == 6
    assert {m["Body"] for m in drain(sqs, source, 6)} == task.bodies  # each once, none lost
    for url in (source, dead):  # and nothing more anywhere
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert found["ApproximateNumberOfMessages"] == "0"
        assert found["ApproximateNumberOfMessagesNotVisible"] == "0"
