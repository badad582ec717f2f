"""How many environments may initialise at once on this host: a start slot each.

On Lambda each new environment initialises on CPUs of its own, so a burst of cold starts
costs the burst no more than one. Here they share the host's CPUs: 200 inits launched at once
on 2 cores each get 1% of a core, and every one of them runs past the init limit. So a cold
start first takes a start slot (by default one per CPU), and whoever finds none waits in
line, first come first served, for a slot or for a warm environment of its function, which
ever comes first. Lambda scales out the same way, gradually: environments are added as fast
as the host can initialise them, and the events waiting meanwhile run on the ones already
warm. The init limit's clock starts once the slot is held (launcher.py): time spent waiting
for a slot is not the function's.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from overcast.engine.pool import Pools
from overcast.sandbox.environment import Environment


class StartSlots:
    """A host-wide bound on environments initialising at once, handed out in arrival order."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one environment must be allowed to start")
        self.limit = limit
        self.starting = 0  # slots held
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    def wait(self) -> asyncio.Future[None]:
        """A future that resolves once the caller holds a slot (at once if one is free).
        Cancel it to stop waiting; once it has resolved, the slot must be given back."""
        waiter = asyncio.get_running_loop().create_future()
        if self.starting < self.limit:
            self.starting += 1
            waiter.set_result(None)
        else:
            self._waiters.append(waiter)
        return waiter

    def give_back(self) -> None:
        """Free a slot held: it passes straight to the first caller still waiting."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.starting -= 1

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the block (starts that no invocation waits on: provisioned
        concurrency, SnapStart templates)."""
        waiter = self.wait()
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
        holds a slot to start one: whichever is free first."""
        environment = pools.take(key, revision_id)
        if environment is not None:
            return environment
        slot = self.wait()
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


def _claimed(future: asyncio.Future) -> bool:
    """Whether `future` resolved (cancel() first: it cannot undo a result)."""
    return future.done() and not future.cancelled()
