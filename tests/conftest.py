"""Fixtures shared by the whole suite: a real `overcast server` on a free port, and clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support import RunningServer, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the session; tests use unique function names."""
    running = start_server(tmp_path_factory.mktemp("overcast-data"), "--keep-alive", "30")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the session's tests of asynchronous delivery (the async queue, SNS,
    EventBridge): Lambda's retry delays and maximum event ages scaled by 0.01. Tests use
    unique names, and read counts and logs of their own functions only."""
    running = start_server(
        tmp_path_factory.mktemp("fast-data"), "--keep-alive", "30", "--async-delay-scale", "0.01"
    )
    yield running
    running.stop()


@pytest.fixture
def launch() -> Iterator[Callable[..., RunningServer]]:
    """Start servers over given data dirs (restart tests); all are stopped at the end."""
    started: list[RunningServer] = []

    def start(data_dir: Path, *extra: str, output: Path | None = None) -> RunningServer:
        running = start_server(data_dir, "--keep-alive", "30", *extra, output=output)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def lambda_client(server: RunningServer):
    return server.client("lambda")


@pytest.fixture
def function_name(request: pytest.FixtureRequest) -> str:
    """A function name unique to the test, valid for Lambda (letters, digits, - and _)."""
    import re
    import uuid

    stem = re.sub(r"[^A-Za-z0-9-_]", "-", request.node.name)[:40]
    return f"{stem}-{uuid.uuid4().hex[:8]}"
