"""Lambda's asynchronous invocation queue: accepted events kept on disk, run within the
function's concurrency, retried as Lambda retries them, then sent to their destinations.

- `accept` commits the event to the EventStore before returning, so a 202 means kept.
- Each function has a lane: its events ordered by when they are due. A lane's pump waits for a
  concurrency slot (events wait, they are never throttled away) and starts the event.
- A function error or timeout is retried MaximumRetryAttempts times, about 1 then 2 minutes
  apart; throttles and platform errors are retried with backoff (1 s doubling to 5 min) until
  MaximumEventAgeInSeconds. `delay_scale` shrinks these delays and ages alike (tests, demos).
- A finished event is removed in the same transaction that delivers its destination record
  or dead letter. One that failed for good is counted for its function (`stats`, shown by
  `overcast queue stats`), and so is one that nothing kept (no DLQ or OnFailure destination
  took it, or its function is gone): no event is lost unseen.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from overcast.aws.arn import function_target
from overcast.aws.errors import ServiceError
from overcast.aws.lineage import MAX_HOPS
from overcast.aws.request_id import new_request_id
from overcast.delivery import (
    EVENT_AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    SUCCESS,
    Delivery,
    DeliveryFailed,
    Destinations,
)
from overcast.engine.destinations import dead_letter_attributes, invocation_record
from overcast.function import FunctionVersion, Target
from overcast.services.lambda_.errors import ResourceNotFoundException, TooManyRequestsException
from overcast.services.lambda_.model.event_invoke import AsyncPolicy
from overcast.store.events import EventStore, QueuedEvent
from overcast.types import InvokeResult, Resolver, Runner

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (60.0, 120.0)  # after the first and the second failed attempt
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 300.0
PAYLOAD_CACHE_ITEM, PAYLOAD_CACHE_BYTES = 64 * 1024, 64 * 1024 * 1024
ADMISSION_ROUND_S = 1.0


class Policies(Protocol):
    """The control plane's side (services/lambda_/control/event_invoke.py)."""

    def policy(self, target: Target) -> AsyncPolicy: ...

    def stops_loops(self, function: FunctionVersion) -> bool: ...


@dataclass
class Lane:
    """One function's events, by due time."""

    heap: list[tuple[int, int, QueuedEvent]] = field(default_factory=list)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    pump: asyncio.Task | None = None
    waiting: int = 0  # popped by the pump, waiting for a concurrency slot
    running: int = 0


