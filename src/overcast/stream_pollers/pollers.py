"""Lambda's pollers of streams (`types.EventSources` for DynamoDB Streams and Kinesis): for
each enabled mapping, a reader per shard, parents before their children ("Lambda processes
records from a parent shard before its children"), each invoking the function with batches
in sequence order (batches.py), and saving where it is (checkpoints.py).

- A reader waits on its `ShardSource` for new records (no polling), then up to
  MaximumBatchingWindowInSeconds for a fuller batch (BatchSize records, under 6 MB).
- ParallelizationFactor: a shard's records are split into that many lanes by their order key
  (a DynamoDB item's keys, a Kinesis partition key), the lanes run concurrently and each
  keeps its records' order.
- FilterCriteria: a record no filter matches is not delivered, and counts as done.
- LATEST / TRIM_HORIZON / AT_TIMESTAMP is resolved when the mapping is first handed over
  (CreateEventSourceMapping), so records written after it returns are delivered.
- Lambda polls with the function's execution role: with roles enforced, a read waits while
  the role may not read the stream, and the mapping's LastProcessingResult says why.
- Stopping (a mapping updated, disabled, deleted; the server stopping) lets a batch being
  invoked finish and be checkpointed; nothing else is waited for.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable, Coroutine

from overcast.aws.errors import InvalidParameterValueException, MissingResource
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.delivery import Destinations
from overcast.shards import Shard, ShardRecord, ShardSource
from overcast.stream_pollers.batches import BatchRunner, split_batches
from overcast.stream_pollers.checkpoints import Checkpoints, Lanes
from overcast.stream_pollers.kinds import StreamKind
from overcast.stream_pollers.windowed import WindowedLanes
from overcast.types import PollerPermissions, Resolver, Runner, Source, StreamMapping

log = logging.getLogger(__name__)

WAIT_S = 10.0  # the longest a reader waits for news of records before reading again
RESCAN_S = 10.0  # how often a mapping looks for new shards (Kinesis reshards)
PAUSE_S = 1.0  # after an error, and while the stream is missing
RECHECK_S = 5.0  # while the role may not read the stream
READ_LIMIT = 10_000


class StreamPollers:
    def __init__(
        self,
        kind: StreamKind,
        source: ShardSource,
        checkpoints: Checkpoints,
        runner: Runner,
        resolver: Resolver,
        destinations: Destinations | None = None,
        permissions: PollerPermissions | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kind = kind
        self.source = source
        self.checkpoints = checkpoints
        self.runner = runner
        self.resolver = resolver
        self.destinations = destinations
        self.permissions = permissions
        self.clock = clock
        self._pollers: dict[str, MappingPoller] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[StreamMapping, Callable[[], None]]] = []

    def check_source(self, region: str, arn: str) -> Source:
        if not self.kind.owns(arn) or arn.split(":")[3] != region:
            raise InvalidParameterValueException(f"Stream not found: {arn}")
        try:
            self.source.shards(arn)
        except MissingResource:
            raise InvalidParameterValueException(f"Stream not found: {arn}") from None
        return Source(False, 0, None, self.kind.service)

    def apply(self, mapping: StreamMapping, done: Callable[[], None]) -> None:
        if mapping.polls:
            self._begin(mapping)
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
        pollers = list(self._pollers.values())
        self._pollers.clear()
        for poller in pollers:
            poller.stop()
        tasks = [p.task for p in pollers if p.task is not None]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=5.0)
            for task in late:
                task.cancel()

    def _apply(self, mapping: StreamMapping, done: Callable[[], None]) -> None:
        old = self._pollers.pop(mapping.uuid, None)
        if old is not None:
            old.stop()
        if mapping.polls:
            poller = MappingPoller(mapping, self, old)
            poller.start()
            self._pollers[mapping.uuid] = poller
        done()

    def _begin(self, mapping: StreamMapping) -> None:
        """Fix where a new mapping starts in each shard (StartingPosition), once."""
        try:
            shards = self.source.shards(mapping.event_source_arn)
        except MissingResource:
            return
        for shard in shards:
            if self.checkpoints.load(mapping.uuid, shard.shard_id) is not None:
                continue
            after = self._starting_point(mapping, shard)
            lanes = {lane: after for lane in range(mapping.parallelization_factor or 1)}
            self.checkpoints.reset(mapping.uuid, shard.shard_id, lanes)

    def _starting_point(self, mapping: StreamMapping, shard: Shard) -> str | None:
        arn = mapping.event_source_arn
        if mapping.starting_position == "LATEST":
            return self.source.latest(arn, shard.shard_id)
        if mapping.starting_position == "AT_TIMESTAMP":
            ms = int((mapping.starting_position_timestamp or 0) * 1000)
            return self.source.before_time(arn, shard.shard_id, ms)
        return None  # TRIM_HORIZON


class MappingPoller:
    """One mapping's shard readers."""

    def __init__(
        self, mapping: StreamMapping, pollers: StreamPollers, previous: MappingPoller | None
    ) -> None:
        self.mapping = mapping
        self.pollers = pollers
        self.previous = previous  # still finishing its batch: waited for before reading
        self.stopped = asyncio.Event()
        self.batches = BatchRunner(
            mapping,
            pollers.kind,
            pollers.runner,
            pollers.resolver,
            pollers.destinations,
            pollers.permissions,
            pollers.clock,
        )
        self.filters = tuple(EventPattern.parse(p) for p in mapping.filters)
        permissions = pollers.permissions
        self.permissions = permissions if permissions and permissions.enforced else None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        self.stopped.set()
        self.batches.running = False

    @property
    def running(self) -> bool:
        return not self.stopped.is_set()

    async def pause(self, seconds: float) -> None:
        """Sleep, but no longer than the poller runs."""
        await self.race(asyncio.sleep(seconds))

    async def race(self, coroutine: Coroutine) -> None:
        """Await `coroutine` unless the poller stops first."""
        task = asyncio.ensure_future(coroutine)
        stop = asyncio.ensure_future(self.stopped.wait())
        try:
            await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, stop):
                pending.cancel()

    async def _run(self) -> None:
        if self.previous is not None and self.previous.task is not None:
            await asyncio.wait((self.previous.task,))
            self.previous = None
        readers: dict[str, asyncio.Task] = {}
        finished: set[str] = set()
        try:
            while self.running:
                try:
                    shards = self.pollers.source.shards(self.mapping.event_source_arn)
                except MissingResource:
                    await self.pause(PAUSE_S)
                    continue
                known = {s.shard_id for s in shards}
                for shard in shards:
                    if shard.shard_id in finished or shard.shard_id in readers:
                        continue
                    if any(p in known and p not in finished for p in shard.parents):
                        continue  # its parents' records first (both, for a merged shard)
                    reader = ShardReader(self, shard)
                    readers[shard.shard_id] = asyncio.get_running_loop().create_task(reader.run())
                if not readers:
                    await self.pause(RESCAN_S)
                    continue
                stop = asyncio.ensure_future(self.stopped.wait())
                done, _ = await asyncio.wait(
                    (*readers.values(), stop), timeout=RESCAN_S,
                    return_when=asyncio.FIRST_COMPLETED,
                )  # fmt: skip
                stop.cancel()
                for shard_id, task in list(readers.items()):
                    if task in done:
                        del readers[shard_id]
                        if not task.cancelled() and task.exception() is None and task.result():
                            finished.add(shard_id)
        finally:
            if readers:
                await asyncio.wait(readers.values())

    def may_read(self) -> bool:
        permissions = self.permissions
        if permissions is None:
            return True
        problem = permissions.refusal(self.mapping, None)
        if problem is not None:
            permissions.report(self.mapping, problem)
        return problem is None

    def matches(self, record: ShardRecord) -> bool:
        return not self.filters or any(f.matches(record.record) for f in self.filters)


