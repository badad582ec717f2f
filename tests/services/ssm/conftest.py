"""Fixtures for Parameter Store's tests: an SSM client on the session server, and a hierarchy
unique to each test."""

from __future__ import annotations

import uuid

import pytest

from support import RunningServer


@pytest.fixture
def ssm(server: RunningServer):
    return server.client("ssm")


@pytest.fixture
def root() -> str:
    """A hierarchy of the test's own: `/t<hex>`."""
    return f"/t{uuid.uuid4().hex[:10]}"
