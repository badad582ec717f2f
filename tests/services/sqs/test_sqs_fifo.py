"""FIFO queues through boto3 against a real server: deduplication per queue or per message
group, PurgeQueue forgetting deduplication ids, and the order in which message groups come
back after visibility changes, as SQS's recorded answers show them."""

from __future__ import annotations

import pytest


@pytest.fixture
def fifo(sqs, queue_name: str):
    """Make a FIFO queue with the given attributes; returns its URL."""

    def create(**attributes: str) -> str:
        return sqs.create_queue(
            QueueName=queue_name + ".fifo", Attributes={"FifoQueue": "true", **attributes}
        )["QueueUrl"]

    return create


def send(sqs, url: str, body: str, group: str, dedup: str | None = None) -> dict:
    extra = {"MessageDeduplicationId": dedup} if dedup else {}
    return sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **extra)


def bodies(sqs, url: str, limit: int = 10, **options) -> list[str]:
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=limit, **options)
    return [m["Body"] for m in answer.get("Messages", [])]


def test_message_group_scope_deduplicates_within_each_group(sqs, fifo) -> None:
    url = fifo(DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
    first = send(sqs, url, "one", "group-1", "same")
    other = send(sqs, url, "two", "group-2", "same")  # another group: not a duplicate
    again = send(sqs, url, "three", "group-1", "same")  # same group: a duplicate
    assert other["MessageId"] != first["MessageId"]
    assert again["MessageId"] == first["MessageId"]
    assert bodies(sqs, url) == ["one", "two"]


def test_message_group_scope_applies_to_content_based_ids_too(sqs, fifo) -> None:
    # As recorded on AWS: the scope holds without FifoThroughputLimit=perMessageGroupId.
    url = fifo(DeduplicationScope="messageGroup", ContentBasedDeduplication="true")
    send(sqs, url, "same body", "group-1")
    send(sqs, url, "same body", "group-2")
    assert bodies(sqs, url) == ["same body", "same body"]


def test_queue_scope_deduplicates_across_groups(sqs, fifo) -> None:
    url = fifo()
    first = send(sqs, url, "one", "group-1", "same")
    assert send(sqs, url, "two", "group-2", "same")["MessageId"] == first["MessageId"]
    assert bodies(sqs, url) == ["one"]


def test_purge_queue_forgets_deduplication_ids(sqs, fifo) -> None:
    url = fifo()
    first = send(sqs, url, "before", "g", "same")
    sqs.purge_queue(QueueUrl=url)
    after = send(sqs, url, "after", "g", "same")
    assert after["MessageId"] != first["MessageId"]
    assert bodies(sqs, url) == ["after"]


def test_a_group_returns_when_its_first_message_is_visible_again(sqs, fifo) -> None:
    url = fifo(ContentBasedDeduplication="true", VisibilityTimeout="30")
    for body, group in (("g1-m1", "g1"), ("g1-m2", "g1"), ("g2-m1", "g2")):
        send(sqs, url, body, group)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in received] == ["g1-m1", "g1-m2"]
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"], VisibilityTimeout=0
    )
    # g1-m1 is visible again (g1-m2 still in flight): its group is handed out again, up to
    # the message in flight, after the group that waited longer.
    assert bodies(sqs, url, 3) == ["g2-m1", "g1-m1"]


def test_groups_received_go_behind_groups_that_waited(sqs, fifo) -> None:
    url = fifo(ContentBasedDeduplication="true")
    for body, group in (
        ("g1-m1", "g1"),
        ("g2-m1", "g2"),
        ("g2-m2", "g2"),
        ("g3-m1", "g3"),
        ("g1-m2", "g1"),
    ):
        send(sqs, url, body, group)
    assert bodies(sqs, url, 3, VisibilityTimeout=0) == ["g1-m1", "g1-m2", "g2-m1"]
    assert bodies(sqs, url, 10, VisibilityTimeout=0) == [
        "g3-m1",
        "g1-m1",
        "g1-m2",
        "g2-m1",
        "g2-m2",
    ]


INTERLEAVED = (
    ("g1-m1", "g1"),
    ("g2-m1", "g2"),
    ("g1-m2", "g1"),
    ("g2-m2", "g2"),
    ("g1-m3", "g1"),
    ("g1-m4", "g1"),
    ("g3-m1", "g3"),
)


def test_a_group_stays_hidden_while_its_first_message_is_in_flight(sqs, fifo) -> None:
    url = fifo(ContentBasedDeduplication="true")
    for body, group in INTERLEAVED:
        send(sqs, url, body, group)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in received] == ["g1-m1", "g1-m2"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    assert bodies(sqs, url, 10) == ["g2-m1", "g2-m2", "g3-m1"]


def test_a_group_keeps_its_place_once_its_messages_in_flight_are_deleted(sqs, fifo) -> None:
    url = fifo(ContentBasedDeduplication="true")
    for body, group in INTERLEAVED:
        send(sqs, url, body, group)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    for message in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    # g1's first message now is g1-m3, queued before g3-m1 (the order recorded on AWS).
    assert bodies(sqs, url, 10) == ["g2-m1", "g2-m2", "g1-m3", "g1-m4", "g3-m1"]
