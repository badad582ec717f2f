"""What each SNS operation needs of IAM ("Actions, resources, and condition keys for Amazon
SNS", Service Authorization Reference): its action on the topic's ARN,
`arn:PARTITION:sns:REGION:ACCOUNT:NAME`.

Subscription operations act on the subscription's topic (the reference's only resource
type); a subscription's ARN is its topic's followed by `:<id>`. PublishBatch needs
sns:Publish (it has no action of its own); Subscribe sets `sns:Endpoint` and `sns:Protocol`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions
from overcast.services.sns.model import topic_arn

if TYPE_CHECKING:
    from overcast.services.sns.api import Topics

ACTIONS = {"PublishBatch": "Publish"}
UNSCOPED = frozenset({"ListSubscriptions", "ListTopics"})
BY_SUBSCRIPTION = frozenset(
    {"GetSubscriptionAttributes", "SetSubscriptionAttributes", "Unsubscribe"}
)
BY_RESOURCE_ARN = frozenset({"ListTagsForResource", "TagResource", "UntagResource"})


def sns_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"sns:{ACTIONS.get(operation, operation)}"
    if operation in UNSCOPED:
        return Access.of(action)
    if operation == "CreateTopic":
        topic = topic_arn(context.region, context.account_id, str(params.get("Name", "")))
    elif operation in BY_SUBSCRIPTION:
        topic = subscription_topic(params.get("SubscriptionArn"))
    elif operation in BY_RESOURCE_ARN:
        topic = str(params.get("ResourceArn") or "*")
    elif operation == "Publish":
        # A topic, or a mobile endpoint (TargetArn); an SMS to a PhoneNumber names no resource.
        topic = str(params.get("TopicArn") or params.get("TargetArn") or "*")
    else:
        topic = str(params.get("TopicArn") or "*")
    return Access((Need(action, topic),), _conditions(operation, params))


def subscription_topic(subscription_arn: object) -> str:
    """The topic of `arn:...:sns:REGION:ACCOUNT:TOPIC:ID`; `*` for what is none (the
    operation refuses it)."""
    if not isinstance(subscription_arn, str) or subscription_arn.count(":") < 6:
        return "*"
    return subscription_arn.rsplit(":", 1)[0]


def _conditions(operation: str, params: dict) -> dict[str, str | list[str]]:
    if operation == "Subscribe":
        found: dict[str, str | list[str]] = {"sns:Protocol": str(params.get("Protocol", ""))}
        if params.get("Endpoint") is not None:
            found["sns:Endpoint"] = str(params["Endpoint"])
        return found
    if operation in ("CreateTopic", "TagResource"):
        return tag_conditions(pairs(params.get("Tags")))
    if operation == "UntagResource":
        return tag_key_conditions(params.get("TagKeys"))
    return {}


class TopicPolicies:
    """Topics' resource-based policies: the `Policy` attribute (SetTopicAttributes,
    AddPermission), by topic ARN; None while the topic keeps SNS's default one. In memory."""

    def __init__(self, topics: Topics) -> None:
        self.topics = topics

    def policy(self, resource_arn: str) -> str | None:
        topic = self.topics.topics.registry.topics.get(resource_arn)
        if topic is None:
            return None
        return topic.attributes.get("Policy") or None
