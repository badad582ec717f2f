"""The queue service in process, on a stopped clock: ordering, visibility, FIFO groups and
deduplication, retention, redrive, long polling, what the store keeps, and the `sqs` sender
of Destinations."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest

from overcast.delivery import Delivery, DeliveryFailed
from overcast.services.sqs.broker import Broker, Outgoing
from overcast.services.sqs.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValueException,
    QueueDoesNotExist,
    QueueNameExists,
    ReceiptHandleIsInvalid,
)
from overcast.services.sqs.message import attributes_md5
from overcast.services.sqs.registry import QueueRegistry
from overcast.services.sqs.store import SqliteQueueStore
from overcast.types import ServicePrincipal

ACCOUNT = "000000000000"
REGION = "us-east-1"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Service:
    """A registry and broker over a store in `path` (reopened to see what was kept)."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.store = SqliteQueueStore(path)
        self.registry = QueueRegistry(self.store, ACCOUNT, clock)
        self.broker = Broker(self.registry, self.store, clock)
        self.broker.load()

    def create(self, name: str, **attributes: str):
        return self.registry.create(REGION, name, attributes, {})[0]

    def send(self, queue, body: str, **fields):
        return self.broker.send(queue, Outgoing(body=body, attributes={}, sender_id="me", **fields))

    def take(self, queue, limit: int = 10, visibility: int | None = None) -> list:
        return self.broker.take(queue, limit, visibility)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> Service:
    return Service(tmp_path / "queues.db", clock)


def bodies(received) -> list[str]:
    return [r.message.body for r in received]


def test_standard_queue_hands_out_oldest_first_and_hides_what_it_hands_out(service, clock):
    queue = service.create("q", VisibilityTimeout="30")
    for body in ("a", "b", "c"):
        service.send(queue, body)
    assert bodies(service.take(queue, 2)) == ["a", "b"]
    assert bodies(service.take(queue)) == ["c"]
    assert service.take(queue) == []
    clock.now += 30
    again = service.take(queue)
    assert bodies(again) == ["a", "b", "c"]
    assert [r.message.receive_count for r in again] == [2, 2, 2]


def test_delete_and_visibility_by_receipt_handle(service, clock):
    queue = service.create("q")
    service.send(queue, "a")
    (first,) = service.take(queue, visibility=10)
    assert service.broker.change_visibility(queue, [(first.handle, 0)]) == [None]
    (second,) = service.take(queue)
    # The first receipt is stale now: deleting with it deletes nothing, changing fails.
    assert service.broker.delete(queue, [first.handle]) == [None]
    assert "a" in [m.body for m in queue.messages.values()]
    (error,) = service.broker.change_visibility(queue, [(first.handle, 5)])
    assert isinstance(error, InvalidParameterValueException) and "not available" in error.message
    assert service.broker.delete(queue, [second.handle]) == [None]
    assert queue.messages == {}
    assert service.broker.delete(queue, [second.handle]) == [None]  # deleted already: fine
    (bad,) = service.broker.delete(queue, ["not-a-handle"])
    assert isinstance(bad, ReceiptHandleIsInvalid)


def test_delay_hides_a_message_until_it_is_due(service, clock):
    queue = service.create("q", DelaySeconds="5")
    service.send(queue, "late")
    service.send(queue, "later", delay_s=10)
    assert service.take(queue) == []
    assert queue.counts(int(clock.now * 1000)) == (0, 0, 2)
    clock.now += 5
    assert bodies(service.take(queue)) == ["late"]
    clock.now += 5
    assert bodies(service.take(queue)) == ["later"]


