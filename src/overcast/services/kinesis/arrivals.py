"""The signal that records were written to a stream, for pollers that wait on it (Lambda's
stream event source mappings) instead of polling the store.

Writers call `notify(arn)` after the commit, from any thread (the name and the behaviour of
`overcast.shards.Arrivals`, issue 17's shared one, which can replace this once merged).
`wait(arn, timeout_s)` returns once a write has happened since the calling task's previous
`wait` on that stream returned (so a write that lands while the task is reading is never
missed), or at the timeout; the first wait of a task returns at once, as a reader must read
before it waits.
"""

from __future__ import annotations

import asyncio
import threading
import weakref


class Arrivals:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: dict[str, int] = {}
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        # What each waiting task last saw, by stream: a task is one poller.
        self._seen: weakref.WeakKeyDictionary[asyncio.Task, dict[str, int]] = (
            weakref.WeakKeyDictionary()
        )

    def notify(self, arn: str) -> None:
        with self._lock:
            self._generation[arn] = self._generation.get(arn, 0) + 1
            waiters = list(self._waiters.get(arn, ()))
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed: nobody waits on it any more
                pass

    async def wait(self, arn: str, timeout_s: float) -> None:
        task = asyncio.current_task()
        event = asyncio.Event()
        waiter = (asyncio.get_running_loop(), event)
        with self._lock:
            seen = self._seen.setdefault(task, {}) if task is not None else {}
            current = self._generation.get(arn, 0)
            if seen.get(arn) != current:
                seen[arn] = current
                return
            self._waiters.setdefault(arn, set()).add(waiter)
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                waiting = self._waiters.get(arn)
                if waiting is not None:
                    waiting.discard(waiter)
                    if not waiting:
                        del self._waiters[arn]
                seen[arn] = self._generation.get(arn, 0)
