"""Environment's handling of answers and exits, without a process."""

from __future__ import annotations

import asyncio
import signal

import pytest

from overcast.runtimes.python import protocol
from overcast.sandbox.environment import Answer, Environment, EnvironmentExited, describe_exit


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
