"""Streams as Lambda's stream pollers read them: the contract between a stream service
(DynamoDB Streams, Kinesis) and the shared poller machinery (issue 17, part C).

A stream service implements `ShardSource` over its own storage; the pollers of Lambda's
event source mappings read every stream through it, never through the service's modules
(no service imports another: DESIGN.md). Sequence numbers are decimal text that sorts as
`int(sequence)`; a position in a shard is "after this sequence" (None: before the first
record still kept, the trim horizon).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Shard:
    shard_id: str
    parent_shard_id: str | None
    starting_sequence: str
    ending_sequence: str | None  # None while the shard is open
    # A merged shard's second parent (Kinesis' AdjacentParentShardId): Lambda reads both
    # parents before their child.
    adjacent_parent_shard_id: str | None = None

    @property
    def parents(self) -> tuple[str, ...]:
        return tuple(p for p in (self.parent_shard_id, self.adjacent_parent_shard_id) if p)


@dataclass(frozen=True)
class ShardRecord:
    sequence: str  # sortable as int(sequence)
    arrival_ms: int
    size: int  # bytes, for the 6 MB batch limit
    # partition key (Kinesis) / item keys JSON (DynamoDB): ParallelizationFactor keeps order
    # per key
    order_key: str
    record: dict  # the whole record as Lambda delivers it in event["Records"]


class ShardSource(Protocol):
    def shards(self, stream_arn: str) -> list[Shard]:
        """The stream's shards; raises `aws.errors.MissingResource` when the stream is gone."""
        ...

    def read(
        self, stream_arn: str, shard_id: str, after: str | None, limit: int
    ) -> list[ShardRecord]:
        """Up to `limit` records after sequence `after` (None: from the trim horizon)."""
        ...

    def latest(self, stream_arn: str, shard_id: str) -> str | None:
        """The last sequence written (for LATEST)."""
        ...

    def before_time(self, stream_arn: str, shard_id: str, ms: int) -> str | None:
        """The sequence just before the first record at/after `ms` (AT_TIMESTAMP)."""
        ...

    async def wait(self, stream_arn: str, timeout_s: float) -> None:
        """Returns when new records may exist, or after timeout: no busy polling."""
        ...


class Arrivals:
    """News of records written to streams, from the service that writes them (any thread) to
    the `ShardSource.wait` of the service that reads them (the event loop), so that pollers
    wait for a signal instead of polling. The factory builds one into the kernels.

    Each stream has a generation, counted up by each notice. A waiting task remembers the
    generation it last woke at: a notice that came while it was reading (after its last wait
    returned, before this one) wakes it at once, so no record committed between a read that
    found nothing and the wait that follows is left waiting for the timeout."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._generation: dict[str, int] = {}
        self._seen: weakref.WeakKeyDictionary[asyncio.Task, dict[str, int]] = (
            weakref.WeakKeyDictionary()
        )
        self._waiters: dict[str, set[asyncio.Future]] = {}
        self._lock = threading.Lock()

    def notify(self, stream_arn: str) -> None:
        """Records were committed to `stream_arn` (call after the commit, from any thread)."""
        with self._lock:
            self._generation[stream_arn] = self._generation.get(stream_arn, 0) + 1
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake(stream_arn)
        else:
            loop.call_soon_threadsafe(self._wake, stream_arn)

    async def wait(self, stream_arn: str, timeout_s: float) -> None:
        """Until a notice for `stream_arn` this task has not woken for, or `timeout_s`. A
        task's first wait on a stream returns at once (it cannot know what it missed)."""
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        seen = self._seen.setdefault(task, {}) if task is not None else {}
        generation = self._generation.get(stream_arn, 0)
        if seen.get(stream_arn) != generation:
            seen[stream_arn] = generation
            return
        future = self._loop.create_future()
        waiters = self._waiters.setdefault(stream_arn, set())
        waiters.add(future)
        try:
            await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            pass
        finally:
            waiters.discard(future)
            if not waiters:
                self._waiters.pop(stream_arn, None)
            seen[stream_arn] = self._generation.get(stream_arn, 0)

    def _wake(self, stream_arn: str) -> None:
        for future in self._waiters.get(stream_arn, ()):
            if not future.done():
                future.set_result(None)
