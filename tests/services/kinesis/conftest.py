"""Fixtures for Kinesis' tests: a client on the session server, and streams unique to each
test (deleted at its end)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from support import RunningServer


@pytest.fixture
def kinesis(server: RunningServer):
    return server.client("kinesis")


@pytest.fixture
def make_stream(kinesis) -> Iterator[Callable[..., str]]:
    """Create a stream of `shards` shards (CreateStream's other arguments pass through) and
    wait until it is ACTIVE; returns its name."""
    made: list[str] = []

    def make(shards: int | None = 1, **extra: object) -> str:
        name = f"s-{uuid.uuid4().hex[:12]}"
        if shards is not None:
            extra["ShardCount"] = shards
        kinesis.create_stream(StreamName=name, **extra)
        made.append(name)
        kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5}
        )
        return name

    yield make
    for name in made:
        try:
            kinesis.delete_stream(StreamName=name)
        except kinesis.exceptions.ResourceNotFoundException:
            pass
