"""Fixtures of the CloudWatch Logs tests: the in-process world of logs_world.py."""

from __future__ import annotations

import pytest
from logs_world import Clock, Recorder, StubPermissions, backend, logs_client, test_client

from overcast.observe.logs import LogStore


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock: Clock):
    logs = LogStore(tmp_path, clock=clock)
    yield logs
    logs.close()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def permissions() -> StubPermissions:
    return StubPermissions()


@pytest.fixture
def backend_(store: LogStore, recorder: Recorder, permissions: StubPermissions):
    world = backend(store, recorder, permissions)
    yield world
    world.queries.close()


@pytest.fixture
def http(backend_):
    with test_client(backend_) as client:
        yield client


@pytest.fixture
def logs(http):
    return logs_client(http)
