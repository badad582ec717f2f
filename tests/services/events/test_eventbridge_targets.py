"""EventBridge rules deliver to queues and topics as well as functions (through boto3)."""

from __future__ import annotations

import json
import time

from support import allow_service


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
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    allow_service(sqs, direct, "events.amazonaws.com", rule_arn)
    allow_service(sns, topic, "events.amazonaws.com", rule_arn)
    allow_service(sqs, fanned, "sns.amazonaws.com", topic)
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
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    allow_service(sqs, url, "events.amazonaws.com", rule_arn)
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


def test_queues_and_topics_take_events_only_when_their_policy_allows_eventbridge(
    server, function_name
) -> None:
    """EventBridge sends as events.amazonaws.com with the rule's ARN as aws:SourceArn ("Using
    resource-based policies for Amazon EventBridge"): a queue without a policy, a topic with
    SNS's default one, refuse; the event goes to the target's dead-letter queue (whose own
    policy must allow EventBridge) with ERROR_CODE NO_PERMISSIONS."""
    events, sqs, sns = server.client("events"), server.client("sqs"), server.client("sns")
    arn_of = lambda url: sqs.get_queue_attributes(  # noqa: E731
        QueueUrl=url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    inbox = sqs.create_queue(QueueName=f"{function_name}-inbox")["QueueUrl"]
    dead = sqs.create_queue(QueueName=f"{function_name}-dead")["QueueUrl"]
    topic = sns.create_topic(Name=f"{function_name}-topic")["TopicArn"]
    rule = f"{function_name}-rule"
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    allow_service(sqs, dead, "events.amazonaws.com", rule_arn)
    allow_service(sqs, inbox, "events.amazonaws.com", rule_arn + "-other")
    dead_letter = {"Arn": arn_of(dead)}
    events.put_targets(
        Rule=rule,
        Targets=[
            {"Id": "queue", "Arn": arn_of(inbox), "DeadLetterConfig": dead_letter},
            {"Id": "topic", "Arn": topic, "DeadLetterConfig": dead_letter},
        ],
    )
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": "{}"}])

    letters, deadline = [], time.monotonic() + 20
    while len(letters) < 2 and time.monotonic() < deadline:
        answer = sqs.receive_message(
            QueueUrl=dead, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
        )
        letters.extend(answer.get("Messages", []))
    failed = {
        m["MessageAttributes"]["TARGET_ARN"]["StringValue"]: m["MessageAttributes"] for m in letters
    }
    assert set(failed) == {arn_of(inbox), topic}
    assert {a["ERROR_CODE"]["StringValue"] for a in failed.values()} == {"NO_PERMISSIONS"}
    assert failed[topic]["ERROR_MESSAGE"]["StringValue"] == (
        f"User: events.amazonaws.com is not authorized to perform: sns:Publish on resource: "
        f"{topic} because no resource-based policy allows the sns:Publish action"
    )
    assert sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=0).get("Messages") is None

    allow_service(sqs, inbox, "events.amazonaws.com", rule_arn)
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Order", "Detail": "{}"}])
    [queued] = receive_all(sqs, inbox, 1)
    assert json.loads(queued["Body"])["source"] == "shop"
