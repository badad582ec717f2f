"""Publish and PublishBatch in-process: validation in SNS's words, nothing kept when refused,
filter policies choosing subscribers, FIFO topics, and topics as a Destinations target."""

from __future__ import annotations

import json

import pytest
from topics_world import FUNCTION, QUEUE, World

from overcast.aws.errors import ServiceError
from overcast.delivery import Delivery, DeliveryFailed, string_attributes
from overcast.services.sns.message import MAX_MESSAGE_BYTES
from overcast.types import ServicePrincipal


def refused(call, *args) -> tuple[str, str]:
    with pytest.raises(ServiceError) as excinfo:
        call(*args)
    return excinfo.value.code, excinfo.value.message


def kept_messages(world: World) -> int:
    return world.registry.store._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]


@pytest.fixture
def topic(world: World) -> str:
    return world.topics.create("us-east-1", "orders")


def test_a_message_reaches_each_confirmed_subscriber(world: World, topic: str) -> None:
    world.subscriptions.subscribe(topic, "lambda", FUNCTION)
    world.subscriptions.subscribe(topic, "sqs", QUEUE)
    world.subscriptions.subscribe(topic, "http", "http://hook.test/")  # pending: gets nothing
    result = world.publisher.publish({"TopicArn": topic, "Message": "hi"}, hops=3)
    world.settle()
    [accepted] = world.queue.accepted
    assert accepted.function == "subscriber" and accepted.hops == 3
    event = json.loads(accepted.payload)
    assert event["Records"][0]["Sns"]["MessageId"] == result["MessageId"]
    [queued] = world.sent
    assert json.loads(queued.body)["Message"] == "hi" and queued.hops == 3
    assert [json.loads(body)["Type"] for _, body, _ in world.web.posts] == [
        "SubscriptionConfirmation"
    ]
    assert kept_messages(world) == 0  # delivered everywhere: nothing left on disk


def test_filter_policies_choose_subscribers(world: World, topic: str) -> None:
    policy = json.dumps({"color": ["red"]})
    world.subscriptions.subscribe(topic, "sqs", QUEUE, {"FilterPolicy": policy})
    for color in ("blue", "red"):
        attributes = {"color": {"DataType": "String", "StringValue": color}}
        world.publisher.publish(
            {"TopicArn": topic, "Message": color, "MessageAttributes": attributes}
        )
    world.settle()
    assert [json.loads(d.body)["Message"] for d in world.sent] == ["red"]


