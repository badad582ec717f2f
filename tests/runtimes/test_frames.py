"""Frames between the engine and a Python environment, however the bytes arrive."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from overcast.runtimes.python import protocol

INVOKE = protocol.encode(protocol.INVOKE, {"request_id": "r-1", "trace_id": "ü"}, b'{"a": 1}')
READY = protocol.encode(protocol.READY, {})
BIG = protocol.encode(protocol.RESPONSE, {"max_rss_kb": 7}, b"x" * 200_000)


def test_a_frame_that_arrives_whole_is_decoded() -> None:
    assert protocol.FrameReader().feed(INVOKE) == [
        (protocol.INVOKE, {"request_id": "r-1", "trace_id": "ü"}, b'{"a": 1}')
    ]
    assert protocol.FrameReader().feed(READY) == [(protocol.READY, {}, b"")]


def test_frames_split_and_joined_any_way_come_out_whole_and_in_order() -> None:
    stream = INVOKE + READY + BIG + INVOKE
    expected = [protocol.FrameReader().feed(f)[0] for f in (INVOKE, READY, BIG, INVOKE)]
    for size in (1, 5, 9, 10, 64, 4096, len(stream)):
        reader, frames = protocol.FrameReader(), []
        for start in range(0, len(stream), size):
            frames += reader.feed(stream[start : start + size])
        assert frames == expected, size


def test_a_whole_frame_after_a_partial_one_waits_its_turn() -> None:
    reader = protocol.FrameReader()
    assert reader.feed(INVOKE[:4]) == []
    frames = reader.feed(INVOKE[4:] + READY)
    assert [kind for kind, _, _ in frames] == [protocol.INVOKE, protocol.READY]


def test_bytes_after_a_partial_frame_belong_to_it_even_when_they_look_like_a_frame() -> None:
    # A body is raw bytes: an event may well hold what reads as a whole frame on its own.
    outer = protocol.encode(protocol.INVOKE, {}, READY)
    reader = protocol.FrameReader()
    assert reader.feed(outer[: protocol.HEADER.size]) == []
    assert reader.feed(READY) == [(protocol.INVOKE, {}, READY)]


def test_a_frame_over_the_limit_is_refused_from_its_header_alone() -> None:
    over = protocol.encode(protocol.RESPONSE, {}, b"x" * 101)
    reader = protocol.FrameReader(body_limit=100, meta_limit=100)
    with pytest.raises(protocol.FrameTooLarge) as refused:
        reader.feed(over[: protocol.HEADER.size])  # nothing of the body has come yet
    assert (refused.value.kind, refused.value.size, refused.value.frames) == (
        protocol.RESPONSE,
        101,
        [],
    )


def test_frames_before_a_refused_one_are_handed_over_with_the_refusal() -> None:
    at_limit = protocol.encode(protocol.RESPONSE, {"max_rss_kb": 7}, b"x" * 100)
    reader = protocol.FrameReader(body_limit=100, meta_limit=100)
    assert reader.feed(at_limit) == [(protocol.RESPONSE, {"max_rss_kb": 7}, b"x" * 100)]
    big_meta = protocol.encode(protocol.ERROR, {"error_type": "E" * 100})
    with pytest.raises(protocol.FrameTooLarge) as refused:
        reader.feed(READY + big_meta[:20])
    assert refused.value.frames == [(protocol.READY, {}, b"")]
    assert refused.value.kind == protocol.ERROR


def test_a_channel_reads_frames_until_the_engine_closes() -> None:
    ours, theirs = socket.socketpair()
    channel = protocol.Channel(theirs)

    def engine() -> None:
        ours.sendall(INVOKE)
        ours.sendall(BIG)
        ours.close()

    thread = threading.Thread(target=engine)
    thread.start()
    assert channel.read()[0] == protocol.INVOKE
    kind, meta, body = channel.read()
    assert (kind, meta, len(body)) == (protocol.RESPONSE, {"max_rss_kb": 7}, 200_000)
    assert channel.read() is None
    thread.join()


def test_an_environment_waiting_for_its_next_event_sleeps_while_the_engine_reads() -> None:
    # Asleep in recv on a Unix stream socket, a process is also woken whenever the peer reads
    # what it sent: a second context switch per invocation, which the wait in poll avoids.
    ours, theirs = socket.socketpair()
    channel = protocol.Channel(theirs)
    tid: list[int] = []
    started = threading.Event()

    def environment() -> None:
        tid.append(threading.get_native_id())
        started.set()
        channel.send(READY)
        channel.read()

    thread = threading.Thread(target=environment, daemon=True)
    thread.start()
    try:
        assert started.wait(10)
        before = _settled_asleep(tid[0])  # waiting for the next frame
        assert ours.recv(64) == READY
        # Woken by that read, the thread would be runnable, then count one more switch as it
        # went back to sleep: once it is settled asleep again, its count tells.
        assert _settled_asleep(tid[0]) == before
    finally:
        ours.sendall(INVOKE)
        thread.join()


def _settled_asleep(tid: int) -> int:
    """The thread's count of voluntary switches once it has slept a while without waking (so
    it is parked in its wait, not in a brief wait on its way there)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        count = _voluntary_switches(tid)
        time.sleep(0.02)  # polling the thread's state with a deadline
        if _state(tid) == "S" and _voluntary_switches(tid) == count:
            return count
    raise AssertionError("the thread never settled asleep")


def _state(tid: int) -> str:
    return Path(f"/proc/self/task/{tid}/stat").read_text().rpartition(")")[2].split()[0]


def _voluntary_switches(tid: int) -> int:
    for line in Path(f"/proc/self/task/{tid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches")