class ShardReader:
    def __init__(self, poller: MappingPoller, shard: Shard) -> None:
        self.poller = poller
        self.mapping = poller.mapping
        self.source = poller.pollers.source
        self.checkpoints = poller.pollers.checkpoints
        self.shard = shard
        self.factor = self.mapping.parallelization_factor or 1
        self.lanes: Lanes = {}
        self.windows = (
            WindowedLanes(self.mapping, shard.shard_id, self.checkpoints, poller.batches)
            if self.mapping.tumbling_window_s
            else None
        )

    async def run(self) -> bool:
        """Read until the poller stops (False), or the shard is closed and read (True)."""
        try:
            return await self._read()
        except Exception:  # a reader's failure must not stop the mapping's other shards
            log.exception("event source mapping %s: shard %s", self.mapping.uuid, self.shard)
            await self.poller.pause(PAUSE_S)
            return False

    async def _read(self) -> bool:
        self.lanes = self._load()
        after = _lowest(self.lanes.values())
        arn, shard_id = self.mapping.event_source_arn, self.shard.shard_id
        while self.poller.running:
            if not self.poller.may_read():
                await self.poller.pause(RECHECK_S)
                continue
            records = self.source.read(arn, shard_id, after, READ_LIMIT)
            if not records:
                if self._closed_at(after):
                    return self.windows is None or await self.windows.close_all()
                await self.poller.race(self.source.wait(arn, await self._idle()))
                continue
            records = await self._fill(records)
            after = records[-1].sequence
            await self._deliver(records)
        return False

    async def _idle(self) -> float:
        """Nothing to read: close the windows no record can join any more; how long to wait
        for records."""
        if self.windows is None:
            return WAIT_S
        now_ms = self.poller.pollers.clock() * 1000
        await self.windows.close_idle(now_ms)
        closing = self.windows.idle_in(now_ms)
        return WAIT_S if closing is None else min(WAIT_S, closing)

    def _load(self) -> Lanes:
        uuid, shard_id = self.mapping.uuid, self.shard.shard_id
        lanes = self.checkpoints.load(uuid, shard_id)
        if lanes is None:  # a shard that appeared after the mapping began: from its start
            lanes = {}
        if set(lanes) != set(range(self.factor)):
            start = _lowest(lanes.values()) if lanes else None
            lanes = {lane: start for lane in range(self.factor)}
            self.checkpoints.reset(uuid, shard_id, lanes)
        return lanes

    def _closed_at(self, after: str | None) -> bool:
        """Whether the shard is closed and nothing is left after `after`."""
        try:
            shards = self.source.shards(self.mapping.event_source_arn)
        except MissingResource:
            return True
        shard = next((s for s in shards if s.shard_id == self.shard.shard_id), None)
        if shard is None:
            return True
        if shard.ending_sequence is None:
            return False
        # Closed: nothing more can be written to it. Read once more, as a record may have
        # been committed between the read that found nothing and the close seen here. (The
        # ending sequence is not compared: a Kinesis shard's is past its last record.)
        arn = self.mapping.event_source_arn
        return not self.source.read(arn, self.shard.shard_id, after, 1)

    async def _fill(self, records: list[ShardRecord]) -> list[ShardRecord]:
        """Up to MaximumBatchingWindowInSeconds for a batch to fill."""
        window = self.mapping.maximum_batching_window_s
        wanted = self.mapping.batch_size * self.factor
        if window <= 0 or len(records) >= wanted:
            return records
        loop = asyncio.get_running_loop()
        deadline = loop.time() + window
        arn, shard_id = self.mapping.event_source_arn, self.shard.shard_id
        while len(records) < wanted and self.poller.running:
            left = deadline - loop.time()
            if left <= 0:
                break
            await self.poller.race(self.source.wait(arn, left))
            records += self.source.read(arn, shard_id, records[-1].sequence, READ_LIMIT)
        return records

    async def _deliver(self, records: list[ShardRecord]) -> None:
        by_lane: dict[int, list[ShardRecord]] = {}
        for record in records:
            lane = zlib.crc32(record.order_key.encode()) % self.factor if self.factor > 1 else 0
            done = self.lanes.get(lane)
            if done is not None and int(record.sequence) <= int(done):
                continue  # this lane finished it before a restart
            by_lane.setdefault(lane, []).append(record)
        await asyncio.gather(*(self._lane(lane, found) for lane, found in by_lane.items()))

    async def _lane(self, lane: int, records: list[ShardRecord]) -> None:
        kept = [r for r in records if self.poller.matches(r)]
        if self.windows is not None:
            if not await self.windows.deliver(lane, kept, self._done):
                return
        else:
            for batch in split_batches(kept, self.mapping.batch_size):
                if not self.poller.running:
                    return
                await self.poller.batches.deliver(
                    self.shard.shard_id, batch, lambda record: self._done(lane, record)
                )
        if self.poller.running:
            self._done(lane, records[-1])  # those no filter matched are done too

    def _done(self, lane: int, record: ShardRecord) -> None:
        current = self.lanes.get(lane)
        if current is not None and int(record.sequence) <= int(current):
            return
        self.lanes[lane] = record.sequence
        if self.windows is not None:
            self.windows.save(lane, record.sequence)  # with the window's state
        else:
            self.checkpoints.save(self.mapping.uuid, self.shard.shard_id, lane, record.sequence)


def _lowest(positions) -> str | None:
    found = list(positions)
    if not found or any(p is None for p in found):
        return None
    return min(found, key=int)
