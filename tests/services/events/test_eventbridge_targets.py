"""EventBridge rules deliver to queues and topics as well as functions (through boto3)."""

from __future__ import annotations

import json
import time


def receive_all(sqs, url: str, wanted: int, timeout: float = 20.0) -> list[dict]:
    messages, deadline = [], time.monotonic() + timeout
    while len(messages) < wanted and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def test_rule_targets_a_queue_and_a_topic(server, function_name) -> None:
    events, sqs, sns = server.client("events"), server.client("sqs"), server.client("sns")
    direct = sqs.create_queue(QueueName=f"{function_name}-direct")["QueueUrl"]
    fanned = sqs.create_queue(QueueName=f"{function_name}-fanned")["QueueUrl"]
    arn_of = lambda url: sqs.get_queue_attributes(  # noqa: E731
        QueueUrl=url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=f"{function_name}-topic")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn_of(fanned),
        Attributes={"RawMessageDelivery": "true"},
    )
    rule = f"{function_name}-rule"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule=rule,
        Targets=[
            {"Id": "queue", "Arn": arn_of(direct)},
            {"Id": "topic", "Arn": topic, "InputPath": "$.detail"},
        ],
    )
    put = events.put_events(
        Entries=[{"Source": "shop", "DetailType": "Order", "Detail": json.dumps({"id": 7})}]
    )
    assert put["FailedEntryCount"] == 0

    [queued] = receive_all(sqs, direct, 1)
    event = json.loads(queued["Body"])
    assert event["source"] == "shop" and event["detail-type"] == "Order"
    assert event["detail"] == {"id": 7} and event["id"] == put["Entries"][0]["EventId"]
    [published] = receive_all(sqs, fanned, 1)
    assert json.loads(published["Body"]) == {"id": 7}


def test_input_transformer_places_lists_and_objects_as_eventbridge_does(
    server, function_name
) -> None:
    """Recorded EventBridge answers (see test_input_transform): in a string template a list or
    object loses its quotes; where a JSON value stands it is JSON; a JSON template that does
    not come out as JSON is not delivered."""
    events, sqs = server.client("events"), server.client("sqs")
    url = sqs.create_queue(QueueName=f"{function_name}-shaped")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    paths = {"payload": "$.detail.payload", "levels": "$.detail.levels"}
    templates = {
        "text": '"Payload of <payload> at <levels>"',
        "json": '{"bod": <payload>, "levels": <levels>}',
        "broken": '{"payload": "<payload>"}',
    }
    rule = f"{function_name}-rule"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule=rule,
        Targets=[
            {
                "Id": target_id,
                "Arn": queue,
                "InputTransformer": {"InputPathsMap": paths, "InputTemplate": template},
            }
            for target_id, template in templates.items()
        ],
    )
    detail = {"payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}, "levels": ["A", "B"]}
    events.put_events(Entries=[{"Source": "shop", "DetailType": "x", "Detail": json.dumps(detail)}])

    # PutEvents answers once its deliveries to queues are made: what is queued now is all.
    bodies = sorted(message["Body"] for message in receive_all(sqs, url, 2))
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    assert bodies == [
        '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} at [A,B]"',
        '{"bod":{"acc_id":"0a787ecb-4015","sf_id":"baz"},"levels":["A","B"]}',
    ]
