"""Deliveries end to end: functions get the SNS event (field for field Lambda's sample), a
loop through a topic stops after 16 invocations, queues get the envelope or the raw message
(typed attributes; a FIFO topic's group and deduplication ids), a queue that is gone sends
the message to the subscription's dead-letter queue, and a topic serves as a Lambda
destination."""

from __future__ import annotations

import json

import pytest
from sns_server import SAMPLE, shape

from support import (
    RECORDER,
    RunningServer,
    allow,
    allow_service,
    deploy,
    log_messages,
    queue_idle,
    records,
    wait_for,
)

# Publishes to the topic it is subscribed to: a loop through the topic.
LOOPER = """
import boto3, os

def handler(event, context):
    print("RUN")
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="again")
"""


# --- delivery --------------------------------------------------------------------------------


def test_a_function_gets_the_sns_event(fast_server: RunningServer, sns, function_name) -> None:
    client = fast_server.client("lambda")
    deploy(client, function_name, RECORDER)
    function = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    allow(client, function_name, "sns.amazonaws.com", topic)
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)[
        "SubscriptionArn"
    ]
    published = sns.publish(
        TopicArn=topic,
        Message="Hello from SNS!",
        Subject="TestInvoke",
        MessageAttributes={
            "Test": {"DataType": "String", "StringValue": "TestString"},
            "TestBinary": {"DataType": "Binary", "BinaryValue": b"TestBinary"},
        },
    )
    [event] = wait_for(lambda: records(fast_server, function_name))
    assert shape(event) == shape(SAMPLE)
    record = event["Records"][0]
    assert record["EventSubscriptionArn"] == subscription
    sns_part = record["Sns"]
    assert sns_part["MessageId"] == published["MessageId"] and sns_part["TopicArn"] == topic
    assert sns_part["MessageAttributes"]["TestBinary"] == {
        "Type": "Binary",
        "Value": "VGVzdEJpbmFyeQ==",
    }

    sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "1", "Message": "one"}, {"Id": "2", "Message": "two"}],
    )
    wait_for(lambda: len(records(fast_server, function_name)) == 3)
    messages = {r["Records"][0]["Sns"]["Message"] for r in records(fast_server, function_name)}
    assert messages == {"Hello from SNS!", "one", "two"}
    assert {r["Records"][0]["Sns"]["Subject"] for r in records(fast_server, function_name)} == {
        "TestInvoke",
        None,
    }


def test_a_loop_through_a_topic_is_stopped_after_16_invocations(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    client = fast_server.client("lambda")
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    deploy(client, function_name, LOOPER, Timeout=30, Environment={"Variables": {"TOPIC": topic}})
    function = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    allow(client, function_name, "sns.amazonaws.com", topic)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)

    sns.publish(TopicArn=topic, Message="start")

    def runs() -> int:
        return sum(m.startswith("RUN") for m in log_messages(fast_server, function_name))

    wait_for(lambda: runs() >= 16, timeout=60)
    # The 16th run published once more; that message's invocation is refused by the queue.
    wait_for(lambda: queue_idle(fast_server, function_name))
    assert runs() == 16
    sns.delete_topic(TopicArn=topic)


# --- queues and destinations -----------------------------------------------------------------


def queue_service(server: RunningServer):
    """The server's SQS client, or a skip where this server has no queue service."""
    sqs = server.client("sqs")
    try:
        sqs.list_queues()
    except Exception:  # any failure: no queue service answers here
        pytest.skip("this server has no queue service")
    return sqs


def received(sqs, url: str) -> list[dict]:
    answer = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )
    return answer.get("Messages", [])


def test_queues_get_the_envelope_or_the_raw_message(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    sqs = queue_service(fast_server)
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    urls = {
        kind: sqs.create_queue(QueueName=f"{function_name}-{kind}")["QueueUrl"]
        for kind in ("env", "raw")
    }
    arns = {
        kind: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for kind, url in urls.items()
    }
    for url in urls.values():
        allow_service(sqs, url, "sns.amazonaws.com", topic)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns["env"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arns["raw"],
        Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["keep"]})},
    )
    for kind in ("drop", "keep"):
        sns.publish(
            TopicArn=topic,
            Message=f"{kind} me",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )
    bodies: list[dict] = []

    def both_arrived() -> bool:
        bodies.extend(json.loads(m["Body"]) for m in received(sqs, urls["env"]))
        return len(bodies) >= 2

    wait_for(both_arrived)
    assert sorted(b["Message"] for b in bodies) == ["drop me", "keep me"]
    assert all(b["Type"] == "Notification" and b["TopicArn"] == topic for b in bodies)
    assert bodies[0]["MessageAttributes"]["kind"]["Type"] == "String"
    [raw] = wait_for(lambda: received(sqs, urls["raw"]))
    assert raw["Body"] == "keep me"
    assert raw["MessageAttributes"]["kind"]["StringValue"] == "keep"


def queue_arn(sqs, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]


