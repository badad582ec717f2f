"""Lambda's SQS pollers: for each enabled event source mapping, workers that receive batches
from its queue and invoke its function with them, synchronously, within the function's
concurrency.

- A worker waits on the queue (no polling): a message sent is in a batch at once, or after
  MaximumBatchingWindowInSeconds when the batch is not yet full. Batches stay under Lambda's
  6 MB payload limit.
- ScalingConfig.MaximumConcurrency workers run (5 without it: Lambda's initial concurrency).
- Messages no filter matches are deleted, as Lambda does. Messages sent 16 invocations deep
  in a chain are not delivered (to the queue's dead-letter queue if it has one), unless the
  function's recursion config is Allow.
- A successful invocation deletes its batch; with ReportBatchItemFailures only the messages
  the function did not name as failed. A failed one leaves it: its messages come back after
  the visibility timeout, and after maxReceiveCount receives go to the dead-letter queue.
- A mapping outlives its function: DeleteFunction leaves it, still Enabled, as Lambda does
  (DeleteFunction's reference: "To delete Lambda event source mappings that invoke a
  function, use DeleteEventSourceMapping"). Its workers then stop receiving, so messages wait
  in the queue instead of being received and failed over and over; the poller looks for the
  function again, less and less often, and resumes when one of that name exists again. The
  batch that found the function gone comes back after its visibility timeout.
- Lambda polls with the function's execution role (with auth on): before each receive the
  role must allow sqs:ReceiveMessage, DeleteMessage and GetQueueAttributes on the queue
  (its policies, or the queue's). While it does not, nothing is received (the messages wait
  in the queue, their receive counts untouched) and the mapping's LastProcessingResult says
  why; it stays Enabled and polls again once the role allows it. The role is asked at each
  take (each wake of a waiting receive), and a receive waits at most RECHECK_S, as Lambda's
  long polls end, so a permission taken away is reported soon even on an idle queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from overcast.aws import json_document
from overcast.aws.arn import Arn
from overcast.aws.errors import InvalidParameterValueException, MissingResource, ServiceError
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.aws.lineage import MAX_HOPS
from overcast.aws.request_id import new_request_id
from overcast.function import FunctionVersion, Target
from overcast.services.sqs import event
from overcast.services.sqs.broker import Broker, Received
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.registry import QueueRegistry
from overcast.types import (
    InvokeResult,
    PolledMapping,
    PollerPermissions,
    Resolver,
    Runner,
    Source,
)

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 5
PAYLOAD_LIMIT = 6 * 1024 * 1024
ADMISSION_ROUND_S = 1.0
PAUSE_S = 1.0  # after an error, and while the queue is missing
RECHECK_S = 5.0  # the longest receive (and the pause while refused) when roles are checked
RETRY_VISIBILITY_S = 1  # a batch the platform could not run (throttled) comes back this soon
# While the function is gone: look for it again after 1 s, then 2, 4, 8, then every 10 s.
MISSING_FIRST_S, MISSING_MAX_S = 1.0, 10.0


class LoopPolicy(Protocol):
    def stops_loops(self, function: FunctionVersion) -> bool: ...


class QueuePollers:
    """The event sources of services/lambda_/control/event_source_mappings.py (`EventSources`)."""

    def __init__(
        self,
        registry: QueueRegistry,
        broker: Broker,
        runner: Runner,
        resolver: Resolver,
        loops: LoopPolicy,
        permissions: PollerPermissions | None = None,
        recheck_s: float = RECHECK_S,
    ) -> None:
        self.registry = registry
        self.broker = broker
        self.runner = runner
        self.resolver = resolver
        self.loops = loops
        self.permissions = permissions  # None: any role may poll (the pollers' own tests)
        self.recheck_s = recheck_s  # RECHECK_S times the server's --async-delay-scale (tests)
        self._pollers: dict[str, Poller] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[PolledMapping, Callable[[], None]]] = []

    def check_source(self, region: str, arn: str) -> Source:
        if not _is_queue_arn(arn):
            raise InvalidParameterValueException(
                f"Unrecognized event source {arn}: Overcast reads Amazon SQS queues."
            )
        queue = self.registry.by_arn(arn)
        if queue is None:
            raise InvalidParameterValueException(
                "Error occurred while ReceiveMessage. SQS Error Code: "
                "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified "
                "queue does not exist."
            )
        return Source(queue.fifo, queue.visibility_timeout, _policy(queue))

    def apply(self, mapping: PolledMapping, done: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None:
            self._pending.append((mapping, done))
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._apply(mapping, done)
        else:
            loop.call_soon_threadsafe(self._apply, mapping, done)

    def start(self) -> None:
        """Needs the running loop: starts the pollers of mappings handed over before."""
        self._loop = asyncio.get_running_loop()
        pending, self._pending = self._pending, []
        for mapping, done in pending:
            self._apply(mapping, done)

    async def stop(self) -> None:
        for poller in self._pollers.values():
            poller.stop(cancel_all=True)
        self._pollers.clear()

    def _apply(self, mapping: PolledMapping, done: Callable[[], None]) -> None:
        old = self._pollers.pop(mapping.uuid, None)
        if old is not None:
            old.stop()
        if mapping.polls:
            poller = Poller(mapping, self)
            poller.start()
            self._pollers[mapping.uuid] = poller
        done()


def _policy(queue: Queue) -> str | None:
    return queue.record.attributes.get("Policy") or None


def _is_queue_arn(text: str) -> bool:
    """`arn:PARTITION:sqs:REGION:ACCOUNT:NAME`, the only event source read here."""
    try:
        parsed = Arn.parse(text)
    except ValueError:
        return False
    return parsed.service == "sqs" and ":" not in parsed.resource


class Poller:
    """One mapping's workers. Stopping lets a worker finish the batch it is running."""

    def __init__(self, mapping: PolledMapping, pollers: QueuePollers) -> None:
        self.mapping = mapping
        self.broker = pollers.broker
        self.registry = pollers.registry
        self.runner = pollers.runner
        self.resolver = pollers.resolver
        self.loops = pollers.loops
        permissions = pollers.permissions
        self.permissions = permissions if permissions and permissions.enforced else None
        self.recheck_s = pollers.recheck_s
        self.refused = False  # the last check found the role lacking (logged once)
        self.running = True
        self.filters = tuple(EventPattern.parse(p) for p in mapping.filters)
        self._workers: set[asyncio.Task] = set()
        self._idle: set[asyncio.Task] = set()
        self._watcher: asyncio.Task | None = None  # looks for the function while it is gone

    def start(self) -> None:
        """Workers up to the mapping's concurrency (some may still be finishing a batch)."""
        loop = asyncio.get_running_loop()
        wanted = self.mapping.maximum_concurrency or DEFAULT_CONCURRENCY
        for _ in range(wanted - len(self._workers)):
            task = loop.create_task(self._work())
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    def stop(self, cancel_all: bool = False) -> None:
        self.running = False
        if self._watcher is not None:
            self._watcher.cancel()
        for task in list(self._workers if cancel_all else self._idle):
            task.cancel()

    @property
    def function_gone(self) -> bool:
        return self._watcher is not None

    async def _work(self) -> None:
        task = asyncio.current_task()
        while self.running and not self.function_gone:
            self._idle.add(task)
            try:
                queue = self.registry.by_arn(self.mapping.event_source_arn)
                if queue is None:
                    await asyncio.sleep(PAUSE_S)
                    continue
                batch = await self._gather(queue)
                if not batch and self.refused:
                    await asyncio.sleep(self.recheck_s)  # the role may not poll: ask again later
            finally:
                self._idle.discard(task)
            if not batch:
                continue  # the queue was deleted meanwhile
            try:
                await self._process(queue, batch)
            except Exception:  # one bad batch must not stop the poller
                log.exception("event source mapping %s", self.mapping.uuid)
                await asyncio.sleep(PAUSE_S)

    async def _gather(self, queue: Queue) -> list[Received]:
        """A batch: waits for a first message, then up to the batching window for more."""
        mapping = self.mapping
        checked = self.permissions is not None
        may_take = (lambda: self._may_poll(queue)) if checked else None
        batch = await self.broker.receive(
            queue,
            mapping.batch_size,
            wait_s=self.recheck_s if checked else None,
            max_bytes=PAYLOAD_LIMIT,
            may_take=may_take,
        )
        window = mapping.maximum_batching_window_s
        if not batch or window <= 0 or len(batch) >= mapping.batch_size:
            return batch
        deadline = asyncio.get_running_loop().time() + window
        size = sum(r.message.size for r in batch)
        try:
            while len(batch) < mapping.batch_size and size < PAYLOAD_LIMIT:
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                more = await self.broker.receive(
                    queue,
                    mapping.batch_size - len(batch),
                    wait_s=left,
                    max_bytes=PAYLOAD_LIMIT - size,
                    may_take=may_take,
                )
                if not more:
                    break
                batch += more
                size += sum(r.message.size for r in more)
        except asyncio.CancelledError:
            self._release(queue, batch, 0)  # stopped while batching: others may take them
            raise
        return batch

    def _may_poll(self, queue: Queue) -> bool:
        """Whether the function's role may poll the queue now; reported to the mapping."""
        permissions = self.permissions
        if permissions is None:
            return True
        problem = permissions.refusal(self.mapping, _policy(queue))
        permissions.report(self.mapping, problem)
        if (problem is not None) != self.refused:
            self.refused = problem is not None
            log.warning(
                "event source mapping %s: %s",
                self.mapping.uuid,
                problem or "the execution role may poll its queue again",
            )
        return problem is None

    async def _process(self, queue: Queue, batch: list[Received]) -> None:
        mapping = self.mapping
        try:
            target = self.resolver.resolve(mapping.region, mapping.function_arn, None)
        except MissingResource as exc:
            self._lost_function(exc)  # the batch comes back after its visibility timeout
            return
        except ServiceError as exc:
            # The messages come back after their visibility timeout, as on Lambda.
            log.warning("event source mapping %s: %s", mapping.uuid, exc.message)
            await asyncio.sleep(PAUSE_S)
            return
        batch = self._stop_loops(queue, batch, target)
        kept, dropped = self._filtered(queue, batch)
        if dropped:
            self.broker.delete(queue, [r.handle for r in dropped])
        if not kept:
            return
        if not await self._admitted(target):
            self._release(queue, [r for r, _ in kept], 0)
            return
        payload = event.batch([record for _, record in kept])
        hops = max(r.message.hops for r, _ in kept)
        try:
            result = await self.runner.run_admitted(target, payload, new_request_id(), hops)
        except (ServiceError, OSError) as exc:  # throttled, or no environment could start
            log.info("event source mapping %s: batch not run (%s)", mapping.uuid, exc)
            self._release(queue, [r for r, _ in kept], RETRY_VISIBILITY_S)
            return
        ids = {r.message.id for r, _ in kept}
        failed = failed_ids(result, ids, mapping.reports_item_failures)
        done = [r.handle for r, _ in kept if r.message.id not in failed]
        if done:
            self.broker.delete(queue, done)

    def _lost_function(self, error: MissingResource) -> None:
        """The function is gone: workers stop receiving (those waiting for a message now),
        and one task looks for the function until it is back."""
        if self.function_gone or not self.running:
            return
        log.warning(
            "event source mapping %s: %s; it stays Enabled and receives nothing from %s "
            "until the function exists again (DeleteEventSourceMapping removes it)",
            self.mapping.uuid,
            error.message,
            self.mapping.event_source_arn,
        )
        for task in list(self._idle):
            task.cancel()  # a batch being gathered is released (see _gather)
        self._watcher = asyncio.get_running_loop().create_task(self._watch_function())

    async def _watch_function(self) -> None:
        delay = MISSING_FIRST_S
        while True:
            await asyncio.sleep(delay)
            try:
                self.resolver.resolve(self.mapping.region, self.mapping.function_arn, None)
            except MissingResource:
                delay = min(delay * 2, MISSING_MAX_S)
                continue
            except ServiceError:
                pass  # it exists (Pending, say): the workers deal with that as usual
            break
        log.info(
            "event source mapping %s: %s exists again; polling resumes",
            self.mapping.uuid,
            self.mapping.function_arn,
        )
        self._watcher = None
        if self.running:
            self.start()

    def _stop_loops(self, queue: Queue, batch: list[Received], target: Target) -> list[Received]:
        """Lambda stops a recursive loop at its 17th invocation: those messages are taken
        out (to the queue's dead-letter queue, if any) instead of being delivered."""
        looping = [r for r in batch if r.message.hops >= MAX_HOPS]
        if not looping or not self.loops.stops_loops(target.function):
            return batch
        log.warning(
            "recursive loop stopped: %d message(s) of %s not sent to %s",
            len(looping),
            queue.arn,
            target.function.name,
        )
        self.broker.discard(queue, looping)
        return [r for r in batch if r.message.hops < MAX_HOPS]

    def _filtered(
        self, queue: Queue, batch: list[Received]
    ) -> tuple[list[tuple[Received, dict]], list[Received]]:
        """(received, record) pairs some filter matches, and the messages none does."""
        kept, dropped = [], []
        for received in batch:
            record = event.record(received, queue)
            if not self.filters or any(f.matches(event.filter_view(record)) for f in self.filters):
                kept.append((received, record))
            else:
                dropped.append(received)
        return kept, dropped

    async def _admitted(self, target: Target) -> bool:
        """Wait for room in the function's concurrency (the poller waits, it is never
        throttled away); False if the poller stopped meanwhile."""
        while self.running:
            if await self.runner.admitted(target.function, ADMISSION_ROUND_S):
                return True
        return False

    def _release(self, queue: Queue, batch: list[Received], visibility_s: int) -> None:
        if batch:
            self.broker.change_visibility(queue, [(r.handle, visibility_s) for r in batch])


def failed_ids(result: InvokeResult, ids: set[str], partial: bool) -> set[str]:
    """The messages of a batch that failed. A function error fails them all. With
    ReportBatchItemFailures, the response names the failures: an empty or missing
    `batchItemFailures` is a success, an identifier that is missing, empty or not in the batch
    (or a response that is not JSON) fails the whole batch, as Lambda decides."""
    if result.function_error:
        return ids
    if not partial:
        return set()
    try:
        response = (
            json_document.loads(result.payload, json_document.PAYLOAD_MAX_DEPTH)
            if result.payload.strip()
            else None
        )
    except ValueError:
        return ids
    if not isinstance(response, dict):
        return set()
    failures = response.get("batchItemFailures")
    if not failures:
        return set()
    if not isinstance(failures, list):
        return ids
    failed = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in ids:
            return ids
        failed.add(identifier)
    return failed
