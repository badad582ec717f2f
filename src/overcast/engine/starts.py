"""How many environments may initialise at once on this host: a start slot each.

On Lambda each new environment initialises on CPUs of its own, so a burst of cold starts
costs the burst no more than one. Here they share the host's CPUs: 200 inits launched at once
on 2 cores each get 1% of a core, and every one of them runs past the init limit. So a cold
start first takes a start slot (by default one per CPU), and whoever finds none waits in
line for a slot or for a warm environment of its function, whichever comes first. Lambda
scales out the same way, gradually: environments are added as fast as the host can initialise
them, and the events waiting meanwhile run on the ones already warm. The init limit's clock
starts once the slot is held (launcher.py): time spent waiting for a slot is not the
function's.

Each function version has its own line, and freed slots go to the lines in turn: a burst of
one function does not hold up another's cold start (on Lambda, functions scale apart).

Not every init is CPU work: one that waits on the network (a secret, a database) leaves the
CPUs idle. So while callers wait, the CPUs' idle time is looked at every TICK_S, and each CPU
that stayed idle lets one more start begin, up to MAX_FACTOR times the limit in all.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from overcast.engine.pool import Pools
from overcast.sandbox.environment import Environment
from overcast.sandbox.init_clock import host_cpus

TICK_S = 0.1  # how often idle CPUs are looked for while callers wait for a slot
MAX_FACTOR = 8  # starts at once, idle CPUs or not: at most 8 times the limit


class StartSlots:
    """A host-wide bound on environments initialising at once, handed out to the functions'
    lines in turn, and in arrival order within each."""

    def __init__(
        self,
        limit: int | None = None,
        *,
        idle_cpus: Callable[[], float] | None = None,
        tick_s: float = TICK_S,
    ) -> None:
        limit = host_cpus() if limit is None else limit  # one per CPU by default
        if limit < 1:
            raise ValueError("at least one environment must be allowed to start")
        self.limit = limit
        self.most = limit * MAX_FACTOR
        self.starting = 0  # slots held
        self._lines: dict[str, deque[asyncio.Future[None]]] = {}  # by pool key
        self._turns: deque[str] = deque()  # the keys of the lines, whose turn comes first
        self._idle_cpus = idle_cpus or IdleCpus()
        self._tick_s = tick_s
        self._ticker: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        return sum(not waiter.done() for line in self._lines.values() for waiter in line)

    def wait(self, key: str) -> asyncio.Future[None]:
        """A future that resolves once the caller holds a slot (at once if one is free) to
        start an environment of pool `key`. Cancel it to stop waiting; once it has resolved,
        the slot must be given back."""
        waiter = asyncio.get_running_loop().create_future()
        if self.starting < self.limit:
            self.starting += 1
            waiter.set_result(None)
            return waiter
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = deque()
            self._turns.append(key)
        line.append(waiter)
        if self._ticker is None:
            self._idle_cpus()  # idle time is measured from now
            self._ticker = asyncio.get_running_loop().call_later(self._tick_s, self._tick)
        return waiter

    def give_back(self) -> None:
        """Free a slot held: it passes straight to the first caller still waiting (unless it
        was one of the extra ones that idle CPUs allowed)."""
        if self.starting > self.limit or not self._hand_on():
            self.starting -= 1

    def _hand_on(self) -> bool:
        """Give a slot to the first live waiter of the line whose turn it is."""
        while self._turns:
            key = self._turns.popleft()
            line = self._lines[key]
            waiter = _first_live(line)
            if waiter is None:
                del self._lines[key]
                continue
            line.popleft().set_result(None)
            if _first_live(line) is None:
                del self._lines[key]
            else:
                self._turns.append(key)  # its next waiter's turn comes after the others'
            return True
        return False

    def _tick(self) -> None:
        """While callers wait: one more start for each CPU that stayed idle since the last
        look (inits waiting on the network leave CPUs idle)."""
        self._ticker = None
        if not self.waiting:
            return
        for _ in range(min(int(self._idle_cpus()), self.most - self.starting)):
            if not self._hand_on():
                break
            self.starting += 1
        if self.waiting:
            self._ticker = asyncio.get_running_loop().call_later(self._tick_s, self._tick)

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        """Hold a slot for the block (starts that no invocation waits on: provisioned
        concurrency, SnapStart templates)."""
        waiter = self.wait(key)
        try:
            await waiter
        except asyncio.CancelledError:
            if _claimed(waiter):
                self.give_back()
            raise
        try:
            yield
        finally:
            self.give_back()

    async def environment_or_slot(
        self, pools: Pools, key: str, revision_id: str
    ) -> Environment | None:
        """A warm environment of pool `key` (busy, for the caller), or None once the caller
        holds a slot to start one: whichever is free first. The caller found no idle one."""
        slot = self.wait(key)
        if slot.done():
            return None
        warm = pools.wait(key, revision_id)
        try:
            await asyncio.wait((slot, warm), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled: give back whatever came meanwhile
            self._settle(pools, slot, warm, keep=None)
            raise
        if _claimed(warm):
            return self._settle(pools, slot, warm, keep="warm")
        return self._settle(pools, slot, warm, keep="slot")

    def _settle(
        self,
        pools: Pools,
        slot: asyncio.Future[None],
        warm: asyncio.Future[Environment],
        keep: str | None,
    ) -> Environment | None:
        """Stop waiting for both; keep one, and hand on the other if it came too."""
        slot.cancel()
        warm.cancel()
        if keep != "slot" and _claimed(slot):
            self.give_back()
        if _claimed(warm):
            if keep == "warm":
                return warm.result()
            pools.release(warm.result(), healthy=True)  # to the next in line, or idle
        return None


def _first_live(line: deque[asyncio.Future[None]]) -> asyncio.Future[None] | None:
    """The first waiter of `line` still waiting; those that stopped waiting are dropped."""
    while line and line[0].done():  # gave up, or got a warm environment instead
        line.popleft()
    return line[0] if line else None


def _claimed(future: asyncio.Future) -> bool:
    """Whether `future` resolved (cancel() first: it cannot undo a result)."""
    return future.done() and not future.cancelled()


class IdleCpus:
    """Each call: how many of this process's CPUs were idle, on average, since the last call
    (/proc/stat's idle and iowait time of each CPU it may run on)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        path: str = "/proc/stat",
        cpus: set[int] | None = None,
    ) -> None:
        self._clock = clock
        self._path = path
        self._cpus = {f"cpu{n}" for n in (cpus or os.sched_getaffinity(0))}
        self._tick = os.sysconf("SC_CLK_TCK")
        self._last: tuple[float, int] | None = None

    def __call__(self) -> float:
        now, idle = self._clock(), self._idle_ticks()
        last, self._last = self._last, (now, idle)
        if last is None or now <= last[0]:
            return 0.0
        return (idle - last[1]) / self._tick / (now - last[0])

    def _idle_ticks(self) -> int:
        try:
            with open(self._path) as stat:
                lines = [line.split() for line in stat if line.startswith("cpu")]
        except OSError:
            return 0  # nothing known: no extra starts
        return sum(int(f[4]) + int(f[5]) for f in lines if f[0] in self._cpus and len(f) > 5)