class AsyncQueue:
    def __init__(
        self,
        store: EventStore,
        runner: Runner,
        resolver: Resolver,
        policies: Policies,
        destinations: Destinations,
        *,
        delay_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
        after_logs: Callable[[Callable[[], None]], None] = lambda then: then(),
    ) -> None:
        self.store = store
        self.runner = runner
        self.resolver = resolver
        self.policies = policies
        self.destinations = destinations
        self.delay_scale = delay_scale
        self.clock = clock
        self.after_logs = after_logs  # the log sink's when_written
        self._lanes: dict[tuple[str, str], Lane] = {}
        self._tasks: set[asyncio.Task] = set()
        self._throttled: dict[int, int] = {}  # event id -> throttles in a row
        self._order = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._batch: list[tuple[QueuedEvent, bytes]] = []  # waiting for the group commit
        self._committed: asyncio.Future | None = None
        # Payloads of events accepted since start, so running one reads nothing back; small
        # ones only, within a budget (a backlog of large events stays on disk).
        self._payloads: dict[int, bytes] = {}
        self._payload_bytes = 0
        self._done: list[int] = []  # finished, removed once their logs are written
        destinations.register("lambda", self._send_to_function, "function:")

    # --- accepting --------------------------------------------------------------------------

    def accept(
        self,
        target: Target,
        payload: bytes,
        *,
        request_id: str,
        hops: int = 0,
        route: str | None = None,
    ) -> QueuedEvent:
        """Keep an event for `target` (durably, before returning) and schedule it."""
        event = self._event(target, request_id, hops, route)
        self.store.add(event, payload)
        self._on_loop(self._schedule, event, payload)
        return event

    async def submit(
        self, target: Target, payload: bytes, *, request_id: str, hops: int = 0
    ) -> None:
        """`accept` for the Invoke endpoint, on the loop: the events that arrive together share
        one commit (group commit); this returns once this one is kept."""
        self._batch.append((self._event(target, request_id, hops, None), payload))
        if self._committed is None:
            self._committed = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(self._commit)
        await asyncio.shield(self._committed)

    def _commit(self) -> None:
        batch, committed = self._batch, self._committed
        self._batch, self._committed = [], None
        try:
            self.store.add_all(batch)
        except Exception as exc:
            committed.set_exception(exc)
            return
        for event, payload in batch:
            self._schedule(event, payload)
        committed.set_result(None)

    def _event(self, target: Target, request_id: str, hops: int, route: str | None) -> QueuedEvent:
        function = target.function
        now = self._now_ms()
        return QueuedEvent(
            id=0,
            request_id=request_id,
            region=function.region,
            function_name=function.name,
            qualifier=_qualifier(target.invoked_arn),
            received_ms=now,
            due_ms=now,
            hops=hops,
            route=route,
        )

    def start(self) -> None:
        """Needs the running loop: schedule every event kept from before."""
        self._loop = asyncio.get_running_loop()
        for event in self.store.pending():
            self._schedule(event)

    async def stop(self) -> None:
        """Stop running; unfinished events stay in the store and run after a restart."""
        for lane in self._lanes.values():
            if lane.pump is not None:
                lane.pump.cancel()
        for task in list(self._tasks):
            task.cancel()

    def stats(self) -> dict[str, dict[str, int]]:
        """Per function (region:name): events queued (due), retrying (waiting), running; and
        since the data dir was made, events that failed for good and events dropped."""
        now = self._now_ms()
        outcomes = self.store.outcomes()
        out = {}
        for region, name in sorted({*self._lanes, *outcomes}):
            lane = self._lanes.get((region, name)) or Lane()
            due = sum(1 for d, _, _ in lane.heap if d <= now)
            failed, dropped = outcomes.get((region, name), (0, 0))
            counts = {
                "queued": due + lane.waiting,
                "retrying": len(lane.heap) - due,
                "running": lane.running,
                "failed": failed,
                "dropped": dropped,
            }
            if any(counts.values()):
                out[f"{region}:{name}"] = counts
        return out

    # --- lanes ------------------------------------------------------------------------------

    def _schedule(self, event: QueuedEvent, payload: bytes | None = None) -> None:
        if payload is not None and len(payload) <= PAYLOAD_CACHE_ITEM:
            if self._payload_bytes + len(payload) <= PAYLOAD_CACHE_BYTES:
                self._payloads[event.id] = payload
                self._payload_bytes += len(payload)
        lane = self._lanes.setdefault((event.region, event.function_name), Lane())
        heapq.heappush(lane.heap, (event.due_ms, next(self._order), event))
        lane.wakeup.set()
        if lane.pump is None or lane.pump.done():
            lane.pump = asyncio.get_running_loop().create_task(self._pump(lane))

    async def _pump(self, lane: Lane) -> None:
        while lane.heap:
            delay = (lane.heap[0][0] - self._now_ms()) / 1000
            if delay > 0:
                lane.wakeup.clear()
                try:
                    await asyncio.wait_for(lane.wakeup.wait(), delay)
                except TimeoutError:
                    pass
                continue
            _, _, event = heapq.heappop(lane.heap)
            lane.waiting = 1
            try:
                await self._dispatch(lane, event)
            except Exception:  # one bad event must not stop the lane
                log.exception("asynchronous event %s", event.request_id)
            finally:
                lane.waiting = 0

    async def _dispatch(self, lane: Lane, event: QueuedEvent) -> None:
        """Wait for room to run the event, then start it (or finish it if it is too old)."""
        while True:
            try:
                target = self.resolver.resolve(event.region, event.function_name, event.qualifier)
            except ResourceNotFoundException:
                log.warning("dropping event %s: %s is gone", event.request_id, event.function_name)
                with self.store.transaction():
                    self.store.count_outcome(event.region, event.function_name, 0, 1)
                    self._remove(event.id)
                return
            except ServiceError:  # e.g. the function is still Pending: try again shortly
                self._backoff(event)
                return
            policy = self.policies.policy(target)
            max_age_s = policy.maximum_event_age_s * self.delay_scale
            left_s = (event.received_ms / 1000 + max_age_s) - self.clock()
            if event.hops >= MAX_HOPS and self.policies.stops_loops(target.function):
                log.warning("recursive loop stopped: event %s", event.request_id)
                self._finish_failed(event, target, policy, RETRIES_EXHAUSTED, None)
                return
            if left_s <= 0:
                self._finish_failed(event, target, policy, EVENT_AGE_EXCEEDED, None)
                return
            # Wait a little at a time: the function's settings (its reserved concurrency
            # above all) may change while it waits, and are read afresh each round.
            if await self.runner.admitted(target.function, min(left_s, ADMISSION_ROUND_S)):
                break
        lane.running += 1
        task = asyncio.get_running_loop().create_task(self._run(lane, event, target, policy))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self, lane: Lane, event: QueuedEvent, target: Target, policy: AsyncPolicy
    ) -> None:
        try:
            payload = self._payload(event.id)
            if payload is None:
                return
            try:
                result = await self.runner.run_admitted(
                    target, payload, event.request_id, event.hops
                )
            except (TooManyRequestsException, ServiceError, OSError) as exc:
                log.info("event %s not run (%s); retrying", event.request_id, exc)
                self._backoff(event)
                return
            self._throttled.pop(event.id, None)
            event.attempts += 1
            self._settle(event, target, policy, payload, result)
        finally:
            lane.running -= 1

    # --- outcomes ---------------------------------------------------------------------------

    def _settle(
        self,
        event: QueuedEvent,
        target: Target,
        policy: AsyncPolicy,
        payload: bytes,
        result: InvokeResult,
    ) -> None:
        if result.function_error is None:
            self._finish(event, target, policy.on_success, SUCCESS, payload, result)
        elif event.attempts <= policy.maximum_retry_attempts:
            delay = RETRY_DELAYS_S[min(event.attempts, len(RETRY_DELAYS_S)) - 1]
            self._retry(event, delay)
        else:
            self._finish_failed(event, target, policy, RETRIES_EXHAUSTED, result, payload)

    def _finish_failed(
        self,
        event: QueuedEvent,
        target: Target,
        policy: AsyncPolicy,
        condition: str,
        result: InvokeResult | None,
        payload: bytes | None = None,
    ) -> None:
        payload = payload if payload is not None else self._payload(event.id) or b"{}"
        with self.store.transaction():
            kept = self._finish(event, target, policy.on_failure, condition, payload, result)
            if policy.dead_letter:
                attributes = dead_letter_attributes(event.request_id, result, condition)
                kept |= self.destinations.send_or_drop(
                    Delivery(policy.dead_letter, payload, event.hops + 1, attributes)
                )
            self.store.count_outcome(event.region, event.function_name, 1, 0 if kept else 1)
        fate = "sent to its destination" if kept else "dropped: no DLQ or destination took it"
        log.warning(
            "event %s of %s failed for good (%s); %s",
            event.request_id,
            event.function_name,
            condition,
            fate,
        )

    def _finish(
        self,
        event: QueuedEvent,
        target: Target,
        destination: str | None,
        condition: str,
        payload: bytes,
        result: InvokeResult | None,
    ) -> bool:
        """Remove the event, delivering its record to `destination` in the same commit;
        whether the record was delivered."""
        delivered = False
        with self.store.transaction():
            if destination:
                function = target.function
                record = invocation_record(
                    request_id=event.request_id,
                    function_arn=f"{function.function_arn}:{function.version}",
                    condition=condition,
                    invoke_count=event.attempts,
                    request_payload=payload,
                    result=result,
                )
                delivery = Delivery(destination, record, event.hops + 1, condition=condition)
                delivered = self.destinations.send_or_drop(delivery)
            self._remove(event.id)
        self._throttled.pop(event.id, None)
        return delivered

    def _retry(self, event: QueuedEvent, delay_s: float) -> None:
        event.due_ms = self._now_ms() + int(delay_s * self.delay_scale * 1000)
        self.store.reschedule(event)
        self._schedule(event)

    def _backoff(self, event: QueuedEvent) -> None:
        """Throttled or the platform failed: not the function's fault, so no attempt is
        counted; retried with doubling delays until the event is too old."""
        count = self._throttled.get(event.id, 0)
        self._throttled[event.id] = count + 1
        self._retry(event, min(BACKOFF_FIRST_S * 2**count, BACKOFF_MAX_S))

    def _send_to_function(self, delivery: Delivery) -> None:
        """The `lambda` sender: a destination that is a function gets a new event."""
        region, name, qualifier = function_target(delivery.arn)
        try:
            target = self.resolver.resolve(region, name, qualifier)
        except ServiceError as exc:
            missing = isinstance(exc, ResourceNotFoundException)
            raise DeliveryFailed(exc.message, missing=missing) from None
        self.accept(target, delivery.body, request_id=new_request_id(), hops=delivery.hops)

    # --- helpers ----------------------------------------------------------------------------

    def _remove_done(self) -> None:
        done, self._done = self._done, []
        self.store.remove_all(done)

    def _payload(self, event_id: int) -> bytes | None:
        payload = self._payloads.get(event_id)
        return payload if payload is not None else self.store.payload(event_id)

    def _remove(self, event_id: int) -> None:
        """Forget a finished event once its invocation's log lines are written: after a crash
        an event either ran with its log kept, or runs again."""
        self._done.append(event_id)
        if len(self._done) == 1:
            self.after_logs(self._remove_done)
        payload = self._payloads.pop(event_id, None)
        if payload is not None:
            self._payload_bytes -= len(payload)

    def _on_loop(self, fn: Callable, *args: object) -> None:
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)


def _qualifier(invoked_arn: str) -> str | None:
    return function_target(invoked_arn)[2]
