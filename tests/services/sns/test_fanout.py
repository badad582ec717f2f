"""Deliveries in-process: HTTP/S confirmation and notifications, retries, dead-letter queues,
and deliveries resumed from the store after a restart."""

from __future__ import annotations

import asyncio
import json

from topics_world import (
    DEAD_LETTERS,
    FUNCTION,
    QUEUE,
    URLS,
    StubQueue,
    StubResolver,
    StubWeb,
    World,
)

from overcast.delivery import Delivery as Handover
from overcast.delivery import DeliveryFailed, Destinations
from overcast.services.sns.fanout import RETRIES, Fanout
from overcast.services.sns.publisher import Publisher
from overcast.services.sns.registry import Registry
from support import StubPermissions


def confirmed_web_subscription(world: World, topic: str, **attributes: str) -> str:
    pending = world.subscriptions.subscribe(topic, "http", "http://hook.test/in", attributes)
    assert pending == "pending confirmation"
    world.settle()
    _, body, headers = world.web.posts.pop()
    confirmation = json.loads(body)
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    return world.subscriptions.confirm(topic, confirmation["Token"])


def test_an_http_endpoint_gets_notifications_once_it_confirms(world: World) -> None:
    topic = world.topics.create("us-east-1", "orders")
    world.publisher.publish({"TopicArn": topic, "Message": "before"})
    arn = confirmed_web_subscription(world, topic)
    assert world.subscriptions.attributes(arn)["PendingConfirmation"] == "false"
    published = world.publisher.publish({"TopicArn": topic, "Message": "after", "Subject": "s"})
    world.settle()
    [(url, body, headers)] = world.web.posts
    assert url == "http://hook.test/in"
    assert headers["x-amz-sns-message-id"] == published["MessageId"]
    assert headers["x-amz-sns-subscription-arn"] == arn
    notification = json.loads(body)
    assert (notification["Type"], notification["Message"], notification["Subject"]) == (
        "Notification",
        "after",
        "s",
    )


def test_failed_posts_are_retried_then_go_to_the_dead_letter_queue(world: World) -> None:
    topic = world.topics.create("us-east-1", "orders")
    redrive = json.dumps({"deadLetterTargetArn": DEAD_LETTERS})
    confirmed_web_subscription(world, topic, RedrivePolicy=redrive)
    world.web.failures = RETRIES  # fails three times, then answers
    world.publisher.publish({"TopicArn": topic, "Message": "eventually"})
    world.settle()
    assert len(world.web.posts) == RETRIES + 1 and world.sent == []

    world.web.posts.clear()
    world.web.failures = RETRIES + 1  # never answers within the policy
    world.publisher.publish({"TopicArn": topic, "Message": "lost"})
    world.settle()
    assert len(world.web.posts) == RETRIES + 1
    [dead] = world.sent
    assert dead.arn == DEAD_LETTERS and json.loads(dead.body)["Message"] == "lost"


def test_a_missing_function_goes_to_the_dead_letter_queue_without_retries(world: World) -> None:
    # A deleted endpoint is a client-side error: SNS does not retry it.
    topic = world.topics.create("us-east-1", "orders")
    redrive = json.dumps({"deadLetterTargetArn": DEAD_LETTERS})
    nobody = FUNCTION.replace("subscriber", "nobody")
    world.subscriptions.subscribe(topic, "lambda", nobody, {"RedrivePolicy": redrive})
    world.publisher.publish({"TopicArn": topic, "Message": "x"})
    world.settle()
    assert world.queue.accepted == []
    [dead] = world.sent
    assert dead.arn == DEAD_LETTERS and json.loads(dead.body)["Message"] == "x"
    assert world.registry.store.deliveries() == []


class FlakyQueues:
    """The `sqs` sender: QUEUE fails with `failure` (the first `times` sends), others keep."""

    def __init__(self, world: World, failure: Exception, times: int = 1000) -> None:
        self.world, self.failure, self.times = world, failure, times
        self.attempts = 0
        world.fanout.destinations.register("sqs", self.send)

    def send(self, delivery: Handover) -> None:
        if delivery.arn == QUEUE and self.attempts < self.times:
            self.attempts += 1
            raise self.failure
        self.world.sent.append(delivery)


def test_a_queue_that_refuses_the_message_sends_it_to_the_dead_letter_queue(world: World) -> None:
    # The queue is gone, or refuses the message (more than 10 attributes, too large): a
    # client-side error, not retried.
    queues = FlakyQueues(world, DeliveryFailed("too many attributes"))
    topic = world.topics.create("us-east-1", "orders")
    redrive = json.dumps({"deadLetterTargetArn": DEAD_LETTERS})
    world.subscriptions.subscribe(topic, "sqs", QUEUE, {"RedrivePolicy": redrive})
    world.publisher.publish({"TopicArn": topic, "Message": "refused"})
    world.settle()
    assert queues.attempts == 1
    [dead] = world.sent
    assert dead.arn == DEAD_LETTERS and json.loads(dead.body)["Message"] == "refused"
    assert world.registry.store.deliveries() == []