def test_raw_delivery_sends_the_message_and_its_typed_attributes(world: World, topic: str) -> None:
    world.subscriptions.subscribe(topic, "sqs", QUEUE, {"RawMessageDelivery": "true"})
    attributes = {
        "a": {"DataType": "String", "StringValue": "1"},
        "n": {"DataType": "Number.int", "StringValue": "42"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    }
    world.publisher.publish({"TopicArn": topic, "Message": "raw", "MessageAttributes": attributes})
    world.settle()
    sns = ServicePrincipal("sns.amazonaws.com", topic, topic.split(":")[4])
    assert world.sent == [Delivery(QUEUE, b"raw", 0, attributes, sender=sns)]


@pytest.mark.parametrize(
    "params, error",
    [
        ({"Message": ""}, ("InvalidParameter", "Invalid parameter: Empty message")),
        (
            {"Message": "x" * (MAX_MESSAGE_BYTES + 1)},
            ("InvalidParameter", "Invalid parameter: Message too long"),
        ),
        ({"Message": "x", "Subject": ""}, ("InvalidParameter", "Invalid parameter: Subject")),
        (
            {"Message": "x", "Subject": "two\nlines"},
            ("InvalidParameter", "Invalid parameter: Subject"),
        ),
        (
            {"Message": '{"sqs": "x"}', "MessageStructure": "json"},
            (
                "InvalidParameter",
                "Invalid parameter: Message Structure - No default entry in JSON message body",
            ),
        ),
        (
            {"Message": "{nope", "MessageStructure": "json"},
            (
                "InvalidParameter",
                "Invalid parameter: Message Structure - JSON message body failed to parse",
            ),
        ),
        (
            {"Message": "x", "MessageDeduplicationId": "1"},
            (
                "InvalidParameter",
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type",
            ),
        ),
        (
            {"Message": "x", "MessageAttributes": {"a": {"DataType": "String", "StringValue": ""}}},
            (
                "ParameterValueInvalid",
                "The message attribute 'a' must contain non-empty message attribute value for "
                "message attribute type 'String'.",
            ),
        ),
        (
            {"Message": "x", "MessageAttributes": {"a": {"DataType": "Blob", "StringValue": "1"}}},
            (
                "ParameterValueInvalid",
                "The message attribute 'a' has an invalid message attribute type, the set of "
                "supported type prefixes is Binary, Number, and String.",
            ),
        ),
        (
            {
                "Message": "x",
                "MessageAttributes": {"a^": {"DataType": "String", "StringValue": "1"}},
            },
            (
                "ParameterValueInvalid",
                "Invalid non-alphanumeric character '#x5E' was found in the message attribute "
                "name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
            ),
        ),
        (
            {
                "Message": "x",
                "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "ten"}},
            },
            ("ParameterValueInvalid", "Could not cast message attribute 'n' value to number."),
        ),
        (
            {"Message": "x", "MessageAttributes": {"a": {"StringValue": "1"}}},
            (
                "ValidationError",
                "1 validation error detected: Value null at 'messageAttributes.a.member.dataType' "
                "failed to satisfy constraint: Member must not be null",
            ),
        ),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_kept(
    world: World, topic: str, params, error
) -> None:
    world.subscriptions.subscribe(topic, "sqs", QUEUE)
    assert refused(world.publisher.publish, {"TopicArn": topic, **params}) == error
    world.settle()
    assert world.sent == [] and kept_messages(world) == 0


def test_unknown_topics_and_malformed_arns(world: World) -> None:
    missing = "arn:aws:sns:us-east-1:000000000000:missing"
    assert refused(world.publisher.publish, {"TopicArn": missing, "Message": "x"}) == (
        "NotFound",
        "Topic does not exist",
    )
    assert refused(world.publisher.publish, {"TopicArn": "orders", "Message": "x"}) == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
    )


def test_a_json_structured_message_is_cut_per_protocol(world: World, topic: str) -> None:
    world.subscriptions.subscribe(topic, "lambda", FUNCTION)
    world.subscriptions.subscribe(topic, "sqs", QUEUE)
    text = json.dumps({"default": "everyone", "lambda": "functions"})
    world.publisher.publish({"TopicArn": topic, "Message": text, "MessageStructure": "json"})
    world.settle()
    assert (
        json.loads(world.queue.accepted[0].payload)["Records"][0]["Sns"]["Message"] == "functions"
    )
    assert json.loads(world.sent[0].body)["Message"] == "everyone"


def test_batches(world: World, topic: str) -> None:
    world.subscriptions.subscribe(topic, "sqs", QUEUE)
    entries = [{"Id": str(n), "Message": f"m{n}"} for n in range(3)]
    result = world.publisher.publish_batch(topic, entries)
    assert [entry["Id"] for entry in result["Successful"]] == ["0", "1", "2"] and result[
        "Failed"
    ] == []
    world.settle()
    assert [json.loads(d.body)["Message"] for d in world.sent] == ["m0", "m1", "m2"]

    assert refused(world.publisher.publish_batch, topic, []) == (
        "EmptyBatchRequest",
        "The batch request doesn't contain any entries.",
    )
    eleven = [{"Id": str(n), "Message": "m"} for n in range(11)]
    assert (
        refused(world.publisher.publish_batch, topic, eleven)[0] == "TooManyEntriesInBatchRequest"
    )
    twins = [{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "m"}]
    assert refused(world.publisher.publish_batch, topic, twins)[0] == "BatchEntryIdsNotDistinct"
    assert refused(world.publisher.publish_batch, topic, [{"Id": "a b", "Message": "m"}])[0] == (
        "InvalidBatchEntryId"
    )
    big = [{"Id": str(n), "Message": "x" * 100_000} for n in range(3)]
    assert refused(world.publisher.publish_batch, topic, big)[0] == "BatchRequestTooLong"
    # One bad entry refuses the whole batch: nothing of it is published.
    mixed = [{"Id": "ok", "Message": "fine"}, {"Id": "bad", "Message": ""}]
    assert refused(world.publisher.publish_batch, topic, mixed)[0] == "InvalidParameter"
    world.settle()
    assert len(world.sent) == 3


def test_fifo_topics(world: World) -> None:
    fifo = world.topics.create("us-east-1", "orders.fifo", {"FifoTopic": "true"})
    world.subscriptions.subscribe(fifo, "sqs", f"{QUEUE}.fifo")
    publish = world.publisher.publish
    assert refused(publish, {"TopicArn": fifo, "Message": "x"}) == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
    )
    assert refused(publish, {"TopicArn": fifo, "Message": "x", "MessageGroupId": "g"}) == (
        "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
    )
    first = publish(
        {"TopicArn": fifo, "Message": "a", "MessageGroupId": "g", "MessageDeduplicationId": "1"}
    )
    again = publish(
        {"TopicArn": fifo, "Message": "a", "MessageGroupId": "g", "MessageDeduplicationId": "1"}
    )
    second = publish(
        {"TopicArn": fifo, "Message": "b", "MessageGroupId": "g", "MessageDeduplicationId": "2"}
    )
    assert again == first  # a duplicate within five minutes: acknowledged, not delivered
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    assert len(first["SequenceNumber"]) == 20
    world.settle()
    bodies = [json.loads(d.body) for d in world.sent]
    assert [(b["Message"], b["SequenceNumber"]) for b in bodies] == [
        ("a", first["SequenceNumber"]),
        ("b", second["SequenceNumber"]),
    ]
    # SNS passes the group and deduplication ids on to its FIFO queues.
    assert [(d.group_id, d.deduplication_id) for d in world.sent] == [("g", "1"), ("g", "2")]

    world.topics.set_attribute(fifo, "ContentBasedDeduplication", "true")
    by_content = publish({"TopicArn": fifo, "Message": "same", "MessageGroupId": "g"})
    assert publish({"TopicArn": fifo, "Message": "same", "MessageGroupId": "g"}) == by_content


def test_topics_are_destinations(world: World, topic: str) -> None:
    world.subscriptions.subscribe(topic, "lambda", FUNCTION)
    record = json.dumps({"requestContext": {"condition": "RetriesExhausted"}}).encode()
    world.publisher.send(
        Delivery(topic, record, 5, string_attributes({"ErrorCode": "200", "RequestID": "r"}))
    )
    with pytest.raises(DeliveryFailed) as gone:
        world.publisher.send(Delivery(topic.replace("orders", "gone"), b"{}", 1))
    assert gone.value.missing
    fifo = world.topics.create("us-east-1", "orders.fifo", {"FifoTopic": "true"})
    with pytest.raises(DeliveryFailed):  # no message group to publish it in
        world.publisher.send(Delivery(fifo, b"{}", 1))
    world.settle()
    [accepted] = world.queue.accepted
    sns = json.loads(accepted.payload)["Records"][0]["Sns"]
    assert json.loads(sns["Message"]) == {"requestContext": {"condition": "RetriesExhausted"}}
    assert sns["MessageAttributes"] == {
        "ErrorCode": {"Type": "Number", "Value": "200"},
        "RequestID": {"Type": "String", "Value": "r"},
    }
    assert accepted.hops == 5


def test_a_service_publishes_only_what_the_topic_policy_allows(world: World, topic: str) -> None:
    """EventBridge and S3 publish as service principals: SNS's default policy allows only
    its owner's account (AWS:SourceOwner), so the topic's policy must name the service."""
    rule = "arn:aws:events:us-east-1:000000000000:rule/r"
    events = ServicePrincipal("events.amazonaws.com", rule, "000000000000")
    world.subscriptions.subscribe(topic, "lambda", FUNCTION)
    with pytest.raises(DeliveryFailed) as refused:
        world.publisher.send(Delivery(topic, b"{}", 0, sender=events))
    assert refused.value.denied and not refused.value.missing
    assert refused.value.message == (
        f"User: events.amazonaws.com is not authorized to perform: sns:Publish on resource: "
        f"{topic} because no resource-based policy allows the sns:Publish action"
    )
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule}},
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    world.topics.set_attribute(topic, "Policy", json.dumps(policy))
    other = ServicePrincipal("events.amazonaws.com", rule + "-other", "000000000000")
    with pytest.raises(DeliveryFailed):
        world.publisher.send(Delivery(topic, b"{}", 0, sender=other))
    world.publisher.send(Delivery(topic, b'{"ok": 1}', 0, sender=events))
    world.settle()
    [accepted] = world.queue.accepted
    assert json.loads(json.loads(accepted.payload)["Records"][0]["Sns"]["Message"]) == {"ok": 1}
