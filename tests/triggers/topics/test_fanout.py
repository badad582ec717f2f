"""Deliveries in-process: HTTP/S confirmation and notifications, retries, dead-letter queues,
and deliveries resumed from the store after a restart."""

from __future__ import annotations

import asyncio
import json

from topics_world import DEAD_LETTERS, FUNCTION, QUEUE, StubQueue, StubResolver, StubWeb, World

from overcast.engine.destinations import Destinations
from overcast.triggers.topics.fanout import RETRIES, Fanout
from overcast.triggers.topics.notification import Urls
from overcast.triggers.topics.publisher import Publisher
from overcast.triggers.topics.registry import Registry


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


def test_a_missing_function_is_retried_then_dropped(world: World) -> None:
    topic = world.topics.create("us-east-1", "orders")
    world.subscriptions.subscribe(topic, "lambda", FUNCTION.replace("subscriber", "nobody"))
    world.publisher.publish({"TopicArn": topic, "Message": "x"})
    world.settle()
    assert world.queue.accepted == []
    assert world.registry.store.deliveries() == []


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
        Urls("http://overcast.test:9000"),
        delay_scale=0.0,
        poster=StubWeb().post,
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
    assert Publisher(registry, fanout.submit).registry.topics[topic].name == "orders"
