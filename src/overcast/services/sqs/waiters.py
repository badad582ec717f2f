"""Long polling: receives waiting on a queue, and the sends that wake them.

A receive that finds nothing waits on the queue (an asyncio future in `Queue.waiters`) until
the queue changes, its next hidden message shows, or its deadline; it never polls. A send
resolves the futures, so a message sent to a queue with a waiting receive is handed out
within the same turn of the event loop. Wakes may come from any thread (Lambda's
destinations deliver from the async queue's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from overcast.services.sqs.queue import Queue


class Waiters:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Needs the running loop: wakes from other threads are scheduled on it."""
        self._loop = asyncio.get_running_loop()

    async def wait(self, queue: Queue, deadline: float | None) -> None:
        """Until the queue changes, the next hidden message shows, or the deadline."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        timeouts = [deadline - self.clock()] if deadline is not None else []
        next_visible = queue.next_visible_ms()
        if next_visible is not None:
            timeouts.append(next_visible / 1000 - self.clock())
        timer = loop.call_later(max(min(timeouts), 0), _settle, waiter) if timeouts else None
        queue.waiters.add(waiter)
        try:
            await waiter
        finally:
            queue.waiters.discard(waiter)
            if timer is not None:
                timer.cancel()

    def wake(self, queue: Queue | None) -> None:
        """Wake the receives waiting on a queue (from any thread)."""
        if queue is None or not queue.waiters:
            return
        loop = self._loop
        if loop is None or _running_loop() is loop:
            _wake_all(queue)
        else:
            loop.call_soon_threadsafe(_wake_all, queue)


def _settle(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _wake_all(queue: Queue) -> None:
    for waiter in list(queue.waiters):
        _settle(waiter)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
