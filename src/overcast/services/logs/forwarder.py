"""Subscription filters' deliveries: a log group's new events that match a filter, sent to the
filter's Lambda function as CloudWatch Logs sends them ("Subscription filters with Lambda"):

    {"awslogs": {"data": base64(gzip({"messageType": "DATA_MESSAGE", "owner": ACCOUNT,
        "logGroup": ..., "logStream": ..., "subscriptionFilters": [NAME],
        "logEvents": [{"id": ..., "timestamp": ..., "message": ...}]}))}}

one payload per stream's batch and filter, invoked asynchronously: each is handed to
Lambda's async queue by the function's ARN (overcast/delivery.py's Destinations), which keeps
it durably and retries it as any async event. Each delivery first asks whether the function's
policy still lets CloudWatch Logs invoke it (invoke_permission.py).

The log store hands a subscribed group's batches to `_offer` after writing them; it only
queues them, so neither the engine's log writes nor PutLogEvents wait for the matching, which
a thread of its own does. Batches past MAX_QUEUED are dropped and counted rather than held:
CloudWatch too gives up on deliveries it cannot make in time.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

from overcast.delivery import Delivery, DeliveryFailed, Destinations
from overcast.observe._logfile import line_sizes
from overcast.observe.filter_pattern import Matcher, matcher
from overcast.observe.log_reader import event_id
from overcast.observe.logs import Appended, LogStore
from overcast.services.logs.invoke_permission import InvokePermission

log = logging.getLogger(__name__)

MAX_QUEUED = 10_000  # batches waiting to be matched
CHUNK_BYTES = 128 * 1024  # of messages per payload: gzip+base64 stays under 256 KB
FILTERS = "subscriptionFilters"  # the settings key of a group's filters


@dataclass(frozen=True)
class Subscription:
    name: str
    matches: Matcher
    destination: str


class Forwarder:
    def __init__(
        self,
        store: LogStore,
        destinations: Destinations,
        owner: str,
        permission: InvokePermission,
    ) -> None:
        self.store = store
        self.destinations = destinations
        self.permission = permission  # whether a filter's function lets Logs invoke it
        self.owner = owner  # the account id the payloads name
        self.dropped = 0  # batches left out because the queue was full
        self._queue: queue.Queue[tuple[Appended, tuple[Subscription, ...]] | None]
        self._queue = queue.Queue(MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._subscribing = threading.Lock()

    def refresh(self, group: str) -> None:
        """Deliver by the filters `group` keeps now (after a change of them). Serialised, so
        of two changes at once the filters of the later one are the ones that stay."""
        with self._subscribing:
            try:
                filters = self.store.settings(group).get(FILTERS, [])
            except LookupError:
                filters = []  # the group is gone (ResourceNotFoundException)
            self.subscribe(group, filters)

    def subscribe(self, group: str, filters: list[dict]) -> None:
        """Deliver `group`'s events written from now on by `filters` (settings' shape);
        no filters: stop."""
        subscriptions = tuple(
            Subscription(f["filterName"], matcher(f["filterPattern"]), f["destinationArn"])
            for f in filters
        )
        self.store.watch(group, partial(self._offer, subscriptions) if subscriptions else None)

    def restore(self) -> None:
        """At start: the filters every group kept."""
        for name, _ in self.store.groups():
            try:
                filters = self.store.settings(name).get(FILTERS, [])
            except (OSError, ValueError, LookupError):
                continue
            if filters:
                self.subscribe(name, filters)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="logs-subscriptions", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Deliver what is queued, then end the thread (before Lambda's queue stops)."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout=30)
        self._thread = None

    def deliver(self, appended: Appended, subscriptions: tuple[Subscription, ...]) -> None:
        """Match one batch against each filter and hand what matched to its function."""
        sizes = line_sizes(appended.events, appended.ingestion_time)
        starts = accumulate(sizes[:-1], initial=appended.position)
        events = [(start, *event) for start, event in zip(starts, appended.events, strict=True)]
        for subscription in subscriptions:
            matched = [event for event in events if subscription.matches(event[2])]
            if matched and not self._may_invoke(appended.group, subscription):
                continue
            for chunk in _chunks(matched):
                body = self.payload(appended, subscription.name, chunk)
                try:
                    self.destinations.send(Delivery(subscription.destination, body, 0))
                except DeliveryFailed as failure:
                    log.warning(
                        "subscription filter %s of %s: %s",
                        subscription.name,
                        appended.group,
                        failure.message,
                    )

    def _may_invoke(self, group: str, subscription: Subscription) -> bool:
        """Whether the filter's function still lets CloudWatch Logs invoke it: a permission
        removed since the filter was put stops its deliveries (they are dropped)."""
        refusal = self.permission.refusal(group, subscription.destination)
        if refusal is not None:
            log.warning("subscription filter %s of %s: %s", subscription.name, group, refusal)
        return refusal is None

    def payload(self, appended: Appended, name: str, events: list[tuple[int, int, str]]) -> bytes:
        data = {
            "messageType": "DATA_MESSAGE",
            "owner": self.owner,
            "logGroup": appended.group,
            "logStream": appended.stream,
            "subscriptionFilters": [name],
            "logEvents": [
                {"id": event_id(appended.stream, timestamp, position), "timestamp": timestamp}
                | {"message": message}
                for position, timestamp, message in events
            ],
        }
        compressed = gzip.compress(json.dumps(data, separators=(",", ":")).encode(), 6)
        return json.dumps({"awslogs": {"data": base64.b64encode(compressed).decode()}}).encode()

    def _offer(self, subscriptions: tuple[Subscription, ...], appended: Appended) -> None:
        try:
            self._queue.put_nowait((appended, subscriptions))
        except queue.Full:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning(
                    "subscription filters: %d batches dropped (falling behind)", self.dropped
                )

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self.deliver(*item)
            except Exception:  # one batch's failure must not end the deliveries
                log.exception(
                    "subscription filters of %s: a batch was not delivered", item[0].group
                )


def _chunks(events: list[tuple[int, int, str]]) -> Iterator[list[tuple[int, int, str]]]:
    chunk: list[tuple[int, int, str]] = []
    size = 0
    for event in events:
        if chunk and size + len(event[2]) > CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(event)
        size += len(event[2])
    if chunk:
        yield chunk