def test_raw_delivery_keeps_attribute_types_and_fifo_ids(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    sqs = queue_service(fast_server)
    topic = sns.create_topic(Name=f"{function_name}.fifo", Attributes={"FifoTopic": "true"})
    url = sqs.create_queue(QueueName=f"{function_name}.fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    allow_service(sqs, url, "sns.amazonaws.com", topic["TopicArn"])
    sns.subscribe(
        TopicArn=topic["TopicArn"],
        Protocol="sqs",
        Endpoint=queue_arn(sqs, url),
        Attributes={"RawMessageDelivery": "true"},
    )
    attributes = {
        "count": {"DataType": "Number", "StringValue": "42"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        "name": {"DataType": "String", "StringValue": "n"},
    }
    for group, dedup in (("orders-1", "first"), ("orders-2", "second")):
        sns.publish(
            TopicArn=topic["TopicArn"],
            Message=f"{group} {dedup}",
            MessageGroupId=group,
            MessageDeduplicationId=dedup,
            MessageAttributes=attributes,
        )
    got: list[dict] = []

    def both_arrived() -> bool:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId", "MessageDeduplicationId"],
            WaitTimeSeconds=1,
        )
        got.extend(answer.get("Messages", []))
        return len(got) >= 2

    wait_for(both_arrived)
    assert sorted(
        (m["Attributes"]["MessageGroupId"], m["Attributes"]["MessageDeduplicationId"], m["Body"])
        for m in got
    ) == [("orders-1", "first", "orders-1 first"), ("orders-2", "second", "orders-2 second")]
    assert all(m["MessageAttributes"] == attributes for m in got)


def test_a_queue_that_is_gone_sends_to_the_dead_letter_queue(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    sqs = queue_service(fast_server)
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    gone = sqs.create_queue(QueueName=f"{function_name}-gone")["QueueUrl"]
    gone_arn = queue_arn(sqs, gone)
    sqs.delete_queue(QueueUrl=gone)
    dead = sqs.create_queue(QueueName=f"{function_name}-dead")["QueueUrl"]
    allow_service(sqs, dead, "sns.amazonaws.com", topic)
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dead)})
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=gone_arn, Attributes={"RedrivePolicy": redrive}
    )
    published = sns.publish(TopicArn=topic, Message="nowhere to go")
    [message] = wait_for(lambda: received(sqs, dead))
    body = json.loads(message["Body"])
    assert (body["MessageId"], body["Message"]) == (published["MessageId"], "nowhere to go")


def test_a_topic_is_a_lambda_destination(fast_server: RunningServer, sns, function_name) -> None:
    client = fast_server.client("lambda")
    recorder_name = f"{function_name}-rec"
    deploy(client, recorder_name, RECORDER)
    recorder = client.get_function(FunctionName=recorder_name)["Configuration"]["FunctionArn"]
    deploy(client, function_name, "def handler(event, context):\n    raise ValueError('no')\n")
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    allow(client, recorder_name, "sns.amazonaws.com", topic)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=recorder)
    client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b'{"n": 1}')
    [event] = wait_for(lambda: records(fast_server, recorder_name))
    record = json.loads(event["Records"][0]["Sns"]["Message"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"n": 1}
    assert record["responsePayload"]["errorMessage"] == "no"


def test_sns_invokes_only_what_the_function_policy_allows(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    """A refused delivery is a client-side error: not retried, sent to the subscription's
    dead-letter queue at once."""
    sqs = queue_service(fast_server)
    client = fast_server.client("lambda")
    deploy(client, function_name, RECORDER)
    function = client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    dead = sqs.create_queue(QueueName=f"{function_name}-dead")["QueueUrl"]
    allow_service(sqs, dead, "sns.amazonaws.com", topic)
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dead)})
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=function,
        Attributes={"RedrivePolicy": redrive},
    )

    def dead_letters() -> list[str]:
        return [json.loads(m["Body"])["Message"] for m in received(sqs, dead)]

    sns.publish(TopicArn=topic, Message="no permission")
    assert wait_for(dead_letters) == ["no permission"]
    allow(client, function_name, "sns.amazonaws.com", topic + "-another")
    allow(client, function_name, "events.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="another topic's")
    assert wait_for(dead_letters) == ["another topic's"]

    allow(client, function_name, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="allowed")
    [event] = wait_for(lambda: records(fast_server, function_name))
    assert event["Records"][0]["Sns"]["Message"] == "allowed"


def test_a_queue_takes_a_topic_s_messages_only_when_its_policy_allows_sns(
    fast_server: RunningServer, sns, function_name: str
) -> None:
    """SNS sends as sns.amazonaws.com with the topic's ARN as aws:SourceArn ("Subscribing an
    Amazon SQS queue to an Amazon SNS topic"): a queue whose policy does not allow that
    refuses, a client-side error sent to the subscription's dead-letter queue at once. The
    dead-letter queue's own policy must allow SNS too, or the message is dropped."""
    sqs = queue_service(fast_server)
    topic = sns.create_topic(Name=function_name)["TopicArn"]
    inbox = sqs.create_queue(QueueName=f"{function_name}-inbox")["QueueUrl"]
    dead = sqs.create_queue(QueueName=f"{function_name}-dead")["QueueUrl"]
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dead)})
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn(sqs, inbox),
        Attributes={"RedrivePolicy": redrive},
    )

    def dead_letters() -> list[str]:
        return [json.loads(m["Body"])["Message"] for m in received(sqs, dead)]

    sns.publish(TopicArn=topic, Message="dropped")  # neither queue allows SNS
    allow_service(sqs, dead, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="no permission")
    assert wait_for(dead_letters) == ["no permission"]
    allow_service(sqs, inbox, "sns.amazonaws.com", topic + "-another")
    allow_service(sqs, inbox, "events.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="another topic's")
    assert wait_for(dead_letters) == ["another topic's"]

    allow_service(sqs, inbox, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="allowed")
    [message] = wait_for(lambda: received(sqs, inbox))
    assert json.loads(message["Body"])["Message"] == "allowed"
    assert received(sqs, dead) == []  # the first message was dropped, not kept
