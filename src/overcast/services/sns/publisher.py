"""Publish and PublishBatch: check the message, pick the subscriptions whose filter policy
takes it, keep it with what each is owed (one commit), and hand the deliveries to the fanout.

FIFO topics need a MessageGroupId, and a MessageDeduplicationId unless the topic has
ContentBasedDeduplication (then the SHA-256 of the message is the ID); a message whose ID was
seen in the last five minutes is acknowledged again (same MessageId and SequenceNumber) and
not delivered twice. Each FIFO message gets the next SequenceNumber of its topic.

A Publish with a PhoneNumber (E.164) is an SMS to that number: written to the outbox, not
sent (outbox.py).

Topics are also where async destinations, dead-letter queues and EventBridge targets may
send: `send` is the Destinations sender registered for `sns`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from overcast.aws.policy.service_callers import service_refusal
from overcast.delivery import Delivery as Handover
from overcast.delivery import DeliveryFailed
from overcast.services.sns.errors import BatchRequestError
from overcast.services.sns.message import (
    MAX_MESSAGE_BYTES,
    Message,
    check_message,
    check_subject,
    parse_attributes,
    parse_structure,
)
from overcast.services.sns.model import Topic, default_policy, invalid
from overcast.services.sns.outbox import Outbox
from overcast.services.sns.registry import Registry
from overcast.services.sns.store import Delivery

DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000
MAX_BATCH = 10
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_E164 = re.compile(r"\+?[1-9][0-9]{1,14}")
PUBLISH_ACTION = "sns:Publish"
FIRST_SEQUENCE = 10**19  # SNS's sequence numbers are 20 digits

Submit = Callable[[list[Delivery], Message], None]  # the fanout's


class Publisher:
    def __init__(
        self,
        registry: Registry,
        submit: Submit,
        outbox: Outbox,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.submit = submit
        self.outbox = outbox
        self.clock = clock

    def publish(self, params: dict, hops: int = 0) -> dict:
        if params.get("PhoneNumber") is not None:
            return self._text(params, hops)
        topic = self._topic(params)
        message = self._message(topic, params, hops)
        return self._accept(topic, message)

    def publish_batch(self, topic_arn: str | None, entries: list[dict], hops: int = 0) -> dict:
        topic = self.registry.topic(topic_arn)
        _check_batch(entries)
        messages = [
            (
                entry["Id"],
                self._message(topic, entry, hops, f"publishBatchRequestEntries.{n}.member"),
            )
            for n, entry in enumerate(entries, start=1)
        ]
        successful = []
        for entry_id, message in messages:
            successful.append({"Id": entry_id, **self._accept(topic, message)})
        return {"Successful": successful, "Failed": []}

    def send(self, delivery: Handover) -> None:
        """The `sns` sender: publish a destination record, dead letter or rule target's event
        to the topic its ARN names (with the chain's hop count). Raises DeliveryFailed when
        there is no such standard topic here, or when the service delivering for its own
        resource (`delivery.sender`: EventBridge for a rule, S3 for a bucket) is not allowed
        sns:Publish by the topic's access policy. SNS's default policy allows only callers
        of the owner's account (`AWS:SourceOwner`), which a service principal is not: the
        policy must name it ("Amazon SNS permissions" in EventBridge's user guide)."""
        topic = self.registry.topics.get(delivery.arn)
        if topic is None:
            raise DeliveryFailed(f"The topic {delivery.arn} does not exist.", missing=True)
        if delivery.sender is not None:
            refusal = self._refusal(topic, delivery)
            if refusal is not None:
                raise DeliveryFailed(refusal, denied=True)
        if topic.fifo:  # it would need a message group: Lambda sends to standard topics only
            raise DeliveryFailed(f"{delivery.arn} is a FIFO topic: it takes no such message.")
        message = self._new(topic, delivery.body.decode("utf-8", "replace"), delivery.hops)
        for name, value in (delivery.attributes or {}).items():
            message.attributes[name] = _topic_attribute(name, value)
        self._accept(topic, message)

    def _refusal(self, topic: Topic, delivery: Handover) -> str | None:
        policy = topic.attributes.get("Policy") or json.dumps(
            default_policy(topic.arn, self.registry.account_id)
        )
        return service_refusal(policy, PUBLISH_ACTION, topic.arn, delivery.sender)

    def _text(self, params: dict, hops: int) -> dict:
        """Publish to a PhoneNumber: checked as a topic's message is, then recorded."""
        number = params["PhoneNumber"]
        if not _E164.fullmatch(number):
            raise invalid(f"PhoneNumber Reason: {number} is not valid to publish to")
        text = params.get("Message")
        attributes = parse_attributes(params.get("MessageAttributes"))
        check_message(text, attributes)
        message = Message(
            message_id=str(uuid.uuid4()),
            topic_arn="",
            message=text,
            timestamp=_timestamp(self.clock()),
            structure=parse_structure(text, params.get("MessageStructure")),
            attributes=attributes,
            hops=hops,
        )
        self.outbox.text(number, message)
        return {"MessageId": message.message_id}

    # --- building a message -----------------------------------------------------------------

    def _topic(self, params: dict) -> Topic:
        topic_arn, target_arn = params.get("TopicArn"), params.get("TargetArn")
        if topic_arn:
            return self.registry.topic(topic_arn)
        if not target_arn:
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        if target_arn in self.registry.topics:
            return self.registry.topics[target_arn]
        if ":endpoint/" in target_arn:
            raise invalid("TargetArn Reason: No endpoint found for the target arn specified")
        return self.registry.topic(target_arn, "TargetArn")

    def _message(self, topic: Topic, params: dict, hops: int, path: str = "") -> Message:
        text = params.get("Message")
        where = f"{path}.messageAttributes" if path else "messageAttributes"
        attributes = parse_attributes(params.get("MessageAttributes"), where)
        check_message(text, attributes)
        check_subject(params.get("Subject"))
        structure = parse_structure(text, params.get("MessageStructure"))
        message = self._new(topic, text, hops)
        message.subject = params.get("Subject")
        message.structure = structure
        message.attributes = attributes
        self._check_fifo(topic, message, params)
        return message

    def _new(self, topic: Topic, text: str, hops: int) -> Message:
        return Message(
            message_id=str(uuid.uuid4()),
            topic_arn=topic.arn,
            message=text,
            timestamp=_timestamp(self.clock()),
            hops=hops,
        )

    def _check_fifo(self, topic: Topic, message: Message, params: dict) -> None:
        group, dedup = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
        message.group_id = group
        if not topic.fifo:
            if dedup is not None:
                raise invalid(
                    "MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
                    "parameter that is not valid for this topic type"
                )
            return
        if not group:
            raise invalid("The MessageGroupId parameter is required for FIFO topics")
        if not dedup:
            if not topic.content_deduplication:
                raise invalid(
                    "The topic should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly"
                )
            dedup = hashlib.sha256(message.message.encode()).hexdigest()
        message.deduplication_id = dedup

    # --- accepting --------------------------------------------------------------------------

    def _accept(self, topic: Topic, message: Message) -> dict:
        now_ms = int(self.clock() * 1000)
        store = self.registry.store
        if topic.fifo:
            seen = store.duplicate(topic.arn, message.deduplication_id, now_ms)
            if seen is not None:
                return {"MessageId": seen[0], "SequenceNumber": seen[1]}
        targets = [
            s.arn for s in self.registry.subscriptions_of(topic.arn) if self._takes(s, message)
        ]
        with store.transaction():
            if topic.fifo:
                topic.sequence = max(topic.sequence, FIRST_SEQUENCE) + 1
                message.sequence_number = f"{topic.sequence:020d}"
                self.registry.put_topic(topic)
                store.remember(
                    topic.arn, message.deduplication_id, message, now_ms, DEDUPLICATION_WINDOW_MS
                )
            deliveries = store.add_message(message, targets, now_ms)
        if deliveries:
            self.submit(deliveries, message)
        result = {"MessageId": message.message_id}
        if message.sequence_number is not None:
            result["SequenceNumber"] = message.sequence_number
        return result

    def _takes(self, subscription, message: Message) -> bool:
        if subscription.pending:
            return False
        policy = self.registry.policy(subscription.arn)
        if policy is None:
            return True
        return policy.accepts(message.attributes, message.text_for(subscription.protocol))


def _check_batch(entries: list[dict]) -> None:
    if not entries:
        raise BatchRequestError(
            "EmptyBatchRequest", "The batch request doesn't contain any entries."
        )
    if len(entries) > MAX_BATCH:
        raise BatchRequestError(
            "TooManyEntriesInBatchRequest",
            "The batch request contains more entries than permissible.",
        )
    ids = [entry.get("Id", "") for entry in entries]
    if len(set(ids)) != len(ids):
        raise BatchRequestError(
            "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."
        )
    for entry_id in ids:
        if not _BATCH_ID.fullmatch(entry_id):
            raise BatchRequestError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
            )
    total = sum(len((entry.get("Message") or "").encode()) for entry in entries)
    if total > MAX_MESSAGE_BYTES:
        raise BatchRequestError(
            "BatchRequestTooLong",
            "The length of all the messages put together is more than the limit.",
        )


def _topic_attribute(name: str, value: dict) -> dict:
    """A delivery's message attribute (SQS's shape) as SNS keeps it: {"Type", "Value"}."""
    kind = value["DataType"]
    if kind.startswith("Binary"):
        return {"Type": kind, "Value": base64.b64encode(value["BinaryValue"]).decode()}
    text = value["StringValue"]
    # Lambda's dead letters carry ErrorCode as a Number, the others as Strings.
    if name == "ErrorCode" and kind == "String" and text.isdigit():
        kind = "Number"
    return {"Type": kind, "Value": text}


def _timestamp(now: float) -> str:
    """`2019-11-14T18:16:05.568Z`, as in SNS's notifications."""
    moment = datetime.fromtimestamp(now, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
