"""The one operation registry: each service keeps an `Operations` table, and each of its
handlers registers under the operation's name in the service's botocore model.

    OPERATIONS = Operations()

    @OPERATIONS("CreateQueue")
    async def create_queue(sqs: QueueService, call: Call) -> dict: ...

A handler is given the service's backend (what the service's ServiceSpec built) and the
`Call`: the input already parsed and validated by the gateway (aws/gateway.py). It returns
the output shape as a dict (the gateway serializes it in the service's protocol), or a
Response it made itself (S3's streamed objects). A plain function runs in a worker thread
(it may block on a store); a coroutine runs on the event loop.

A plain function whose work is small and bounded (DynamoDB's single-item operations: one row
of at most 400 KB, read or written) may name `inline`: a context manager of the backend's that
says whether the store is free, holding it meanwhile. The handler then runs on the event loop,
without the thread hop (a third of a GetItem's time here, 0.3-0.4 ms of a PutItem's); when a
worker thread holds the store it runs in a worker thread as any other, so the event loop never
waits for another's write. A store whose writes run inline keeps SQLite's checkpoints off the
loop (store/database.py's `checkpoint_aside`).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel
from starlette.requests import Request

from overcast.aws.request_context import RequestContext


@dataclass(frozen=True)
class Call:
    """One AWS API request as its operation sees it: `params` in botocore's member names."""

    params: dict
    context: RequestContext
    operation: OperationModel
    request: Request  # for what is not input (S3's streamed body, SQS's queue path)

    @property
    def region(self) -> str:
        return self.context.region

    @property
    def base_url(self) -> str:
        return self.context.base_url

    @property
    def hops(self) -> int:
        return self.context.hops


Handler = Callable[[Any, Call], Any]
# Given the backend: a context manager entered as True when the handler may run on the loop.
Inline = Callable[[Any], AbstractContextManager[bool]]


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    blocking: bool  # a plain function: run in a worker thread, off the event loop
    inline: Inline | None = None  # when a blocking one may run on the loop (module docstring)

    async def run(self, backend: object, call: Call) -> Any:
        if not self.blocking:
            return await self.handler(backend, call)
        if self.inline is not None:
            with self.inline(backend) as free:
                if free:
                    return self.handler(backend, call)
        return await in_thread(self.handler, backend, call)


# Blocking handlers' threads: as many as Starlette's run_in_threadpool allowed (anyio's
# default limiter, 40), without its per-call bookkeeping (~15 us of each hop here).
_WORKERS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="overcast-operation")


async def in_thread(handler: Handler, backend: object, call: Call) -> Any:
    """`handler(backend, call)` in a worker thread, in a copy of this context (as anyio runs
    it). Cancelled, it still waits for the handler to end, as anyio's does: a write is never
    left running while the server stops its stores."""
    run = contextvars.copy_context().run
    future = asyncio.get_running_loop().run_in_executor(_WORKERS, run, handler, backend, call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


class Operations:
    """A service's operations by name; calling the table with a name makes a decorator."""

    def __init__(self) -> None:
        self._operations: dict[str, Operation] = {}

    def __call__(self, name: str, inline: Inline | None = None) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self._operations:
                raise ValueError(f"two handlers for the operation {name}")
            blocking = not inspect.iscoroutinefunction(handler)
            if inline is not None and not blocking:
                raise ValueError(f"{name}: only a plain function runs inline or in a thread")
            self._operations[name] = Operation(name, handler, blocking, inline)
            return handler

        return register

    def get(self, name: str) -> Operation | None:
        return self._operations.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def __iter__(self) -> Iterator[str]:
        return iter(self._operations)
