"""Delivery by ARN: how one service hands a message to another without importing it.

Each service that takes deliveries (Lambda functions, EventBridge buses, SQS queues, SNS
topics) registers a `Sender` under its ARN's service; a service that delivers (Lambda's async
queue, SNS fan-out, S3 notifications, EventBridge targets) calls `Destinations.send` with the
target's ARN. Senders are called inside the event store's transaction that retires what is
delivered, and must write what they deliver in that same store (or be as durable), so a
delivery and its source's removal happen together or not at all.

The contract of a sender (and of `Destinations.send`): it returns once the message is kept
by its target, or raises `DeliveryFailed` when the target does not exist here or refuses the
message, having kept nothing. It never logs and drops: the caller decides what a failure
means. Lambda's async queue logs it and drops the record (`send_or_drop`: Lambda drops a
record it cannot deliver); SNS sends the message to the subscription's dead-letter queue;
EventBridge counts a failed invocation and uses the target's DeadLetterConfig. Callers
catch DeliveryFailed inside the event store's transaction, so the rest of it (the source's
removal) still commits. Any other exception is the platform's own failure (a store that
cannot write), not the target's, and rolls the transaction back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.arn import Arn
from overcast.aws.errors import OvercastError
from overcast.types import ServicePrincipal

log = logging.getLogger(__name__)

# The conditions of a Lambda destination record (`requestContext.condition`).
SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"

# Services whose ARNs name neither region nor account (`arn:aws:s3:::bucket`).
GLOBAL_ARNS = frozenset({"s3"})

Attributes = dict[str, dict]  # {name: {"DataType": ..., "StringValue" | "BinaryValue": ...}}


class DeliveryFailed(OvercastError):
    """Raised when a destination's sender could not deliver a message: its target does not
    exist here (`missing`), its resource-based policy does not let the delivering service
    send to it (`denied`), or it refused the message (too large, malformed attributes). Each
    is what SNS and EventBridge call a client-side error: the same delivery fails again."""

    def __init__(self, message: str, *, missing: bool = False, denied: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing
        self.denied = denied


@dataclass(frozen=True)
class Delivery:
    """One thing to deliver. `attributes` are message attributes in SQS's and SNS's API shape
    (`{"DataType": "Number", "StringValue": "3"}`, a Binary one's `BinaryValue` as bytes);
    dead letters carry RequestID, ErrorCode and ErrorMessage. `hops` counts the chain for
    loop detection. `group_id` and `deduplication_id` are a FIFO message's (an SNS FIFO topic
    passes both on to its FIFO queues).

    `sender` is the AWS service delivering for one of its resources (SNS for a topic,
    EventBridge for a rule, S3 for a bucket): a queue or topic takes the message only when
    its resource-based policy allows that service principal to send to it, as on AWS. None
    for what the platform hands on for the target's own account (Lambda's destinations and
    dead-letter queues, which AWS sends with the function's execution role)."""

    arn: str
    body: bytes
    hops: int
    attributes: Attributes | None = None
    condition: str | None = None  # a destination record's, for senders that label by it
    group_id: str | None = None
    deduplication_id: str | None = None
    sender: ServicePrincipal | None = None
    # The key of the object an S3 bucket's delivery writes (Lambda's failure records of
    # stream mappings: aws/lambda/<ESM-UUID>/<shardID>/...); None for every other target.
    object_key: str | None = None


Sender = Callable[[Delivery], None]


class Destinations:
    """The senders of this server, by the service field of the ARNs they take."""

    def __init__(self) -> None:
        self._senders: dict[str, tuple[Sender, str]] = {}

    def register(self, service: str, sender: Sender, resource: str = "") -> None:
        """`service`: an ARN's third field (lambda, events, sqs, sns). `resource`: the prefix
        of the ARN's resource part that takes deliveries (`function:`, `event-bus/`), where
        the service has other kinds of resource."""
        self._senders[service] = (sender, resource)

    def can_send(self, arn: str) -> bool:
        """Whether a service here delivers to `arn` (queues and topics may not exist)."""
        return self._sender(arn) is not None

    def send(self, delivery: Delivery) -> None:
        """Deliver, or raise `DeliveryFailed` (see the module's contract)."""
        sender = self._sender(delivery.arn)
        if sender is None:
            # Queues and topics may not exist on this server.
            raise DeliveryFailed(f"No service here delivers to {delivery.arn}", missing=True)
        sender(delivery)

    def send_or_drop(self, delivery: Delivery) -> bool:
        """Lambda's way with a destination record or dead letter it cannot deliver: logged
        and dropped (AWS counts it in DestinationDeliveryFailures or DeadLetterErrors).
        Whether it was delivered."""
        try:
            self.send(delivery)
        except DeliveryFailed as failure:
            log.warning("dropped a message for %s: %s", delivery.arn, failure.message)
            return False
        return True

    def _sender(self, arn: str) -> Sender | None:
        """The sender for `arn:<partition>:<service>:<region>:<account>:<resource>`, if a
        service here takes deliveries to that kind of resource."""
        try:
            parsed = Arn.parse(arn)
        except ValueError:
            return None
        if not parsed.partition.startswith("aws"):
            return None
        if (not parsed.region or not parsed.account) and parsed.service not in GLOBAL_ARNS:
            return None
        sender, resource = self._senders.get(parsed.service, (None, ""))
        return sender if parsed.resource.startswith(resource) else None


def string_attributes(values: dict[str, str]) -> Attributes:
    """Text values as String message attributes."""
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}
