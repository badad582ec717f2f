"""ResponseStream: chunks in order to one reader, back-pressure, and how a stream ends."""

from __future__ import annotations

import asyncio
import json

import pytest

from overcast.engine import streaming
from overcast.engine.streaming import ResponseStream, stream_error
from overcast.services.lambda_.errors import TooManyRequestsException
from overcast.types import InvokeResult, StreamError


def result(payload: bytes = b"", function_error: str | None = None) -> InvokeResult:
    return InvokeResult("req", 200, payload, "$LATEST", function_error)


def test_chunks_reach_the_reader_in_order_then_the_result() -> None:
    async def scenario() -> tuple[list[bytes], ResponseStream]:
        stream = ResponseStream("req")
        stream.begin(lambda: None, lambda: None)
        await stream.started()

        async def write() -> None:
            stream.chunk(b"", {"content_type": "text/plain"})
            for piece in (b"a", b"b"):
                await asyncio.sleep(0)
                stream.chunk(piece)
            stream.finish(result())

        writer = asyncio.create_task(write())
        chunks = [chunk async for chunk in stream]
        await writer
        return chunks, stream

    chunks, stream = asyncio.run(scenario())
    assert chunks == [b"a", b"b"]
    assert stream.content_type == "text/plain" and stream.error is None


def test_a_slow_reader_pauses_the_function_and_resumes_it() -> None:
    async def scenario() -> list[str]:
        calls: list[str] = []
        stream = ResponseStream("req")
        stream.begin(lambda: calls.append("pause"), lambda: calls.append("resume"))
        piece = b"x" * (streaming.HIGH_WATER // 4 + 1)
        for _ in range(5):
            stream.chunk(piece)
        assert calls == ["pause"]
        while calls == ["pause"]:
            await stream.__anext__()
        return calls

    assert asyncio.run(scenario()) == ["pause", "resume"]


def test_a_reader_that_leaves_lets_the_function_write_on() -> None:
    async def scenario() -> tuple[list[str], list[bytes]]:
        calls: list[str] = []
        stream = ResponseStream("req")
        stream.begin(lambda: calls.append("pause"), lambda: calls.append("resume"))
        stream.chunk(b"x" * (streaming.HIGH_WATER + 1))
        stream.close()
        stream.chunk(b"dropped")
        stream.finish(result())
        return calls, [chunk async for chunk in stream]

    assert asyncio.run(scenario()) == (["pause", "resume"], [])


def test_a_refusal_before_the_function_runs_is_raised_to_the_reader() -> None:
    async def scenario() -> None:
        stream = ResponseStream("req")
        stream.fail(TooManyRequestsException("slow down", "ReservedFunctionConcurrency"))
        await stream.started()

    with pytest.raises(TooManyRequestsException):
        asyncio.run(scenario())


def test_stream_errors_in_invoke_complete_terms() -> None:
    timeout = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"})
    error = stream_error(result(timeout.encode(), "Unhandled"))
    assert (error.code, error.details) == ("Sandbox.Timedout", "Task timed out")
    assert stream_error(result(b"not json", "Unhandled")) == StreamError("Unhandled", "not json")
    assert stream_error(result(b"{}")) is None