def test_fifo_group_order_and_one_batch_in_flight_per_group(service, clock):
    queue = service.create("q.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for body in ("a1", "a2", "a3"):
        service.send(queue, body, group_id="a")
    service.send(queue, "b1", group_id="b")
    assert bodies(service.take(queue, 2)) == ["a1", "a2"]
    # Group a has messages in flight: only group b is handed out meanwhile.
    assert bodies(service.take(queue)) == ["b1"]
    assert service.take(queue) == []
    clock.now += 30
    assert bodies(service.take(queue)) == ["a1", "a2", "a3", "b1"]


def test_fifo_deduplication_within_five_minutes(service, clock):
    queue = service.create("q.fifo", FifoQueue="true")
    first = service.send(queue, "x", group_id="g", dedup_id="d1")
    again = service.send(queue, "x", group_id="g", dedup_id="d1")
    assert again.id == first.id and len(queue.messages) == 1
    clock.now += 5 * 60
    assert service.send(queue, "x", group_id="g", dedup_id="d1").id != first.id
    with pytest.raises(InvalidParameterValueException, match="ContentBasedDeduplication"):
        service.send(queue, "y", group_id="g")
    with pytest.raises(InvalidParameterValueException, match="DelaySeconds"):
        service.send(queue, "y", group_id="g", dedup_id="d2", delay_s=1)


def test_messages_past_retention_are_dropped(service, clock):
    queue = service.create("q", MessageRetentionPeriod="60")
    service.send(queue, "old")
    clock.now += 61
    assert service.take(queue) == [] and queue.messages == {}


def test_redrive_after_max_receive_count(service, clock):
    dead = service.create("dead")
    policy = json.dumps({"deadLetterTargetArn": dead.arn, "maxReceiveCount": 2})
    queue = service.create("q", VisibilityTimeout="0", RedrivePolicy=policy)
    service.send(queue, "poison")
    assert bodies(service.take(queue)) == ["poison"]
    assert bodies(service.take(queue)) == ["poison"]
    assert service.take(queue) == []  # a third receive moves it instead
    (moved,) = service.take(dead)
    attributes = moved.message.system_attributes()
    assert attributes["DeadLetterQueueSourceArn"] == queue.arn
    assert attributes["ApproximateReceiveCount"] == "1"
    assert service.registry.dead_letter_sources(dead) == [queue]


def test_what_is_acknowledged_is_kept(tmp_path, clock):
    first = Service(tmp_path / "queues.db", clock)
    queue = first.create("q", VisibilityTimeout="60")
    for body in ("a", "b", "c"):
        first.send(queue, body, hops=3)
    (received,) = first.take(queue, 1)
    first.broker.delete(queue, [first.take(queue, 1)[0].handle])
    again = Service(tmp_path / "queues.db", clock)
    queue = again.registry.get(REGION, "q")
    assert sorted(m.body for m in queue.messages.values()) == ["a", "c"]
    assert queue.counts(int(clock.now * 1000)) == (1, 1, 0)
    assert bodies(again.take(queue)) == ["c"]
    assert queue.messages[received.message.id].hops == 3
    # The receipt handed out before the restart still deletes its message.
    assert again.broker.delete(queue, [received.handle]) == [None]
    assert received.message.id not in queue.messages


def test_long_polling_answers_as_soon_as_a_message_arrives(service):
    queue = service.create("q")

    async def scenario() -> list:
        waiting = asyncio.ensure_future(service.broker.receive(queue, 1, wait_s=None))
        await asyncio.sleep(0)
        assert not waiting.done()
        service.broker.start()
        service.send(queue, "now")
        return await asyncio.wait_for(waiting, 5)

    assert bodies(asyncio.run(scenario())) == ["now"]


def test_queue_attributes_are_checked(service):
    with pytest.raises(InvalidAttributeValue, match="VisibilityTimeout"):
        service.create("q", VisibilityTimeout="43201")
    with pytest.raises(InvalidAttributeName, match="Unknown Attribute Nope"):
        service.create("q", Nope="1")
    with pytest.raises(InvalidAttributeName):
        service.create("q", ContentBasedDeduplication="true")  # FIFO only
    with pytest.raises(InvalidParameterValueException, match="QueueName"):
        service.create("bad name")
    with pytest.raises(InvalidParameterValueException, match=".fifo suffix"):
        service.create("q", FifoQueue="true")
    with pytest.raises(InvalidParameterValueException, match="Dead letter target does not exist"):
        missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:none"
        policy = json.dumps({"deadLetterTargetArn": missing, "maxReceiveCount": 3})
        service.create("q", RedrivePolicy=policy)
    queue = service.create("q", VisibilityTimeout="10")
    assert service.create("q", VisibilityTimeout="10") is queue  # CreateQueue is idempotent
    with pytest.raises(QueueNameExists, match="VisibilityTimeout"):
        service.create("q", VisibilityTimeout="11")
    service.broker.delete_queue(queue)
    with pytest.raises(QueueDoesNotExist):
        service.registry.get(REGION, "q")


def test_message_attribute_digest_matches_sqs():
    # The digest AWS answers for this attribute (a vector SDK test suites pin).
    attributes = {"timestamp": {"DataType": "Number", "StringValue": "1493147359900"}}
    assert attributes_md5(attributes) == "235c5c510d26fb653d073faed50ae77c"


def test_the_sqs_sender_keeps_typed_attributes_and_fifo_ids(service):
    attributes = {
        "n": {"DataType": "Number", "StringValue": "7"},
        "b": {"DataType": "Binary.gz", "BinaryValue": b"\x1f\x8b"},
        "s": {"DataType": "String", "StringValue": "text"},
    }
    queue = service.create("q")
    service.broker.deliver(Delivery(queue.arn, b"body", 2, attributes, group_id="g"))
    (received,) = service.take(queue)
    assert received.message.attributes == attributes and received.message.hops == 2
    assert received.message.group_id is None  # a standard queue has no groups

    fifo = service.create("q.fifo", FifoQueue="true")
    for group, dedup in (("g-1", "d-1"), ("g-2", "d-2"), ("g-1", "d-1")):
        service.broker.deliver(
            Delivery(fifo.arn, b"same", 0, group_id=group, deduplication_id=dedup)
        )
    service.broker.deliver(Delivery(fifo.arn, b"a record", 0))  # from Lambda: no ids
    taken = [r.message for r in service.take(fifo)]
    assert [(m.group_id, m.dedup_id) for m in taken] == [
        ("g-1", "d-1"),
        ("g-2", "d-2"),
        ("lambda", hashlib.sha256(b"a record").hexdigest()),
    ]


def test_the_sqs_sender_raises_what_sqs_would_refuse(service):
    with pytest.raises(DeliveryFailed) as missing:
        service.broker.deliver(Delivery(f"arn:aws:sqs:{REGION}:{ACCOUNT}:none", b"x", 0))
    assert missing.value.missing
    queue = service.create("q")
    too_many = {f"a{n}": {"DataType": "String", "StringValue": "v"} for n in range(11)}
    with pytest.raises(DeliveryFailed, match="exceeds the allowed maximum") as refused:
        service.broker.deliver(Delivery(queue.arn, b"x", 0, too_many))
    assert not refused.value.missing
    assert service.take(queue) == []  # nothing kept


def test_a_service_sends_only_what_the_queue_policy_allows(service):
    """SNS, EventBridge and S3 send as service principals for their topic, rule or bucket:
    the queue's policy must allow sqs:SendMessage to that principal and source."""
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:t"
    sns = ServicePrincipal("sns.amazonaws.com", topic, ACCOUNT)
    queue = service.create("q")
    with pytest.raises(DeliveryFailed) as refused:
        service.broker.deliver(Delivery(queue.arn, b"x", 0, sender=sns))
    assert refused.value.denied and not refused.value.missing
    assert refused.value.message == (
        f"User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: "
        f"{queue.arn} because no resource-based policy allows the sqs:SendMessage action"
    )
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "SQS:SendMessage",
        "Resource": queue.arn,
        "Condition": {"ArnLike": {"aws:SourceArn": topic}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    service.registry.set_attributes(queue, {"Policy": policy})
    other = ServicePrincipal("sns.amazonaws.com", topic + "-other", ACCOUNT)
    events = ServicePrincipal("events.amazonaws.com", topic, ACCOUNT)
    for refused_sender in (other, events):
        with pytest.raises(DeliveryFailed):
            service.broker.deliver(Delivery(queue.arn, b"x", 0, sender=refused_sender))
    assert service.take(queue) == []  # nothing kept
    service.broker.deliver(Delivery(queue.arn, b"allowed", 0, sender=sns))
    service.broker.deliver(Delivery(queue.arn, b"a record", 0))  # Lambda's own: no policy asked
    assert sorted(bodies(service.take(queue))) == ["a record", "allowed"]


def test_fifo_groups_come_back_in_the_order_they_became_visible(service, clock):
    queue = service.create("q.fifo", FifoQueue="true", VisibilityTimeout="1")
    for body, group in (("g1-m1", "g1"), ("g1-m2", "g1"), ("g1-m3", "g1"), ("g1-m4", "g1")):
        service.send(queue, body, group_id=group, dedup_id=body)
    service.send(queue, "g2-m1", group_id="g2", dedup_id="g2-m1")
    service.send(queue, "g3-m1", group_id="g3", dedup_id="g3-m1")
    assert bodies(service.take(queue, 2)) == ["g1-m1", "g1-m2"]
    assert bodies(service.take(queue, 1)) == ["g2-m1"]
    clock.now += 2
    # As recorded on AWS: g3 waited longest; g1 became visible again before g2 did.
    assert bodies(service.take(queue, 10, visibility=0)) == [
        "g3-m1",
        "g1-m1",
        "g1-m2",
        "g1-m3",
        "g1-m4",
        "g2-m1",
    ]


@pytest.mark.parametrize(("extended", "expected"), [(0, []), (1, ["foo"]), (2, ["foo", "bar"])])
def test_fifo_group_run_stops_at_a_message_still_in_flight(service, clock, extended, expected):
    queue = service.create("q.fifo", FifoQueue="true", VisibilityTimeout="1")
    for body in ("foo", "bar", "baz"):
        service.send(queue, body, group_id="1", dedup_id=body)
    received = service.take(queue, 5)
    assert service.broker.change_visibility(queue, [(received[extended].handle, 4)]) == [None]
    clock.now += 2.5
    assert bodies(service.take(queue, 5)) == expected
