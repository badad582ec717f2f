"""The init limit counts an environment's own time, not its waits for a CPU: a clock and the
threads' times are injected, so each case is exact."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from overcast.sandbox.errors import InitStarved
from overcast.sandbox.init_clock import InitClock, InitTimedOut, ThreadTimes, thread_times

S = 1_000_000_000  # nanoseconds in a second
PID = 4242


class World:
    """A fake clock and a fake /proc: tests move time and set what each thread did."""

    def __init__(self) -> None:
        self.now = 100.0
        self.threads: dict[int, ThreadTimes] = {PID: ThreadTimes(0, 0)}

    def clock(self) -> float:
        return self.now

    def read(self, pid: int) -> dict[int, ThreadTimes]:
        assert pid == PID
        return dict(self.threads)

    def init_clock(self, limit_s: float = 10.0, cpus: int = 2) -> InitClock:
        return InitClock(PID, limit_s, cpus=cpus, read=self.read, clock=self.clock)


def test_an_init_that_ran_alone_times_out_at_its_limit() -> None:
    world = World()
    clock = world.init_clock()
    assert clock.check() == 10.0
    world.now += 10.0
    world.threads[PID] = ThreadTimes(cpu_ns=10 * S, waited_ns=0)
    with pytest.raises(InitTimedOut):
        clock.check()


def test_time_spent_waiting_for_a_cpu_does_not_count() -> None:
    world = World()
    clock = world.init_clock()
    world.now += 10.0  # 10 s later it ran 3 s and waited 7 s for a CPU: 7 s are its own
    world.threads[PID] = ThreadTimes(cpu_ns=3 * S, waited_ns=7 * S)
    assert clock.check() == pytest.approx(7.0)
    world.now += 7.0  # then it ran alone: now its own time is up
    world.threads[PID] = ThreadTimes(cpu_ns=10 * S, waited_ns=7 * S)
    with pytest.raises(InitTimedOut):
        clock.check()


def test_waits_from_before_the_init_began_do_not_count() -> None:
    world = World()
    world.threads[PID] = ThreadTimes(cpu_ns=1 * S, waited_ns=5 * S)  # a spare's past
    clock = world.init_clock()
    world.now += 10.0
    world.threads[PID] = ThreadTimes(cpu_ns=11 * S, waited_ns=5 * S)
    with pytest.raises(InitTimedOut):
        clock.check()


def test_the_longest_wait_of_any_thread_counts_not_their_sum() -> None:
    world = World()
    clock = world.init_clock()
    world.now += 10.0
    world.threads = {PID: ThreadTimes(2 * S, 4 * S), PID + 1: ThreadTimes(S, 3 * S)}
    assert clock.check() == pytest.approx(4.0)


def test_an_init_that_used_the_whole_host_has_had_its_time() -> None:
    # Its own threads kept each other waiting: that is its own contention, not the host's.
    world = World()
    clock = world.init_clock(cpus=2)
    world.now += 10.0
    world.threads = {PID + n: ThreadTimes(cpu_ns=S // 2, waited_ns=9 * S) for n in range(40)}
    with pytest.raises(InitTimedOut):
        clock.check()


def test_an_init_starved_past_the_wall_cap_is_the_platforms_failure() -> None:
    world = World()
    clock = world.init_clock()
    world.now += 60.0
    world.threads[PID] = ThreadTimes(cpu_ns=2 * S, waited_ns=58 * S)
    with pytest.raises(InitStarved):
        clock.check()


def test_past_the_wall_cap_an_init_that_had_its_cpu_time_timed_out() -> None:
    world = World()
    clock = world.init_clock()
    world.now += 60.0
    world.threads[PID] = ThreadTimes(cpu_ns=10 * S, waited_ns=50 * S + S // 2)
    with pytest.raises(InitTimedOut):
        clock.check()


def test_thread_times_reads_a_process_and_its_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        times = thread_times(os.getpid())
        assert os.getpid() in times and child.pid in times
        assert times[os.getpid()].cpu_ns > 0
    finally:
        child.kill()
        child.wait()
    assert thread_times(2**22 + 1) == {}  # no such process
