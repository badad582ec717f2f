"""A shard reader's lanes when the mapping has a tumbling window (windows.py): records go to
the function window by window, each lane's open window kept with its checkpoint."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from overcast.shards import ShardRecord
from overcast.stream_pollers.batches import BatchRunner, split_batches
from overcast.stream_pollers.checkpoints import Checkpoints
from overcast.stream_pollers.windows import IDLE_GRACE_S, Window
from overcast.types import StreamMapping

LaneDone = Callable[[int, ShardRecord], None]


class WindowedLanes:
    def __init__(
        self,
        mapping: StreamMapping,
        shard_id: str,
        checkpoints: Checkpoints,
        batches: BatchRunner,
    ) -> None:
        self.mapping = mapping
        self.shard_id = shard_id
        self.checkpoints = checkpoints
        self.batches = batches
        self.length_s = mapping.tumbling_window_s or 0
        self.open: dict[int, Window] = {
            lane: Window(start, self.length_s * 1000, state)
            for lane, (start, state) in checkpoints.windows(mapping.uuid, shard_id).items()
        }

    async def deliver(self, lane: int, records: list[ShardRecord], done: LaneDone) -> bool:
        """The lane's records, in order, window by window; False when the poller stopped."""
        length_ms = self.length_s * 1000
        by_window = itertools.groupby(
            records, key=lambda r: r.arrival_ms - r.arrival_ms % length_ms
        )
        for start_ms, group in by_window:
            window = self.open.get(lane)
            if window is not None and window.start_ms != start_ms:
                if not await self.close(lane):  # a record of a later window: this one is over
                    return False
                window = None
            if window is None:
                window = self.open[lane] = Window(start_ms, length_ms)
            for batch in split_batches(list(group), self.mapping.batch_size):
                if not self.batches.running:
                    return False
                await self.batches.deliver(
                    self.shard_id, batch, lambda record: done(lane, record), window
                )
                if window.too_large() and not await self._terminate_early(lane, window):
                    return False
        return True

    def save(self, lane: int, after: str) -> None:
        """The lane's checkpoint, with its open window's state."""
        uuid, window = self.mapping.uuid, self.open.get(lane)
        if window is None:
            self.checkpoints.save(uuid, self.shard_id, lane, after)
        else:
            self.checkpoints.save_window(
                uuid, self.shard_id, lane, after, window.start_ms, window.state
            )

    async def close(self, lane: int) -> bool:
        """The window's final invocation, then its state is dropped."""
        window = self.open.get(lane)
        if window is None:
            return True
        if not await self.batches.finish(self.shard_id, window):
            return False
        self.checkpoints.end_window(self.mapping.uuid, self.shard_id, lane)
        del self.open[lane]
        return True

    async def close_all(self) -> bool:
        """The shard ended: "Lambda considers the current window to be closed"."""
        for lane in list(self.open):
            if not await self.close(lane):
                return False
        return True

    async def close_idle(self, now_ms: float) -> None:
        """Windows no record can join any more (past their end by IDLE_GRACE_S)."""
        for lane, window in list(self.open.items()):
            if now_ms >= window.end_ms + IDLE_GRACE_S * 1000:
                await self.close(lane)

    def idle_in(self, now_ms: float) -> float | None:
        """Seconds until the first open window may be closed as idle; None when none is open."""
        if not self.open:
            return None
        first = min(window.end_ms for window in self.open.values())
        return max(0.0, (first + IDLE_GRACE_S * 1000 - now_ms) / 1000)

    async def _terminate_early(self, lane: int, window: Window) -> bool:
        """The state passed 1 MB: a final invocation with it, then the same window afresh."""
        if not await self.batches.finish(self.shard_id, window, early=True):
            return False
        window.state = {}
        self.checkpoints.save_window(
            self.mapping.uuid, self.shard_id, lane, None, window.start_ms, window.state
        )
        return True
