"""BufferedLogSink: events reach the sink in order, batched, and nothing is held past flush."""

from __future__ import annotations

import asyncio

from overcast.observe.log_buffer import BufferedLogSink


class ListSink:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, list[tuple[int, str]]]] = []

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        self.calls.append((group, stream, events))


def test_events_are_batched_per_stream_and_flushed_after_the_interval() -> None:
    async def scenario() -> ListSink:
        sink = ListSink()
        buffered = BufferedLogSink(sink, interval=0.01)
        buffered.append("g", "a", [(1, "one")])
        buffered.append("g", "b", [(2, "two")])
        buffered.append("g", "a", [(3, "three")])
        assert sink.calls == []
        while not sink.calls:
            await asyncio.sleep(0.005)  # the flush is driven by the loop's timer
        return sink

    sink = asyncio.run(scenario())
    assert sink.calls == [("g", "a", [(1, "one"), (3, "three")]), ("g", "b", [(2, "two")])]


def test_flush_writes_everything_at_once() -> None:
    async def scenario() -> ListSink:
        sink = ListSink()
        buffered = BufferedLogSink(sink, interval=60)
        buffered.append("g", "a", [(1, "one")])
        buffered.flush()
        buffered.flush()
        return sink

    assert asyncio.run(scenario()).calls == [("g", "a", [(1, "one")])]
