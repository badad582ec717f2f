"""Where an asynchronous invocation's outcome goes: OnSuccess/OnFailure destinations and the
function's dead-letter queue, as Lambda shapes them.

Each kind of target (a function, an event bus, a queue, a topic) is a `Sender` registered
under its ARN's service by whoever implements it. Senders are called inside the event store's
transaction that retires the event, and must write what they deliver in that same store (or
be as durable), so a delivery and the event's removal happen together or not at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.engine.invocation import InvokeResult
from overcast.model.event_invoke import destination_service

log = logging.getLogger(__name__)

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
DEAD_LETTER_MESSAGE_LIMIT = 1024  # ErrorMessage attribute: the first 1 KB of the error


@dataclass(frozen=True)
class Delivery:
    """One thing to deliver. `attributes` are message attributes (dead letters carry
    RequestID, ErrorCode and ErrorMessage); `hops` counts the chain for loop detection."""

    arn: str
    body: bytes
    hops: int
    attributes: dict[str, str] | None = None
    condition: str | None = None  # a destination record's, for senders that label by it


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
        sender = self._senders.get(destination_service(delivery.arn) or "")
        if sender is None:
            # Queues and topics may not exist on this server: say so rather than lose it quietly.
            log.warning("no service here delivers to %s; dropped its message", delivery.arn)
            return
        sender(delivery)


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


def dead_letter_attributes(request_id: str, result: InvokeResult | None, reason: str) -> dict:
    """The message attributes Lambda puts on a dead letter (the body is the original event)."""
    message = reason
    if result is not None and result.payload:
        try:
            message = json.loads(result.payload).get("errorMessage") or reason
        except (ValueError, AttributeError):
            message = result.payload.decode("utf-8", "replace")
    status = result.status_code if result is not None else 200
    return {
        "RequestID": request_id,
        "ErrorCode": str(status),
        "ErrorMessage": message[:DEAD_LETTER_MESSAGE_LIMIT],
    }


def _json_or_text(payload: bytes) -> object:
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")


def _timestamp() -> str:
    """`2019-11-14T18:16:05.568Z`, as in Lambda's records."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
