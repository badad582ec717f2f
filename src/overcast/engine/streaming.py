"""A streamed invocation as its caller sees it: the response's chunks as they come, then how
the invocation ended.

The engine feeds a ResponseStream from the environment's frames; a front door (the
InvokeWithResponseStream endpoint, a RESPONSE_STREAM function URL) reads it:

    stream = await engine.invoke_stream(target, payload)   # refusals (429, ...) raise here
    try:
        async for chunk in stream:
            ...                                             # send it on
        stream.result                                       # InvokeResult: errors, logs
    finally:
        stream.close()
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from overcast.aws import json_document
from overcast.runtimes.response_stream import DEFAULT_CONTENT_TYPE
from overcast.types import InvokeResult, StreamError

BUFFERED_CONTENT_TYPE = "application/json"  # a runtime that answers at once: its JSON result
HIGH_WATER = 1 << 20  # bytes waiting for a slow caller before the function's writes block
LOW_WATER = 1 << 18


def stream_error(result: InvokeResult) -> StreamError | None:
    """The error that ended a stream (a function error, a timeout, a crash), if any."""
    if not result.function_error:
        return None
    try:
        error = json_document.loads(result.payload, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        error = None
    if not isinstance(error, dict):
        return StreamError(result.function_error, result.payload.decode("utf-8", "replace"))
    code = str(error.get("errorType") or result.function_error)
    return StreamError(code, str(error.get("errorMessage", "")))


class ResponseStream:
    """Chunks in order, from the engine (feed side) to one reader (async iterator side)."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.content_type: str | None = None  # the runtime's, known with the first chunk
        self.result: InvokeResult | None = None  # set once the invocation has ended
        self._chunks: deque[bytes] = deque()
        self._waiting = 0  # bytes in _chunks
        self._ended = False
        self._failure: BaseException | None = None
        self._closed = False
        self._wakeup: asyncio.Event = asyncio.Event()
        self._begun: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pause: Callable[[], None] | None = None
        self._resume: Callable[[], None] | None = None
        self._paused = False

    # The engine's side.

    def begin(self, pause: Callable[[], None], resume: Callable[[], None]) -> None:
        """The function is running: chunks may come; `pause`/`resume` throttle its writes."""
        self._pause, self._resume = pause, resume
        if not self._begun.done():
            self._begun.set_result(None)

    def chunk(self, body: bytes, meta: dict | None = None) -> None:
        """The next bytes of the response (an environment's ChunkSink)."""
        if self.content_type is None:
            self.content_type = (meta or {}).get("content_type") or DEFAULT_CONTENT_TYPE
        if not body or self._closed:
            return
        self._chunks.append(body)
        self._waiting += len(body)
        if self._waiting > HIGH_WATER and not self._paused and self._pause is not None:
            self._paused = True
            self._pause()
        self._wakeup.set()

    def finish(self, result: InvokeResult) -> None:
        self.result = result
        self._end()

    def fail(self, exc: BaseException) -> None:
        """The invocation could not run (a refusal before it began, or an internal error)."""
        self._failure = exc
        self._end()

    # The reader's side.

    async def started(self) -> None:
        """Wait until the function runs (or the invocation ended without running); raises
        what refused it, so a front door answers with an ordinary error."""
        await asyncio.shield(self._begun)
        if self._failure is not None and self.result is None:
            raise self._failure

    @property
    def error(self) -> StreamError | None:
        return stream_error(self.result) if self.result is not None else None

    def __aiter__(self) -> ResponseStream:
        return self

    async def __anext__(self) -> bytes:
        while not self._chunks:
            if self._ended:
                if self._failure is not None:
                    raise self._failure
                raise StopAsyncIteration
            self._wakeup.clear()
            await self._wakeup.wait()
        body = self._chunks.popleft()
        self._waiting -= len(body)
        self._resume_if_drained()
        return body

    def close(self) -> None:
        """The reader is gone (done, or its client hung up): drop what is left, and let the
        function write on so its invocation ends as it would have."""
        self._closed = True
        self._chunks.clear()
        self._waiting = 0
        self._resume_if_drained()

    def _resume_if_drained(self) -> None:
        if self._paused and self._waiting < LOW_WATER and self._resume is not None:
            self._paused = False
            self._resume()

    def _end(self) -> None:
        self._ended = True
        if not self._begun.done():
            self._begun.set_result(None)
        self._wakeup.set()
