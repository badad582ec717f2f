"""Event buses at work: PutEvents, matching events to rules, and sending them to targets.

An event put on a bus goes to every target of every enabled rule of that bus whose pattern
matches it. PutEvents answers only once each event's deliveries to functions are committed to
Lambda's asynchronous queue (one transaction for the whole request), so an EventId means kept.

Where events come from:
- PutEvents (`put_events`), entries checked as EventBridge checks them: a bad entry fails
  alone, with its ErrorCode, and counts in FailedEntryCount. An event for a bus that does
  not exist is accepted and dropped, as EventBridge does (it answers with an EventId).
- a scheduled rule firing (`fire`, called by the scheduler): the Scheduled Event, straight
  to the rule's targets.
- a Lambda destination that names an event bus (`send_destination`, registered as the
  `events` sender): the invocation record as the detail of a `lambda` event.
- a rule whose target is another bus (`publish`).
- a replay of an archive (`replay`): to the bus's rules, or only those the replay names.

Every event put on a bus is offered to the bus's archives (`archive`, before its deliveries).

Hops: an event caused by a function (a PutEvents call made inside it carries its trace
header's Lineage count, a destination its record's) keeps that count, and its deliveries to
functions pass it on, so Lambda's queue stops a loop through buses at 16 invocations.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import lru_cache

from overcast.aws import json_document
from overcast.aws.arn import Arn
from overcast.aws.errors import ValidationException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.delivery import SUCCESS, Delivery, DeliveryFailed, Destinations
from overcast.services.events.delivery import Acceptor, ApiCall, Attempt, TargetDelivery
from overcast.services.events.model import Rule, bus_name, event_time
from overcast.services.events.registry import EventRegistry
from overcast.types import InvokePermissions, Resolver

log = logging.getLogger(__name__)

REQUEST_LIMIT_BYTES = 256 * 1024  # PutEvents: the entries of one request together
TIME_SIZE_BYTES = 14  # what a Time field counts for in an entry's size
SCHEDULED_EVENT = "Scheduled Event"
DESTINATION_RESULT = "Lambda Function Invocation Result - "


class LoopTimer:
    """`timer(delay_s, fn)` from any thread: runs `fn` on the server's loop `delay_s` later."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    def __call__(self, delay_s: float, fn: Callable[[], None]) -> None:
        if self._loop is None:
            log.warning("a retry was asked for before the server started; dropped")
            return
        self._loop.call_soon_threadsafe(self._loop.call_later, delay_s, fn)


