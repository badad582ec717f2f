"""Batches log events on their way to the log store, so a busy function costs one write per
batch instead of one per invocation. `logs --follow` sees events within one interval."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from overcast.types import LogSink

FLUSH_INTERVAL_S = 0.05


class BufferedLogSink:
    """A LogSink that holds events for up to `interval` seconds, then appends them in bulk."""

    def __init__(self, sink: LogSink, interval: float = FLUSH_INTERVAL_S) -> None:
        self._sink = sink
        self._interval = interval
        self._pending: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._after: list[Callable[[], None]] = []

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
        if self._timer is None:
            callback()
        else:
            self._after.append(callback)

    def flush(self) -> None:
        """Write everything held now (also called at shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, {}
        for (group, stream), events in pending.items():
            self._sink.append(group, stream, events)
        after, self._after = self._after, []
        for callback in after:
            callback()
