"""Every topic and subscription, in memory for Publish's sake, written through to the store.

A subscription's filter policy is parsed once, here, when it is set: Publish only matches.
"""

from __future__ import annotations

from overcast.services.sns.errors import NotFoundException
from overcast.services.sns.filter_policy import FilterPolicy, parse_optional
from overcast.services.sns.model import Subscription, Topic, check_arn
from overcast.services.sns.store import Delivery, TopicStore


class Registry:
    def __init__(self, store: TopicStore, account_id: str) -> None:
        self.store = store
        self.account_id = account_id
        self.topics: dict[str, Topic] = {topic.arn: topic for topic in store.topics()}
        self.subscriptions: dict[str, Subscription] = {}
        self._by_topic: dict[str, dict[str, Subscription]] = {}
        self._policies: dict[str, FilterPolicy | None] = {}
        for subscription in store.subscriptions():
            self._remember(subscription)

    # --- topics -----------------------------------------------------------------------------

    def topic(self, arn: str | None, parameter: str = "TopicArn") -> Topic:
        """The topic an ARN names; SNS's InvalidParameter or NotFound otherwise."""
        topic = self.topics.get(check_arn(arn, parameter))
        if topic is None:
            raise NotFoundException("Topic does not exist")
        return topic

    def put_topic(self, topic: Topic) -> None:
        self.store.put_topic(topic)
        self.topics[topic.arn] = topic

    def delete_topic(self, arn: str) -> None:
        self.store.delete_topic(arn)
        self.topics.pop(arn, None)
        for subscription in self._by_topic.pop(arn, {}).values():
            self.subscriptions.pop(subscription.arn, None)
            self._policies.pop(subscription.arn, None)

    # --- subscriptions ----------------------------------------------------------------------

    def subscription(self, arn: str | None) -> Subscription:
        subscription = self.subscriptions.get(check_arn(arn, "SubscriptionArn"))
        if subscription is None:
            raise NotFoundException("Subscription does not exist")
        return subscription

    def subscriptions_of(self, topic_arn: str) -> list[Subscription]:
        return list(self._by_topic.get(topic_arn, {}).values())

    def policy(self, subscription_arn: str) -> FilterPolicy | None:
        return self._policies.get(subscription_arn)

    def put_subscription(self, subscription: Subscription) -> None:
        self.store.put_subscription(subscription)
        self._remember(subscription)

    def delete_subscription(self, arn: str) -> None:
        self.store.delete_subscription(arn)
        self._forget(arn)

    def retire(self, subscription: Subscription, now_ms: int) -> Delivery:
        """Unsubscribe, keeping the subscription restorable by its (new) token; the
        UnsubscribeConfirmation it is owed."""
        delivery = self.store.retire(subscription, now_ms)
        self._forget(subscription.arn)
        return delivery

    def restore(self, token: str, topic_arn: str | None, since_ms: int) -> Subscription | None:
        subscription = self.store.restore(token, topic_arn, since_ms)
        if subscription is not None:
            self._remember(subscription)
        return subscription

    def counts(self, topic_arn: str) -> dict[str, int]:
        subscriptions = self.subscriptions_of(topic_arn)
        pending = sum(1 for s in subscriptions if s.pending)
        return {"pending": pending, "confirmed": len(subscriptions) - pending}

    def _forget(self, arn: str) -> None:
        subscription = self.subscriptions.pop(arn, None)
        self._policies.pop(arn, None)
        if subscription is not None:
            self._by_topic.get(subscription.topic_arn, {}).pop(arn, None)

    def _remember(self, subscription: Subscription) -> None:
        attributes = subscription.attributes
        self._policies[subscription.arn] = parse_optional(
            attributes.get("FilterPolicy"), attributes.get("FilterPolicyScope"), "FilterPolicy"
        )
        self.subscriptions[subscription.arn] = subscription
        self._by_topic.setdefault(subscription.topic_arn, {})[subscription.arn] = subscription
