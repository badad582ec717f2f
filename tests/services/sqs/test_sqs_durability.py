"""What SQS acknowledged survives `kill -9`: sent messages, their receive state, queues and
event source mappings."""

from __future__ import annotations

import json

from sqs_harness import drain, mapping, queue_arn, records_of, wait_for

from support import deploy

RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""


def test_acknowledged_messages_survive_kill_9(tmp_path, launch, function_name) -> None:
    data_dir = tmp_path / "data"
    first = launch(data_dir)
    sqs = first.client("sqs")
    url = sqs.create_queue(QueueName="kept", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    for start in range(0, 100, 10):
        sent = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)],
        )
        assert len(sent["Successful"]) == 10
    # One message in flight (hidden for 5 minutes), one deleted, before the kill.
    hidden, deleted = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=deleted["ReceiptHandle"])
    lambda_client = first.client("lambda")
    deploy(lambda_client, function_name, RECORDER)
    other = sqs.create_queue(QueueName="mapped")["QueueUrl"]
    uuid = mapping(lambda_client, function_name, queue_arn(sqs, other), Enabled=False)
    first.process.kill()  # SIGKILL: no shutdown code runs
    first.process.wait()

    second = launch(data_dir)
    sqs = second.client("sqs")
    assert sqs.get_queue_url(QueueName="kept")["QueueUrl"] == url.replace(
        first.endpoint, second.endpoint
    )
    url = sqs.get_queue_url(QueueName="kept")["QueueUrl"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "98"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    bodies = {m["Body"] for m in drain(sqs, url, 98)}
    assert bodies == {f"m{i}" for i in range(100)} - {hidden["Body"], deleted["Body"]}
    # The receipt handed out before the kill still deletes its message.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=hidden["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"

    # The mapping is kept too, and polls once enabled.
    lambda_client = second.client("lambda")
    assert lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    other = sqs.get_queue_url(QueueName="mapped")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="after the kill")
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)
    records = wait_for(lambda: records_of(second, function_name))
    assert [r["body"] for r in records] == ["after the kill"]


def test_a_message_move_task_survives_kill_9(tmp_path, launch) -> None:
    data_dir = tmp_path / "data"
    first = launch(data_dir)
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

    def moved() -> int:
        return sqs.list_message_move_tasks(SourceArn=dead_arn)["Results"][0][
            "ApproximateNumberOfMessagesMoved"
        ]

    assert wait_for(lambda: moved() >= 1)
    first.process.kill()  # SIGKILL in the middle of the task
    first.process.wait()

    second = launch(data_dir)
    sqs = second.client("sqs")
    source, dead = (sqs.get_queue_url(QueueName=n)["QueueUrl"] for n in ("source", "dead"))
    done = wait_for(
        lambda: (
            sqs.list_message_move_tasks(SourceArn=dead_arn)["Results"][0]["Status"] == "COMPLETED"
        )
    )
    assert done, "the task did not resume"
    assert moved() == 6
    assert {m["Body"] for m in drain(sqs, source, 6)} == bodies  # each once, none lost
    for url in (source, dead):  # and nothing more anywhere
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert found["ApproximateNumberOfMessages"] == "0"
        assert found["ApproximateNumberOfMessagesNotVisible"] == "0"