class EventRouter:
    def __init__(
        self,
        registry: EventRegistry,
        queue: Acceptor,
        resolver: Resolver,
        destinations: Destinations,
        transaction: Callable[[], AbstractContextManager],
        *,
        archive: Callable[[str, str, dict], None] | None = None,
        api: ApiCall | None = None,
        timer: Callable[[float, Callable[[], None]], None] | None = None,
        clock: Callable[[], float] = time.time,
        delay_scale: float = 1.0,
        permissions: InvokePermissions,
    ) -> None:
        self.registry = registry
        self.archive = archive
        self.transaction = transaction
        self.clock = clock
        self.timer = timer if timer is not None else LoopTimer()
        self.delivery = TargetDelivery(
            queue,
            resolver,
            destinations,
            transaction,
            self.publish,
            self.timer,
            permissions=permissions,
            api=api,
            clock=clock,
            delay_scale=delay_scale,
        )
        destinations.register("events", self.send_destination, "event-bus/")

    def start(self) -> None:
        """Needs the running loop (retries are timed on it)."""
        start = getattr(self.timer, "start", None)
        if start is not None:
            start()

    # --- sources ------------------------------------------------------------------------

    def put_events(self, region: str, entries: list[dict], hops: int = 0) -> list[dict]:
        """PutEvents: one result per entry, `{"EventId"}` or `{"ErrorCode", "ErrorMessage"}`."""
        if sum(entry_size(entry) for entry in entries) > REQUEST_LIMIT_BYTES:
            raise ValidationException("Total size of the entries in the request is over the limit.")
        results, accepted = [], []
        for entry in entries:
            error = entry_error(entry)
            if error is not None:
                results.append(error)
                continue
            event = self.envelope(
                region,
                source=entry["Source"],
                detail_type=entry["DetailType"],
                detail=json_document.loads(entry["Detail"], json_document.PAYLOAD_MAX_DEPTH),
                resources=entry.get("Resources") or [],
                moment=_entry_time(entry.get("Time")),
            )
            results.append({"EventId": event["id"]})
            accepted.append((bus_name(entry.get("EventBusName")), event))
        with self.transaction():
            for bus, event in accepted:
                self.publish(region, bus, event, hops)
        return results

    def fire(self, rule: Rule, scheduled: datetime) -> None:
        """A scheduled rule's firing: its Scheduled Event, `time` the scheduled minute."""
        event = self.envelope(
            rule.region,
            source="aws.events",
            detail_type=SCHEDULED_EVENT,
            detail={},
            resources=[rule.arn],
            moment=scheduled,
        )
        with self.transaction():
            for target in rule.targets:
                self.delivery.deliver(Attempt(rule, target, event, 0, scheduled.timestamp()))

    def send_destination(self, delivery: Delivery) -> None:
        """A Lambda destination naming a bus: the record is the detail of a `lambda` event,
        whose resources are the bus and the function version that ran. Raises DeliveryFailed
        when the bus does not exist."""
        region = Arn.parse(delivery.arn).region
        if self.registry.find_bus(region, bus_name(delivery.arn)) is None:
            raise DeliveryFailed(f"The event bus {delivery.arn} does not exist.", missing=True)
        record = json.loads(delivery.body)
        function_arn = record.get("requestContext", {}).get("functionArn")
        outcome = "Success" if delivery.condition == SUCCESS else "Failure"
        event = self.envelope(
            region,
            source="lambda",
            detail_type=DESTINATION_RESULT + outcome,
            detail=record,
            resources=[delivery.arn, function_arn] if function_arn else [delivery.arn],
            moment=datetime.now(UTC),
        )
        self.publish(region, bus_name(delivery.arn), event, delivery.hops)

    # --- matching -----------------------------------------------------------------------

    def publish(
        self, region: str, bus: str, event: dict, hops: int, only: frozenset[str] | None = None
    ) -> None:
        """Send `event` to the targets of every enabled rule of the bus that matches it (of
        those whose ARNs are in `only`, when given)."""
        if self.registry.find_bus(region, bus) is None:
            log.warning(
                "event %s was put on bus %s, which does not exist: dropped", event["id"], bus
            )
            return
        if self.archive is not None:
            self.archive(region, bus, event)
        now = self.clock()
        for rule in self.registry.rules_on(region, bus):
            if only is not None and rule.arn not in only:
                continue
            if rule.enabled and rule.event_pattern and _pattern(rule.event_pattern).matches(event):
                for target in rule.targets:
                    self.delivery.deliver(Attempt(rule, target, event, hops, now))

    def replay(self, region: str, bus: str, event: dict, only: frozenset[str] | None) -> None:
        """A replayed event, delivered as PutEvents delivers (committed before it returns)."""
        with self.transaction():
            self.publish(region, bus, event, 0, only)

    def envelope(
        self,
        region: str,
        *,
        source: str,
        detail_type: str,
        detail: dict,
        resources: list[str],
        moment: datetime,
    ) -> dict:
        """An event as EventBridge delivers it, its fields in EventBridge's order."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": self.registry.account_id,
            "time": event_time(moment),
            "region": region,
            "resources": resources,
            "detail": detail,
        }


def entry_error(entry: dict) -> dict | None:
    """Why EventBridge refuses a PutEvents entry, as the entry's result; None if it is fine."""
    for field in ("Source", "DetailType", "Detail"):
        if not entry.get(field):
            return _failed(
                "InvalidArgument",
                f"Parameter {field} is not valid. Reason: {field} is a required argument.",
            )
    try:
        detail = json_document.loads(entry["Detail"], json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return _failed("MalformedDetail", "Detail is malformed.")
    if entry["Source"].startswith("aws."):
        # Sources in the aws. namespace are AWS services' own.
        return _failed("NotAuthorizedForSourceException", "Not authorized for the source.")
    return None


def entry_size(entry: dict) -> int:
    """An entry's size as EventBridge counts it against the 256 KB limit."""
    size = TIME_SIZE_BYTES if entry.get("Time") is not None else 0
    for field in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(field) or "").encode())
    return size + sum(len(str(resource).encode()) for resource in entry.get("Resources") or [])


def _failed(code: str, message: str) -> dict:
    return {"ErrorCode": code, "ErrorMessage": message}


def _entry_time(value: object) -> datetime:
    """An entry's Time (epoch seconds on the wire, as botocore sends it); now without one."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except ValueError:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                pass
    return datetime.now(UTC)


@lru_cache(maxsize=1024)
def _pattern(text: str) -> EventPattern:
    return EventPattern.parse(text)
