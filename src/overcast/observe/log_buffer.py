"""Batches log events on their way to the log store, so a busy function costs one write per
batch instead of one per invocation. `logs --follow` sees events within one interval.

The batches are written on a thread of their own, in order, not on the event loop: the log
store writes files, and a new function's first lines make its group's folder and files (some
1.5 ms of file system work on the machines measured, bench/cold_start.py's functions all being
new). On the loop, every request arriving meanwhile waited for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from overcast.types import LogSink

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.05

Batch = dict[tuple[str, str], list[tuple[int, str]]]


class BufferedLogSink:
    """A LogSink that holds events for up to `interval` seconds, then appends them in bulk."""

    def __init__(self, sink: LogSink, interval: float = FLUSH_INTERVAL_S) -> None:
        self._sink = sink
        self._interval = interval
        self._pending: Batch = {}
        self._timer: asyncio.TimerHandle | None = None
        self._after: list[Callable[[], None]] = []
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="log-writer")
        self._last: asyncio.Future[None] | None = None  # the batch handed to the writer last

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        held = self._pending.get((group, stream))
        if held is None:
            self._pending[(group, stream)] = list(events)
        else:
            held.extend(events)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def when_written(self, callback: Callable[[], None]) -> None:
        """Call `callback` once everything held now is written (at once if nothing is)."""
        if self._timer is not None:
            self._after.append(callback)
        elif self._last is not None and not self._last.done():
            self._hand_over({}, [callback])  # behind the batches being written
        else:
            callback()

    def flush(self) -> None:
        """Hand everything held now to the writer."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, {}
        after, self._after = self._after, []
        if pending or after:
            self._hand_over(pending, after)

    async def close(self) -> None:
        """Write everything held, and wait for it (at shutdown)."""
        self.flush()
        if self._last is not None:
            await asyncio.wait((self._last,))
        self._writer.shutdown(wait=True)

    def _hand_over(self, batch: Batch, after: list[Callable[[], None]]) -> None:
        loop = asyncio.get_running_loop()
        written = self._last = loop.run_in_executor(self._writer, self._write, batch)
        written.add_done_callback(lambda done: self._written(done, after))

    def _write(self, batch: Batch) -> None:
        for (group, stream), events in batch.items():
            self._sink.append(group, stream, events)

    @staticmethod
    def _written(done: asyncio.Future[None], after: list[Callable[[], None]]) -> None:
        if done.cancelled() or done.exception() is not None:
            # Whoever waits for these lines to be kept keeps its events: they run again.
            log.error("log events could not be written: %s", done.exception())
            return
        for callback in after:
            callback()
