"""Fixtures for CloudFormation's tests: clients on the session server, and a stack name unique to
each test (waiting on stacks: stack_waits.py)."""

from __future__ import annotations

import uuid

import pytest

from support import RunningServer


@pytest.fixture
def cf(server: RunningServer):
    return server.client("cloudformation")


@pytest.fixture
def stack_name() -> str:
    return f"s{uuid.uuid4().hex[:12]}"
