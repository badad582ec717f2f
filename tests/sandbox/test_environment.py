"""Environment's handling of answers and exits, without a process."""

from __future__ import annotations

import asyncio
import signal

import pytest

from overcast.runtimes.python import protocol
from overcast.sandbox.environment import (
    Answer,
    Environment,
    EnvironmentExited,
    EnvironmentState,
    ResponseTooLarge,
    _ControlProtocol,
    describe_exit,
)


def test_an_answer_that_arrives_before_anyone_waits_is_kept() -> None:
    async def scenario() -> Answer:
        environment = Environment("key", "rev", "stream")
        environment._answered(Answer(protocol.READY, {"init_ms": 1.0}, b""))
        return await environment.expect()

    assert asyncio.run(scenario()).kind == protocol.READY


def test_waiting_on_a_dead_environment_fails_at_once() -> None:
    async def scenario() -> None:
        environment = Environment("key", "rev", "stream")
        environment._lost()
        await environment.expect()

    with pytest.raises(EnvironmentExited):
        asyncio.run(scenario())


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (1 << 8, "exit status 1"),  # waitpid status of exit(1)
        (signal.SIGKILL, "signal: killed"),
        (signal.SIGSEGV, "signal: segmentation fault"),
    ],
)
def test_exit_statuses_in_lambda_words(status: int, words: str) -> None:
    assert describe_exit(status) == words


def test_a_streamed_response_goes_to_the_streaming_caller_chunk_by_chunk() -> None:
    async def scenario() -> tuple[list, Answer]:
        environment = Environment("key", "rev", "stream")
        received: list = []
        environment.on_chunk = lambda body, meta: received.append((body, meta))
        waiter = environment.expect()
        environment._answered(Answer(protocol.CHUNK, {"content_type": "text/csv"}, b""))
        environment._answered(Answer(protocol.CHUNK, {}, b"a,b\n"))
        assert not waiter.done()  # chunks are not the answer
        environment._answered(Answer(protocol.STREAM_END, {"max_rss_kb": 7}, b""))
        return received, await waiter

    received, answer = asyncio.run(scenario())
    assert received == [(b"", {"content_type": "text/csv"}), (b"a,b\n", {})]
    assert answer.kind == protocol.RESPONSE and answer.body == b""
    assert answer.meta == {"max_rss_kb": 7, "streamed": True}


def test_a_streamed_response_nobody_streams_is_the_whole_payload() -> None:
    async def scenario() -> Answer:
        environment = Environment("key", "rev", "stream")
        for piece in (b"one ", b"two"):
            environment._answered(Answer(protocol.CHUNK, {}, piece))
        environment._answered(Answer(protocol.STREAM_END, {}, b""))
        return await environment.expect()

    assert asyncio.run(scenario()).body == b"one two"


def test_a_stream_that_failed_midway_answers_its_error() -> None:
    async def scenario() -> Answer:
        environment = Environment("key", "rev", "stream")
        environment._answered(Answer(protocol.CHUNK, {}, b"partial"))
        error = b'{"errorType": "Custom.Broken", "errorMessage": "x"}'
        environment._answered(Answer(protocol.STREAM_END, {"error_type": "Custom.Broken"}, error))
        return await environment.expect()

    answer = asyncio.run(scenario())
    assert answer.kind == protocol.ERROR and answer.body.startswith(b'{"errorType"')


def test_a_response_over_lambdas_limit_is_refused_from_its_frame_header() -> None:
    async def scenario() -> Environment:
        environment = Environment("key", "rev", "stream")
        control = _ControlProtocol(environment)
        waiter = environment.expect()
        header = protocol.HEADER.pack(protocol.RESPONSE, 0, protocol.RESPONSE_LIMIT + 1)
        control.data_received(header)  # no byte of the body is needed to refuse it
        with pytest.raises(ResponseTooLarge) as refused:
            await waiter
        assert refused.value.limit == protocol.RESPONSE_LIMIT
        return environment

    assert asyncio.run(scenario()).state is EnvironmentState.DEAD


def test_a_stream_is_refused_past_its_limit_and_kept_whole_only_up_to_a_buffered_one() -> None:
    piece = b"x" * (1 << 20)

    async def scenario(streaming: bool) -> tuple[int, int]:
        environment = Environment("key", "rev", "stream")
        received: list[int] = []
        if streaming:
            environment.on_chunk = lambda body, meta: received.append(len(body))
        waiter = environment.expect()
        for _ in range(201):
            environment._answered(Answer(protocol.CHUNK, {}, piece))
        environment._answered(Answer(protocol.STREAM_END, {}, b""))
        with pytest.raises(ResponseTooLarge) as refused:
            await waiter
        assert environment.state is EnvironmentState.DEAD and not environment._chunks
        return refused.value.limit, sum(received)

    assert asyncio.run(scenario(True)) == (protocol.STREAM_LIMIT, protocol.STREAM_LIMIT)
    assert asyncio.run(scenario(False)) == (protocol.RESPONSE_LIMIT, 0)
