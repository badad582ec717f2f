"""One batch's fate, as Lambda handles a stream batch ("Error handling for stream event
sources", Lambda Developer Guide):

- The function is invoked synchronously with `{"Records": [...]}`, within its concurrency
  (the poller waits for room, it is never throttled away). A batch that could not reach the
  function (throttled, the function gone) is tried again later, not counted as a retry.
- Success: the batch is done (its checkpoint saved). With ReportBatchItemFailures, a
  response naming failed records (`batchItemFailures[].itemIdentifier`: their sequence
  numbers) checkpoints before the lowest one, and the rest is retried from it; an empty or
  missing list is a success; an identifier that is missing, empty or not in the batch fails
  the whole batch.
- A function error retries the batch, up to MaximumRetryAttempts (-1: until its records
  expire), with a growing pause. BisectBatchOnFunctionError splits a failed batch in two and
  delivers each half in turn; splitting "doesn't consume the retry quota".
- Records older than MaximumRecordAgeInSeconds are not delivered. A batch discarded (retries
  exhausted, records too old) goes to DestinationConfig.OnFailure as a failure record, if
  one is set, and the reader moves past it.
- LastProcessingResult says how the last invocation went ("OK", "PROBLEM: Function call
  failed").
- With a tumbling window (windows.py), the event carries the window and its state, and a
  response without a `state` object is a failed invocation; `finish` makes the window's
  final invocation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws import json_document
from overcast.aws.arn import Arn
from overcast.aws.errors import MissingResource, ServiceError
from overcast.aws.request_id import new_request_id
from overcast.delivery import Delivery, DeliveryFailed, Destinations
from overcast.function import Target
from overcast.shards import ShardRecord
from overcast.stream_pollers.failures import (
    AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    failure_record,
    object_key,
)
from overcast.stream_pollers.kinds import StreamKind
from overcast.stream_pollers.windows import Window, returned_state
from overcast.types import InvokeResult, PollerPermissions, Resolver, Runner, StreamMapping

log = logging.getLogger(__name__)

FUNCTION_FAILED = "PROBLEM: Function call failed"
ADMISSION_ROUND_S = 1.0
PAUSE_S = 1.0  # before trying again a batch that did not reach the function
RETRY_FIRST_S, RETRY_MAX_S = 0.05, 5.0  # the pause between retries of a failed batch
PAYLOAD_LIMIT = 6 * 1024 * 1024

Done = Callable[[ShardRecord], None]  # a record (and those before it in the batch) is done


@dataclass(frozen=True)
class Outcome:
    """How one invocation went: `failed_from` is the index of the first record to retry
    (None: all done); `response` the invocation's, for a failure record."""

    failed_from: int | None
    response: dict | None