def test_a_queue_that_fails_otherwise_is_retried(world: World) -> None:
    queues = FlakyQueues(world, RuntimeError("disk I/O error"), times=RETRIES)
    topic = world.topics.create("us-east-1", "orders")
    arn = world.subscriptions.subscribe(topic, "sqs", QUEUE)
    world.publisher.publish({"TopicArn": topic, "Message": "eventually"})
    world.settle()
    assert queues.attempts == RETRIES
    [delivered] = world.sent
    assert delivered.arn == QUEUE and json.loads(delivered.body)["Message"] == "eventually"

    world.sent.clear()
    queues.attempts, queues.times = 0, RETRIES + 1  # fails past the policy: dead letter
    redrive = json.dumps({"deadLetterTargetArn": DEAD_LETTERS})
    world.subscriptions.set_attribute(arn, "RedrivePolicy", redrive)
    world.publisher.publish({"TopicArn": topic, "Message": "lost"})
    world.settle()
    assert queues.attempts == RETRIES + 1
    [dead] = world.sent
    assert dead.arn == DEAD_LETTERS and json.loads(dead.body)["Message"] == "lost"


def test_fifo_topics_pass_group_and_deduplication_ids_to_queues(world: World) -> None:
    FlakyQueues(world, DeliveryFailed("gone", missing=True))
    topic = world.topics.create("us-east-1", "orders.fifo", {"FifoTopic": "true"})
    redrive = json.dumps({"deadLetterTargetArn": f"{DEAD_LETTERS}.fifo"})
    world.subscriptions.subscribe(topic, "sqs", f"{QUEUE}.fifo", {"RawMessageDelivery": "true"})
    world.subscriptions.subscribe(topic, "sqs", QUEUE, {"RedrivePolicy": redrive})
    world.publisher.publish(
        {
            "TopicArn": topic,
            "Message": "m",
            "MessageGroupId": "g-1",
            "MessageDeduplicationId": "d-1",
            "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "7"}},
        }
    )
    world.settle()
    by_queue = {d.arn: d for d in world.sent}
    assert sorted(by_queue) == [f"{DEAD_LETTERS}.fifo", f"{QUEUE}.fifo"]
    assert all((d.group_id, d.deduplication_id) == ("g-1", "d-1") for d in world.sent)
    assert by_queue[f"{QUEUE}.fifo"].attributes == {"n": {"DataType": "Number", "StringValue": "7"}}


def test_queues_without_a_queue_service_count_as_failures(world: World) -> None:
    topic = world.topics.create("us-east-1", "orders")
    world.subscriptions.subscribe(topic, "sqs", QUEUE)
    world.fanout.destinations = Destinations()  # no `sqs` sender on this server
    world.publisher.publish({"TopicArn": topic, "Message": "x"})
    world.settle()
    assert world.registry.store.deliveries() == []


def test_unsubscribing_drops_what_the_subscription_was_owed(world: World) -> None:
    topic = world.topics.create("us-east-1", "orders")
    arn = world.subscriptions.subscribe(topic, "sqs", QUEUE)
    world.publisher.publish({"TopicArn": topic, "Message": "x"})
    world.subscriptions.unsubscribe(arn)
    world.settle()
    assert world.sent == [] and world.registry.store.deliveries() == []


def test_deliveries_kept_in_the_store_run_after_a_restart(world: World) -> None:
    topic = world.topics.create("us-east-1", "orders")
    world.subscriptions.subscribe(topic, "lambda", FUNCTION)
    world.loop.run_until_complete(world.fanout.stop())  # the server dies before delivering
    world.publisher.publish({"TopicArn": topic, "Message": "kept"}, hops=2)
    assert len(world.registry.store.deliveries()) == 1

    # A new server over the same store: the registry and the fanout read it back.
    registry = Registry(world.registry.store, world.registry.account_id)
    queue = StubQueue()
    fanout = Fanout(
        registry,
        queue,
        StubResolver("subscriber"),
        Destinations(),
        URLS,
        delay_scale=0.0,
        poster=StubWeb().post,
        permissions=StubPermissions(),
    )

    async def resume() -> None:
        fanout.start()
        for _ in range(10):
            await asyncio.sleep(0)
        await fanout.stop()

    world.loop.run_until_complete(resume())
    [accepted] = queue.accepted
    assert json.loads(accepted.payload)["Records"][0]["Sns"]["Message"] == "kept"
    assert accepted.hops == 2
    assert registry.store.deliveries() == []
    assert Publisher(registry, fanout.submit, fanout.outbox).registry.topics[topic].name == "orders"
