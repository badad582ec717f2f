"""Warm environments of each function version, reused one invocation at a time.

An invocation that found none may wait for one (starts.py): an environment released while
someone waits goes straight to the first in line, rather than idle.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from overcast.sandbox.environment import Environment, EnvironmentState

Killer = Callable[[Environment], None]


@dataclass
class Pool:
    """The environments of one function version. Idle ones are reused most-recent first."""

    key: str
    generation: int = 0  # bumped when the function changes: older environments are retired
    idle: list[Environment] = field(default_factory=list)
    busy: set[Environment] = field(default_factory=set)
    # Invocations waiting for a warm environment, first come first served: (revision, future).
    waiters: deque[tuple[str, asyncio.Future[Environment]]] = field(default_factory=deque)

    def drop_gone_waiters(self) -> None:
        """Forget the waiters at the head of the line that stopped waiting."""
        while self.waiters and self.waiters[0][1].done():
            self.waiters.popleft()


class Pools:
    """Every pool, keyed by qualified function ARN; hands out and takes back environments."""

    def __init__(self, kill: Killer) -> None:
        self._pools: dict[str, Pool] = {}
        self._kill = kill
        self._generations: dict[Environment, int] = {}

    def pool(self, key: str) -> Pool:
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = Pool(key)
        return pool

    def take(self, key: str, revision_id: str) -> Environment | None:
        """A warm environment for this revision, or None if a new one must start."""
        pool = self.pool(key)
        while pool.idle:
            environment = pool.idle.pop()
            if (
                environment.revision_id == revision_id
                and environment.state is not EnvironmentState.DEAD
                and not environment.too_old(time.monotonic())
            ):
                self._mark_busy(pool, environment)
                return environment
            self._discard(environment)
        return None

    def adopt(self, key: str, environment: Environment) -> None:
        """Count a freshly started environment as busy in its pool."""
        pool = self.pool(key)
        self._generations[environment] = pool.generation
        self._mark_busy(pool, environment)

    def wait(self, key: str, revision_id: str) -> asyncio.Future[Environment]:
        """A future that resolves with the next environment of this revision released in
        pool `key`, counted busy for the waiter (cancel the future to stop waiting)."""
        pool = self.pool(key)
        pool.drop_gone_waiters()
        waiter = asyncio.get_running_loop().create_future()
        pool.waiters.append((revision_id, waiter))
        return waiter

    def release(self, environment: Environment, healthy: bool) -> None:
        pool = self.pool(environment.key)
        current = self._generations.get(environment) == pool.generation
        fresh = not environment.too_old(time.monotonic())
        if healthy and current and fresh and environment.state is not EnvironmentState.DEAD:
            if self._hand_over(pool, environment):
                return
            pool.busy.discard(environment)
            environment.state = EnvironmentState.IDLE
            environment.last_used = time.monotonic()
            pool.idle.append(environment)
        else:
            pool.busy.discard(environment)
            self._discard(environment)

    def retire(self, key_prefix: str) -> None:
        """Stop idle environments of matching pools now, busy ones when released."""
        for key, pool in self._pools.items():
            if under(key, key_prefix):
                pool.generation += 1
                for environment in pool.idle:
                    self._discard(environment)
                pool.idle.clear()

    def reap(self, keep_alive_s: float) -> int:
        """Stop environments idle for longer than the keep-alive; returns how many."""
        horizon = time.monotonic() - keep_alive_s
        reaped = 0
        for pool in self._pools.values():
            stale = [e for e in pool.idle if e.last_used < horizon and not e.provisioned]
            for environment in stale:
                pool.idle.remove(environment)
                self._discard(environment)
            reaped += len(stale)
        return reaped

    def counts(self) -> dict[str, tuple[int, int]]:
        """(idle, busy) per pool, for diagnostics and tests."""
        return {key: (len(p.idle), len(p.busy)) for key, p in self._pools.items()}

    def idle_oldest_first(self) -> list[Environment]:
        """Idle environments (but provisioned ones), least recently used first."""
        idle = [e for pool in self._pools.values() for e in pool.idle if not e.provisioned]
        return sorted(idle, key=lambda environment: environment.last_used)

    def discard_idle(self, environment: Environment) -> None:
        """Stop an idle environment now (memory pressure)."""
        pool = self.pool(environment.key)
        if environment in pool.idle:
            pool.idle.remove(environment)
            self._discard(environment)

    def _hand_over(self, pool: Pool, environment: Environment) -> bool:
        """Give a released environment to the first waiter of its revision, if any (it stays
        busy). Another revision's waiters (the function changed meanwhile) are passed over."""
        pool.drop_gone_waiters()
        for index, (revision_id, waiter) in enumerate(pool.waiters):
            if not waiter.done() and revision_id == environment.revision_id:
                del pool.waiters[index]
                waiter.set_result(environment)
                return True
        return False

    def _mark_busy(self, pool: Pool, environment: Environment) -> None:
        environment.state = EnvironmentState.BUSY
        pool.busy.add(environment)

    def _discard(self, environment: Environment) -> None:
        self._generations.pop(environment, None)
        self._kill(environment)


def under(key: str, prefix: str) -> bool:
    """Whether a qualified ARN is `prefix` or one of its qualifications (`prefix:...`)."""
    return key == prefix or key.startswith(prefix + ":")
