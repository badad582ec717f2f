"""SNS's access map: each operation's action on its topic (a subscription's operations on
the subscription's topic; PublishBatch as sns:Publish); topic policies from Policy."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.sns.access import TopicPolicies, sns_access
from overcast.services.sns.api import OPERATIONS
from overcast.services.sns.model import Topic

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:t"
REFERENCE = {
    "AddPermission", "ConfirmSubscription", "CreateTopic", "DeleteTopic",
    "GetSubscriptionAttributes", "GetTopicAttributes", "ListSubscriptions",
    "ListSubscriptionsByTopic", "ListTagsForResource", "ListTopics", "Publish",
    "RemovePermission", "SetSubscriptionAttributes", "SetTopicAttributes", "Subscribe",
    "TagResource", "Unsubscribe", "UntagResource",
}  # fmt: skip


def test_every_operation_has_a_mapping() -> None:
    params = {
        "TopicArn": TOPIC,
        "SubscriptionArn": TOPIC + ":abc",
        "ResourceArn": TOPIC,
        "Name": "t",
    }
    for operation in OPERATIONS:
        found = sns_access(operation, dict(params), CONTEXT)
        check_shape(found, "sns", TOPIC)
        assert {n.action.split(":")[1] for n in found.needs} <= REFERENCE, operation


def test_subscriptions_batches_and_condition_keys() -> None:
    unsubscribe = sns_access("Unsubscribe", {"SubscriptionArn": TOPIC + ":1f2e"}, CONTEXT)
    assert [(n.action, n.resource) for n in unsubscribe.needs] == [("sns:Unsubscribe", TOPIC)]
    batch = sns_access("PublishBatch", {"TopicArn": TOPIC}, CONTEXT)
    assert batch.needs[0].action == "sns:Publish"
    subscribe = sns_access(
        "Subscribe", {"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:x"}, CONTEXT
    )
    assert subscribe.conditions == {"sns:Protocol": "sqs", "sns:Endpoint": "arn:aws:sqs:x"}
    created = sns_access(
        "CreateTopic", {"Name": "t", "Tags": [{"Key": "a", "Value": "b"}]}, CONTEXT
    )
    assert created.needs[0].resource == TOPIC
    assert created.conditions == {"aws:RequestTag/a": "b", "aws:TagKeys": ["a"]}


def test_topic_policies_are_the_policy_attribute() -> None:
    policy = '{"Version":"2012-10-17","Statement":[]}'
    registry = type(
        "Registry", (), {"topics": {TOPIC: Topic(TOPIC, REGION, "t", {"Policy": policy})}}
    )
    topics = type("Topics", (), {"topics": type("TopicService", (), {"registry": registry})})
    policies = TopicPolicies(topics)
    assert policies.policy(TOPIC) == policy
    assert policies.policy(TOPIC + "x") is None
