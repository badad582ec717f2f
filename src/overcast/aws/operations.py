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
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel
from starlette.concurrency import run_in_threadpool
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


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    blocking: bool  # a plain function: run in a worker thread, off the event loop

    async def run(self, backend: object, call: Call) -> Any:
        if self.blocking:
            return await run_in_threadpool(self.handler, backend, call)
        return await self.handler(backend, call)


class Operations:
    """A service's operations by name; calling the table with a name makes a decorator."""

    def __init__(self) -> None:
        self._operations: dict[str, Operation] = {}

    def __call__(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self._operations:
                raise ValueError(f"two handlers for the operation {name}")
            blocking = not inspect.iscoroutinefunction(handler)
            self._operations[name] = Operation(name, handler, blocking)
            return handler

        return register

    def get(self, name: str) -> Operation | None:
        return self._operations.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def __iter__(self) -> Iterator[str]:
        return iter(self._operations)
