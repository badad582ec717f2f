"""The init phase's clock: Lambda's 10 s init limit, counted in the environment's own time.

On Lambda every environment initialises on CPUs of its own, so its init limit measures its
own work. Here environments share the host's CPUs with each other and with other programs:
a burst of cold starts (or a busy host) can keep an init waiting for a CPU for longer than
the limit, and Lambda would never have timed it out. So the time an environment's threads
spent runnable but waiting for a CPU (the kernel's per-thread run delay, in
/proc/<pid>/task/<tid>/schedstat) is not counted against its limit.

Two guards keep that from becoming a way around the limit:
- an environment that has used the whole host's CPUs for the limit's length (limit x CPUs of
  CPU time) has had its time, however long its threads also waited (its own threads make
  each other wait: that is its own contention, not the host's);
- an init still running after `WALL_FACTOR` times the limit is stopped whatever it did: if it
  had at least the limit in CPU time, it timed out; if not, the host starved it, which is
  the platform's failure (InitStarved), not the function's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from overcast.sandbox.cgroups import PIDS_MAX
from overcast.sandbox.errors import InitStarved

WALL_FACTOR = 6.0  # an init stops after 6x its limit of wall-clock time, whatever it did
MAX_THREADS = PIDS_MAX  # every thread an environment may have is read (its pids cgroup)
NS = 1e9


@dataclass(frozen=True)
class ThreadTimes:
    """One thread's totals since it started: on a CPU, and runnable waiting for one."""

    cpu_ns: int
    waited_ns: int


Reader = Callable[[int], dict[int, ThreadTimes]]


class InitTimedOut(Exception):
    """Raised when an init has used its limit (Lambda's "Init timed out")."""


class InitClock:
    """Tells how long an init may still run: `check()` before each wait."""

    def __init__(
        self,
        pid: int,
        limit_s: float,
        *,
        cpus: int | None = None,
        read: Reader | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit_s = limit_s
        self._pid = pid
        self._cpus = cpus or host_cpus()
        self._read = read or thread_times
        self._clock = clock
        self._start = clock()
        self._before = self._read(pid)  # what the threads had done before the init began

    def check(self) -> float:
        """Seconds to wait before checking again; raises InitTimedOut once the init has used
        its limit, InitStarved once the host has kept it from running for too long."""
        wall_s = self._clock() - self._start
        if wall_s < self.limit_s:  # nothing can be used up yet: no need to read /proc
            return self.limit_s - wall_s
        cpu_s, waited_s = self._used()
        own_s = wall_s - waited_s
        if own_s >= self.limit_s or cpu_s >= self.limit_s * self._cpus:
            raise InitTimedOut()
        cap_s = self.limit_s * WALL_FACTOR
        if wall_s >= cap_s:
            if cpu_s >= self.limit_s:
                raise InitTimedOut()
            raise InitStarved(
                f"the host kept the environment's init from running for {wall_s:.0f} s "
                f"(it ran {cpu_s:.2f} s)"
            )
        cpu_left_s = (self.limit_s * self._cpus - cpu_s) / self._cpus
        return max(0.01, min(self.limit_s - own_s, cap_s - wall_s, cpu_left_s))

    def _used(self) -> tuple[float, float]:
        """CPU time of all the environment's threads since the init began, and the longest
        any one of them waited for a CPU (the longest, not the sum: waits overlap)."""
        cpu_ns = waited_ns = 0
        for tid, now in self._read(self._pid).items():
            before = self._before.get(tid, ThreadTimes(0, 0))
            cpu_ns += now.cpu_ns - before.cpu_ns
            waited_ns = max(waited_ns, now.waited_ns - before.waited_ns)
        return cpu_ns / NS, waited_ns / NS


def host_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) or 1


def thread_times(pid: int) -> dict[int, ThreadTimes]:
    """By thread id, the times of every thread of process `pid` and of its descendants (a
    custom runtime's bootstrap is a child). Threads and processes gone meanwhile are left
    out; at most MAX_THREADS threads are read."""
    times: dict[int, ThreadTimes] = {}
    pending, seen = [pid], set()
    while pending and len(times) < MAX_THREADS:
        process = pending.pop()
        if process in seen:
            continue
        seen.add(process)
        try:
            tids = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for tid in tids[: MAX_THREADS - len(times)]:
            base = f"/proc/{process}/task/{tid}"
            try:
                with open(f"{base}/schedstat", "rb") as stat:
                    cpu, waited = stat.read().split()[:2]
                with open(f"{base}/children", "rb") as children:
                    pending += [int(child) for child in children.read().split()]
                times[int(tid)] = ThreadTimes(int(cpu), int(waited))
            except (OSError, ValueError):
                continue
    return times
