"""Fixtures for API tests (helpers live in api_harness.py); boto3 tests use the real server."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_harness import App, make_app


@pytest.fixture
def app(tmp_path: Path) -> App:
    return make_app(tmp_path)


@pytest.fixture
def loose_client(server):
    """A client that sends what boto3 would refuse to, so the server's checks are reached."""
    return server.client("lambda", parameter_validation=False)