class BatchRunner:
    def __init__(
        self,
        mapping: StreamMapping,
        kind: StreamKind,
        runner: Runner,
        resolver: Resolver,
        destinations: Destinations | None,
        permissions: PollerPermissions | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.mapping = mapping
        self.kind = kind
        self.runner = runner
        self.resolver = resolver
        self.destinations = destinations
        self.permissions = permissions
        self.clock = clock
        self.running = True

    async def deliver(
        self, shard_id: str, batch: list[ShardRecord], done: Done, window: Window | None = None
    ) -> None:
        """Until the batch is done or discarded (or the poller stops). With a `window`, its
        state goes with each invocation and is replaced by the one returned."""
        mapping = self.mapping
        attempts, response, pause = 0, None, RETRY_FIRST_S
        while self.running and batch:
            if self._too_old(batch[0]):
                self._discard(shard_id, batch, AGE_EXCEEDED, attempts, response)
                done(batch[-1])
                return
            outcome = await self._invoke(shard_id, batch, window)
            if outcome is None:
                continue  # did not reach the function: not a retry
            if outcome.failed_from is None:
                done(batch[-1])  # checkpointed before "OK" is reported
                self._report(None)
                return
            self._report(FUNCTION_FAILED)
            attempts, response = attempts + 1, outcome.response
            if outcome.failed_from > 0:
                done(batch[outcome.failed_from - 1])
                batch = batch[outcome.failed_from :]
            elif mapping.bisect_batch_on_function_error and len(batch) > 1:
                middle = len(batch) // 2
                await self.deliver(shard_id, batch[:middle], done, window)
                await self.deliver(shard_id, batch[middle:], done, window)
                return
            retries = mapping.maximum_retry_attempts
            if retries is not None and retries >= 0 and attempts > retries:
                self._discard(shard_id, batch, RETRIES_EXHAUSTED, attempts, response)
                done(batch[-1])
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX_S)

    async def finish(self, shard_id: str, window: Window, early: bool = False) -> bool:
        """The window's final invocation (no records, its state, isFinalInvokeForWindow),
        tried until it succeeds; False when the poller stopped first."""
        pause = RETRY_FIRST_S
        while self.running:
            outcome = await self._invoke(shard_id, [], window, final=True, early=early)
            if outcome is not None and outcome.failed_from is None:
                self._report(None)
                return True
            if outcome is not None:
                self._report(FUNCTION_FAILED)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_S)
        return False

    def _too_old(self, first: ShardRecord) -> bool:
        limit = self.mapping.maximum_record_age_s
        if limit is None or limit < 0:
            return False
        return self.clock() * 1000 - first.arrival_ms > limit * 1000

    async def _invoke(
        self,
        shard_id: str,
        batch: list[ShardRecord],
        window: Window | None = None,
        *,
        final: bool = False,
        early: bool = False,
    ) -> Outcome | None:
        """One invocation; None when the batch did not reach the function."""
        mapping = self.mapping
        try:
            target = self.resolver.resolve(mapping.region, mapping.function_arn, None)
        except (MissingResource, ServiceError) as exc:
            log.warning("event source mapping %s: %s", mapping.uuid, exc.message)
            await asyncio.sleep(PAUSE_S)
            return None
        if not await self._admitted(target):
            return None
        records = self._records(batch, target)
        event = (
            {"Records": records}
            if window is None
            else window.event(records, shard_id, mapping.event_source_arn, final=final, early=early)
        )
        payload = json.dumps(event).encode()
        try:
            result = await self.runner.run_admitted(target, payload, new_request_id())
        except (ServiceError, OSError) as exc:  # throttled, or no environment could start
            log.info("event source mapping %s: batch not run (%s)", mapping.uuid, exc)
            await asyncio.sleep(PAUSE_S)
            return None
        response = {
            "statusCode": result.status_code,
            "executedVersion": result.executed_version,
            "functionError": result.function_error,
        }
        response = {k: v for k, v in response.items() if v is not None}
        if final:
            return Outcome(0 if result.function_error else None, response)
        if window is not None:
            state = returned_state(result)
            if state is None:  # "Lambda considers this a failed invocation"
                return Outcome(0, response)
            window.state = state
        return Outcome(failed_from(result, batch, mapping.reports_item_failures), response)

    def _discarded(self, batch: list[ShardRecord]) -> list[dict]:
        """The records as the function was (or would have been) invoked with them."""
        try:
            target = self.resolver.resolve(self.mapping.region, self.mapping.function_arn, None)
        except (MissingResource, ServiceError):
            return [r.record for r in batch]
        return self._records(batch, target)

    def _records(self, batch: list[ShardRecord], target: Target) -> list[dict]:
        if not self.kind.names_identity:
            return [r.record for r in batch]
        return [with_identity(r.record, target.function.role) for r in batch]

    async def _admitted(self, target: Target) -> bool:
        while self.running:
            if await self.runner.admitted(target.function, ADMISSION_ROUND_S):
                return True
        return False

    def _report(self, problem: str | None) -> None:
        if self.permissions is not None:
            self.permissions.report(self.mapping, problem)

    def _discard(
        self,
        shard_id: str,
        batch: list[ShardRecord],
        condition: str,
        attempts: int,
        response: dict | None,
    ) -> None:
        mapping = self.mapping
        log.warning(
            "event source mapping %s: %d record(s) of %s discarded (%s)",
            mapping.uuid,
            len(batch),
            shard_id,
            condition,
        )
        if not mapping.on_failure or self.destinations is None:
            return
        to_s3 = _arn_service(mapping.on_failure) == "s3"
        now_ms = self.clock() * 1000
        body = failure_record(
            batch_info=self.kind.batch_info,
            stream_arn=mapping.event_source_arn,
            shard_id=shard_id,
            records=batch,
            condition=condition,
            request_id=new_request_id(),
            function_arn=mapping.function_arn,
            invocations=attempts,
            response=response,
            now_ms=now_ms,
            payload={"Records": self._discarded(batch)} if to_s3 else None,
        )
        key = object_key(mapping.uuid, shard_id, now_ms) if to_s3 else None
        try:
            self.destinations.send(Delivery(mapping.on_failure, body, 0, object_key=key))
        except DeliveryFailed as failure:
            log.warning("event source mapping %s: %s", mapping.uuid, failure.message)


def failed_from(result: InvokeResult, batch: list[ShardRecord], partial: bool) -> int | None:
    """The index of the first record to retry, or None when the batch succeeded. A function
    error fails it all. With ReportBatchItemFailures, the lowest sequence number the
    response names (an invalid response fails it all)."""
    if result.function_error:
        return 0
    if not partial:
        return None
    try:
        response = (
            json_document.loads(result.payload, json_document.PAYLOAD_MAX_DEPTH)
            if result.payload.strip()
            else None
        )
    except ValueError:
        return 0
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if not failures:
        return None
    if not isinstance(failures, list):
        return 0
    index = {r.sequence: i for i, r in enumerate(batch)}
    lowest = len(batch)
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in index:
            return 0
        lowest = min(lowest, index[identifier])
    return lowest


def with_identity(record: dict, role: str) -> dict:
    """`record` with `invokeIdentityArn` after its `eventName`, where Lambda's Kinesis events
    have it (/work/shared/events/kinesis-event.json)."""
    named: dict = {}
    for key, value in record.items():
        named[key] = value
        if key == "eventName":
            named["invokeIdentityArn"] = role
    named.setdefault("invokeIdentityArn", role)
    return named


def split_batches(records: list[ShardRecord], size: int) -> list[list[ShardRecord]]:
    """BatchSize records at most, and under Lambda's 6 MB payload."""
    batches: list[list[ShardRecord]] = []
    current: list[ShardRecord] = []
    total = 0
    for record in records:
        if current and (len(current) >= size or total + record.size > PAYLOAD_LIMIT):
            batches.append(current)
            current, total = [], 0
        current.append(record)
        total += record.size
    if current:
        batches.append(current)
    return batches


def _arn_service(arn: str) -> str:
    try:
        return Arn.parse(arn).service
    except ValueError:
        return ""
