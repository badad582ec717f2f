"""Where an asynchronous invocation's outcome goes: OnSuccess/OnFailure destinations and the
function's dead-letter queue, as Lambda shapes them.

Each kind of target (a function, an event bus, a queue, a topic) is a `Sender` registered
under its ARN's service by whoever implements it. Senders are called inside the event store's
transaction that retires the event, and must write what they deliver in that same store (or
be as durable), so a delivery and the event's removal happen together or not at all.

The contract of a sender (and of `Destinations.send`): it returns once the message is kept
by its target, or raises `DeliveryFailed` when the target does not exist here or refuses the
message, having kept nothing. It never logs and drops: the caller decides what a failure
means. Lambda's async queue logs it and drops the record (`send_or_drop`: Lambda drops a
record it cannot deliver); SNS sends the message to the subscription's dead-letter queue;
EventBridge counts a failed invocation and uses the target's DeadLetterConfig. Callers
catch DeliveryFailed inside the event store's transaction, so the rest of it (the event's
removal) still commits. Any other exception is the platform's own failure (a store that
cannot write), not the target's, and rolls the transaction back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.aws import json_document
from overcast.engine.invocation import InvokeResult
from overcast.errors import DeliveryFailed
from overcast.services.lambda_.model.event_invoke import destination_service

log = logging.getLogger(__name__)

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
DEAD_LETTER_MESSAGE_LIMIT = 1024  # ErrorMessage attribute: the first 1 KB of the error


Attributes = dict[str, dict]  # {name: {"DataType": ..., "StringValue" | "BinaryValue": ...}}


@dataclass(frozen=True)
class Delivery:
    """One thing to deliver. `attributes` are message attributes in SQS's and SNS's API shape
    (`{"DataType": "Number", "StringValue": "3"}`, a Binary one's `BinaryValue` as bytes);
    dead letters carry RequestID, ErrorCode and ErrorMessage. `hops` counts the chain for
    loop detection. `group_id` and `deduplication_id` are a FIFO message's (an SNS FIFO topic
    passes both on to its FIFO queues)."""

    arn: str
    body: bytes
    hops: int
    attributes: Attributes | None = None
    condition: str | None = None  # a destination record's, for senders that label by it
    group_id: str | None = None
    deduplication_id: str | None = None


Sender = Callable[[Delivery], None]


class Destinations:
    def __init__(self) -> None:
        self._senders: dict[str, Sender] = {}

    def register(self, service: str, sender: Sender) -> None:
        """`service`: lambda, events, sqs or sns (an ARN's third field)."""
        self._senders[service] = sender

    def can_send(self, arn: str) -> bool:
        """Whether a service here delivers to `arn` (queues and topics may not exist)."""
        return destination_service(arn) in self._senders

    def send(self, delivery: Delivery) -> None:
        """Deliver, or raise `DeliveryFailed` (see the module's contract)."""
        sender = self._senders.get(destination_service(delivery.arn) or "")
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


def string_attributes(values: dict[str, str]) -> Attributes:
    """Text values as String message attributes."""
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    request_payload: bytes,
    result: InvokeResult | None,
) -> bytes:
    """Lambda's destination record. `function_arn` is qualified with the version run (or
    invoked). Without a result (the event expired before any run) there is no response part."""
    record: dict = {
        "version": "1.0",
        "timestamp": _timestamp(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if result is not None:
        context = {"statusCode": result.status_code, "executedVersion": result.executed_version}
        if result.function_error:
            context["functionError"] = result.function_error
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(result.payload)
    return json.dumps(record).encode()


def dead_letter_attributes(request_id: str, result: InvokeResult | None, reason: str) -> Attributes:
    """The message attributes Lambda puts on a dead letter (the body is the original event),
    all of them Strings."""
    message = reason
    if result is not None and result.payload:
        try:
            error = json_document.loads(result.payload, json_document.PAYLOAD_MAX_DEPTH)
            message = error.get("errorMessage") or reason
        except (ValueError, AttributeError):
            message = result.payload.decode("utf-8", "replace")
    status = result.status_code if result is not None else 200
    return string_attributes(
        {
            "RequestID": request_id,
            "ErrorCode": str(status),
            "ErrorMessage": message[:DEAD_LETTER_MESSAGE_LIMIT],
        }
    )


def _json_or_text(payload: bytes) -> object:
    try:
        return json_document.loads(payload, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        return payload.decode("utf-8", "replace")


def _timestamp() -> str:
    """`2019-11-14T18:16:05.568Z`, as in Lambda's records."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
