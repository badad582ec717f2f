"""Topics: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, tags, and the
statements AddPermission and RemovePermission keep in the topic's `Policy`.

CreateTopic is idempotent: the same name in the same region gives the same ARN, unless the
attributes or tags asked for differ from the topic's. DeleteTopic of a topic that does not
exist succeeds, as on SNS.
"""

from __future__ import annotations

import json

from overcast.aws.tags import TagError, removed, tag_map
from overcast.services.sns.model import (
    TOPIC_SETTABLE,
    Topic,
    check_arn,
    check_topic_name,
    invalid,
    is_true,
    topic_arn,
)
from overcast.services.sns.registry import Registry

PAGE_SIZE = 100
CREATE_ONLY = frozenset({"FifoTopic"})
# What AddPermission may grant (SNS: "Policy statement action out of service scope!" else).
PERMITTED_ACTIONS = frozenset(
    {
        "GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
        "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive",
    }
)  # fmt: skip


class TopicService:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def create(
        self,
        region: str,
        name: str,
        attributes: dict[str, str] | None = None,
        tags: list[dict] | None = None,
        data_protection_policy: str | None = None,
    ) -> str:
        attributes = dict(attributes or {})
        if data_protection_policy:
            attributes["DataProtectionPolicy"] = data_protection_policy
        for key in attributes:
            if key not in TOPIC_SETTABLE | CREATE_ONLY:
                raise invalid("Attributes Reason: Unknown attribute " + key)
        fifo = is_true(attributes.get("FifoTopic"))
        check_topic_name(name, fifo)
        if "FifoTopic" in attributes:
            attributes["FifoTopic"] = "true" if fifo else "false"
            if not fifo:
                del attributes["FifoTopic"]
        tag_map = tag_dict(tags)
        arn = topic_arn(region, self.registry.account_id, name)
        existing = self.registry.topics.get(arn)
        if existing is not None:
            if any(existing.attributes.get(k) != v for k, v in attributes.items()):
                raise invalid("Attributes Reason: Topic already exists with different attributes")
            if tags and tag_map != existing.tags:
                raise invalid("Tags Reason: Topic already exists with different tags")
            return arn
        self.registry.put_topic(Topic(arn, region, name, attributes, tag_map))
        return arn

    def delete(self, arn: str | None) -> None:
        check_arn(arn, "TopicArn")  # a malformed ARN is refused, a missing topic is not
        if arn in self.registry.topics:
            self.registry.delete_topic(arn)

    def list(self, region: str, next_token: str | None) -> dict:
        arns = [topic.arn for topic in self.registry.topics.values() if topic.region == region]
        start = _offset(next_token)
        page = arns[start : start + PAGE_SIZE]
        result: dict = {"Topics": [{"TopicArn": arn} for arn in page]}
        if start + PAGE_SIZE < len(arns):
            result["NextToken"] = str(start + PAGE_SIZE)
        return result

    def attributes(self, arn: str | None) -> dict[str, str]:
        topic = self.registry.topic(arn)
        counts = self.registry.counts(topic.arn)
        return topic.attribute_view(self.registry.account_id, counts)

    def set_attribute(self, arn: str | None, name: str, value: str | None) -> None:
        topic = self.registry.topic(arn)
        if name not in TOPIC_SETTABLE:
            raise invalid("AttributeName")
        value = value or ""
        if name == "ContentBasedDeduplication":
            if not topic.fifo:
                raise invalid(
                    "ContentBasedDeduplication Reason: Content based deduplication can only "
                    "be set for FIFO topics"
                )
            if value.lower() not in ("true", "false"):
                raise invalid(f"ContentBasedDeduplication: Invalid value [{value}]")
            value = value.lower()
        topic.attributes[name] = value
        self.registry.put_topic(topic)

    # --- permissions ------------------------------------------------------------------------

    def add_permission(
        self, arn: str | None, label: str, accounts: list[str], actions: list[str]
    ) -> None:
        """A statement `label` allowing these accounts these actions, added to the topic's
        Policy as SNS adds it: one principal or action as a string, several as a list."""
        topic = self.registry.topic(arn)
        policy = topic.policy(self.registry.account_id)
        statements = policy.setdefault("Statement", [])
        if any(isinstance(s, dict) and s.get("Sid") == label for s in statements):
            raise invalid("Statement already exists")
        if not actions or any(action not in PERMITTED_ACTIONS for action in actions):
            raise invalid("Policy statement action out of service scope!")
        partition = topic.arn.split(":")[1]
        principals = [f"arn:{partition}:iam::{account}:root" for account in accounts]
        grants = [f"SNS:{action}" for action in actions]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": _one_or_list(principals)},
                "Action": _one_or_list(grants),
                "Resource": topic.arn,
            }
        )
        self._set_policy(topic, policy)

    def remove_permission(self, arn: str | None, label: str) -> None:
        """Drop the statement `label`; a label the policy lacks is no error (as moto and
        LocalStack answer; SNS's own answer is not documented)."""
        topic = self.registry.topic(arn)
        policy = topic.policy(self.registry.account_id)
        statements = policy.get("Statement", [])
        kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == label)]
        if len(kept) != len(statements):
            policy["Statement"] = kept
            self._set_policy(topic, policy)

    def _set_policy(self, topic: Topic, policy: dict) -> None:
        topic.attributes["Policy"] = json.dumps(policy)
        self.registry.put_topic(topic)

    # --- tags -------------------------------------------------------------------------------

    def tag(self, arn: str | None, tags: list[dict]) -> None:
        topic = self.registry.topic(arn, "ResourceArn")
        topic.tags.update(tag_dict(tags))
        self.registry.put_topic(topic)

    def untag(self, arn: str | None, keys: list[str]) -> None:
        topic = self.registry.topic(arn, "ResourceArn")
        topic.tags = removed(topic.tags, keys)
        self.registry.put_topic(topic)

    def tags(self, arn: str | None) -> list[dict]:
        topic = self.registry.topic(arn, "ResourceArn")
        return [{"Key": key, "Value": value} for key, value in topic.tags.items()]


def tag_dict(tags: list[dict] | None) -> dict[str, str]:
    """A Tags parameter (Key/Value structures) as a tag map."""
    try:
        return tag_map((tag.get("Key", ""), tag.get("Value", "")) for tag in tags or [])
    except TagError:
        raise invalid("Duplicated keys are not allowed.") from None


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _offset(token: str | None) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise invalid("NextToken")
    return int(token)
