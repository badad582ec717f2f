"""BufferedLogSink: events reach the sink in order, batched, and nothing is held past flush."""

from __future__ import annotations

import asyncio
import threading

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
        await buffered.close()  # waits for the writer thread
        return sink

    assert asyncio.run(scenario()).calls == [("g", "a", [(1, "one")])]


class BlockedSink(ListSink):
    """Appends only once `go` is set (a slow disk), on the writer's thread."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        self.go.wait(5)
        super().append(group, stream, events)


def test_writes_run_off_the_loop_and_when_written_waits_for_them() -> None:
    async def scenario() -> tuple[list[str], ListSink]:
        sink, seen = BlockedSink(), []
        buffered = BufferedLogSink(sink, interval=60)
        buffered.append("g", "a", [(1, "one")])
        buffered.flush()  # returns at once: the write waits on the writer's thread
        buffered.when_written(lambda: seen.append(f"written {len(sink.calls)}"))
        await asyncio.sleep(0.05)
        seen.append("loop ran")
        sink.go.set()
        await buffered.close()
        await asyncio.sleep(0)  # the callbacks run on the loop
        return seen, sink

    seen, sink = asyncio.run(scenario())
    assert seen == ["loop ran", "written 1"]
    assert sink.calls == [("g", "a", [(1, "one")])]


class FailingSink(ListSink):
    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        raise OSError(28, "No space left on device")


def test_a_failed_write_does_not_tell_its_waiters_it_was_written() -> None:
    async def scenario() -> list[str]:
        seen: list[str] = []
        buffered = BufferedLogSink(FailingSink(), interval=60)
        buffered.append("g", "a", [(1, "one")])
        buffered.when_written(lambda: seen.append("written"))
        await buffered.close()
        await asyncio.sleep(0)
        return seen

    assert asyncio.run(scenario()) == []  # their events stay, and run again
