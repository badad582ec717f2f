"""Subscriptions: Subscribe, ConfirmSubscription, Unsubscribe, the lists and attributes.

Functions, queues and phone numbers (sms) are subscribed at once, as on SNS. An HTTP/S
endpoint is sent a SubscriptionConfirmation, and an email address mailed one (outbox.py),
and receives nothing else until the SubscribeURL is visited (or a client calls
ConfirmSubscription with the token). Subscribing the same endpoint twice gives the same
subscription, unless the attributes asked for differ.

Unsubscribing a confirmed HTTP/S endpoint sends it an UnsubscribeConfirmation whose token
restores the subscription (ConfirmSubscription) for three days, the life SNS gives its
confirmation tokens.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Protocol

from overcast.aws import json_document
from overcast.services.sns.errors import InvalidParameterException
from overcast.services.sns.filter_policy import FilterPolicy, check_scope
from overcast.services.sns.model import (
    CONFIRMING_PROTOCOLS,
    DELIVERED_PROTOCOLS,
    RAW_PROTOCOLS,
    SNS_PROTOCOLS,
    SUBSCRIPTION_SETTABLE,
    Subscription,
    Topic,
    check_arn,
    invalid,
    queue_is_fifo,
)
from overcast.services.sns.registry import Registry

PAGE_SIZE = 100
PENDING = "pending confirmation"
_QUEUE_ARN = re.compile(r"arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?")
_FUNCTION_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?"
)
_TOKEN = re.compile(r"[0-9a-f]{64,}")
# An email address: something, one @, a domain with a dot; no spaces or control characters.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
# A phone number as SNS takes one to subscribe: digits, a + before them, single separators
# between them (SNS accepts `+12/34-567.890`, refuses `+15--551234567` and `+15551234567.`).
_PHONE = re.compile(r"\+?[0-9]+([-./][0-9]+)*")
TOKEN_LIFETIME_MS = 3 * 24 * 3600 * 1000


class Handshakes(Protocol):
    """What subscribers are sent when they come and go (the fanout sends them)."""

    def confirm(self, subscription: Subscription) -> None:
        """Send a new subscriber its SubscriptionConfirmation."""
        ...

    def farewell(self, subscription: Subscription) -> None:
        """Unsubscribe an HTTP/S subscriber, keeping it restorable by its token, and send it
        its UnsubscribeConfirmation."""
        ...


class SubscriptionService:
    def __init__(
        self, registry: Registry, handshakes: Handshakes, clock: Callable[[], float] = time.time
    ) -> None:
        self.registry = registry
        self.handshakes = handshakes
        self.clock = clock

    def subscribe(
        self,
        topic_arn: str | None,
        protocol: str,
        endpoint: str | None,
        attributes: dict[str, str] | None = None,
        return_arn: bool = False,
    ) -> str:
        topic = self.registry.topic(topic_arn)
        _check_protocol(topic, protocol)
        endpoint = _check_endpoint(topic, protocol, endpoint)
        attributes = checked_attributes(protocol, attributes or {}, "Attributes Reason: ")
        for existing in self.registry.subscriptions_of(topic.arn):
            if existing.protocol == protocol and existing.endpoint == endpoint:
                if any(existing.attributes.get(k) != v for k, v in attributes.items()):
                    raise invalid(
                        "Attributes Reason: Subscription already exists with different attributes"
                    )
                return existing.arn if return_arn or not existing.pending else PENDING
        web = protocol in CONFIRMING_PROTOCOLS
        subscription = Subscription(
            arn=f"{topic.arn}:{uuid.uuid4()}",
            topic_arn=topic.arn,
            protocol=protocol,
            endpoint=endpoint,
            owner=self.registry.account_id,
            attributes=attributes,
            pending=web,
            token=secrets.token_hex(64) if web else None,
        )
        self.registry.put_subscription(subscription)
        if web:
            self.handshakes.confirm(subscription)
            return subscription.arn if return_arn else PENDING
        return subscription.arn

    def confirm(self, topic_arn: str | None, token: str | None) -> str:
        if not token or not _TOKEN.fullmatch(token):
            raise invalid("Token") if not token else _invalid_token()
        for subscription in self.registry.subscriptions.values():
            if subscription.token == token and subscription.topic_arn == topic_arn:
                if subscription.pending:
                    subscription.pending = False
                    self.registry.put_subscription(subscription)
                return subscription.arn
        since_ms = int(self.clock() * 1000) - TOKEN_LIFETIME_MS
        restored = self.registry.restore(token, topic_arn, since_ms)
        if restored is not None:  # the token of an UnsubscribeConfirmation
            return restored.arn
        raise invalid("Token")

    def unsubscribe(self, arn: str | None) -> None:
        """Unsubscribing what does not exist succeeds, as on SNS (a malformed ARN does not)."""
        check_arn(arn, "SubscriptionArn")
        subscription = self.registry.subscriptions.get(arn)
        if subscription is None:
            return
        if subscription.protocol in ("http", "https") and not subscription.pending:
            subscription.token = secrets.token_hex(64)  # a new one, to restore it
            self.handshakes.farewell(subscription)
        else:
            self.registry.delete_subscription(arn)

    def list(self, next_token: str | None) -> dict:
        return _page(list(self.registry.subscriptions.values()), next_token)

    def list_by_topic(self, topic_arn: str | None, next_token: str | None) -> dict:
        topic = self.registry.topic(topic_arn)
        return _page(self.registry.subscriptions_of(topic.arn), next_token)

    def attributes(self, arn: str | None) -> dict[str, str]:
        return self.registry.subscription(arn).attribute_view()

    def set_attribute(self, arn: str | None, name: str, value: str | None) -> None:
        subscription = self.registry.subscription(arn)
        if name not in SUBSCRIPTION_SETTABLE:
            raise invalid("AttributeName")
        merged = {**subscription.attributes, name: value or ""}
        if name == "FilterPolicy" and not value:
            merged.pop("FilterPolicy")
        attributes = checked_attributes(subscription.protocol, merged, "")
        subscription.attributes = attributes
        self.registry.put_subscription(subscription)


def checked_attributes(protocol: str, attributes: dict[str, str], where: str) -> dict[str, str]:
    """Subscription attributes validated as SNS validates them, values normalised."""
    out = dict(attributes)
    for name in out:
        if name not in SUBSCRIPTION_SETTABLE:
            raise invalid(f"{where}AttributeName" if where else "AttributeName")
    if "RawMessageDelivery" in out:
        value = out["RawMessageDelivery"]
        if value.lower() not in ("true", "false"):
            raise invalid(
                f"{where}RawMessageDelivery: Invalid value [{value}]. Must be true or false."
            )
        out["RawMessageDelivery"] = value.lower()
        if value.lower() == "true" and protocol not in RAW_PROTOCOLS:
            raise invalid(f"Delivery protocol [{protocol}] does not support raw message delivery.")
    scope = out.get("FilterPolicyScope")
    if scope is not None:
        check_scope(scope, f"{where}FilterPolicyScope")
    if out.get("FilterPolicy"):
        FilterPolicy.parse(
            out["FilterPolicy"], scope or "MessageAttributes", f"{where}FilterPolicy"
        )
    if "RedrivePolicy" in out:
        _check_redrive(out["RedrivePolicy"], where)
    return out


def _check_redrive(text: str, where: str) -> None:
    try:
        policy = json_document.loads(text)
    except ValueError as error:
        raise invalid(f"{where}RedrivePolicy: failed to parse JSON. {error}") from None
    target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
    if not isinstance(target, str) or not _QUEUE_ARN.fullmatch(target):
        raise invalid(f"{where}RedrivePolicy: deadLetterTargetArn is an invalid arn")


def _check_protocol(topic: Topic, protocol: str) -> None:
    if protocol not in SNS_PROTOCOLS:
        raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
    if topic.fifo and protocol != "sqs":
        raise invalid(f"Invalid protocol type: {protocol}")
    if protocol not in DELIVERED_PROTOCOLS:
        raise invalid(f"Overcast does not deliver to the {protocol} protocol")


def _check_endpoint(topic: Topic, protocol: str, endpoint: str | None) -> str:
    if not endpoint:
        raise invalid("Endpoint")
    if protocol == "sqs":
        if not _QUEUE_ARN.fullmatch(endpoint):
            raise invalid("SQS endpoint ARN")
        if queue_is_fifo(endpoint) and not topic.fifo:
            raise invalid(
                "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
                "standard SNS topics"
            )
    elif protocol == "lambda":
        if not _FUNCTION_ARN.fullmatch(endpoint):
            raise invalid("Lambda endpoint ARN")
    elif protocol == "sms":
        if not _PHONE.fullmatch(endpoint):
            raise InvalidParameterException(f"Invalid SMS endpoint: {endpoint}")
    elif protocol in ("email", "email-json"):
        if not _EMAIL.fullmatch(endpoint):
            raise invalid("Email address")
    elif not endpoint.lower().startswith(f"{protocol}://"):
        raise invalid("Endpoint must match the specified protocol")
    return endpoint


def _invalid_token() -> InvalidParameterException:
    return InvalidParameterException("Invalid token")


def _page(subscriptions: list[Subscription], next_token: str | None) -> dict:
    if next_token and not next_token.isdigit():
        raise invalid("NextToken")
    start = int(next_token or 0)
    page = subscriptions[start : start + PAGE_SIZE]
    result: dict = {"Subscriptions": [s.listing() for s in page]}
    if start + PAGE_SIZE < len(subscriptions):
        result["NextToken"] = str(start + PAGE_SIZE)
    return result
