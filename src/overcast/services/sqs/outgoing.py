"""A message on its way into a queue, and SQS's checks of the parameters that depend on the
kind of queue: DelaySeconds, MessageGroupId, MessageDeduplicationId."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from overcast.delivery import Delivery
from overcast.services.sqs.errors import (
    InvalidParameterValueException,
    MissingRequiredParameterException,
)
from overcast.services.sqs.queue import Queue

MAX_DELAY_S = 900
_FIFO_ID = re.compile(r"[!-~]{1,128}")  # alphanumeric and punctuation


@dataclass(frozen=True)
class Outgoing:
    """One message to send, as SendMessage (or a batch entry, or a delivery) gives it."""

    body: str
    attributes: dict
    sender_id: str
    delay_s: int | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    trace_header: str | None = None
    hops: int = 0


def checked_delay(queue: Queue, delay_s: int | None) -> int:
    """The message's delay: its own DelaySeconds, or the queue's. A FIFO queue takes only
    the queue's, and refuses a message's own unless it is 0 (which SQS accepts, and then
    applies the queue's delay)."""
    if delay_s is None or (queue.fifo and delay_s == 0):
        return queue.delay_s
    if queue.fifo:
        raise InvalidParameterValueException(
            f"Value {delay_s} for parameter DelaySeconds is invalid. Reason: The request include "
            "parameter that is not valid for this queue type."
        )
    if not 0 <= delay_s <= MAX_DELAY_S:
        raise InvalidParameterValueException(
            f"Value {delay_s} for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
            f"be >= 0 and <= {MAX_DELAY_S}."
        )
    return delay_s


def checked_fifo(queue: Queue, outgoing: Outgoing) -> str | None:
    """The message's deduplication id (FIFO), after SQS's checks of the FIFO parameters. A
    standard queue takes a MessageGroupId too (SQS's fair queues), checked as a FIFO one."""
    if not queue.fifo:
        _check_id("MessageGroupId", outgoing.group_id)
        if outgoing.dedup_id is not None:
            raise InvalidParameterValueException(
                f"Value {outgoing.dedup_id} for parameter MessageDeduplicationId is invalid. "
                "Reason: The request include parameter that is not valid for this queue type."
            )
        return None
    if outgoing.group_id is None:
        raise MissingRequiredParameterException(
            "The request must contain the parameter MessageGroupId."
        )
    _check_id("MessageGroupId", outgoing.group_id)
    _check_id("MessageDeduplicationId", outgoing.dedup_id)
    if outgoing.dedup_id is not None:
        return outgoing.dedup_id
    if queue.content_based_deduplication:
        return hashlib.sha256(outgoing.body.encode()).hexdigest()
    raise InvalidParameterValueException(
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly"
    )


def _check_id(parameter: str, value: str | None) -> None:
    if value is not None and not _FIFO_ID.fullmatch(value):
        raise InvalidParameterValueException(
            f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only "
            "include alphanumeric and punctuation characters. 1 to 128 in length."
        )


def from_delivery(delivery: Delivery, queue: Queue, account_id: str) -> Outgoing:
    """A delivery (a Lambda destination's record or dead letter, a topic's or a rule's message)
    as a message, its message attributes as they come. A FIFO queue takes the delivery's
    group and deduplication ids (an SNS FIFO topic passes both on); without them (Lambda
    sends to standard queues only) the message goes to one group, deduplicated by content."""
    group_id = dedup_id = None
    if queue.fifo:
        group_id = delivery.group_id or "lambda"
        dedup_id = delivery.deduplication_id or hashlib.sha256(delivery.body).hexdigest()
    return Outgoing(
        body=delivery.body.decode("utf-8", "replace"),
        attributes=dict(delivery.attributes or {}),
        sender_id=account_id,
        hops=delivery.hops,
        group_id=group_id,
        dedup_id=dedup_id,
    )
