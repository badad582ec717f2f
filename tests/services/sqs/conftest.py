"""Fixtures for the queue service's end-to-end tests: an SQS client on the session server, a
fresh queue per test."""

from __future__ import annotations

import re
import uuid

import pytest

from support import RunningServer


@pytest.fixture
def sqs(server: RunningServer):
    return server.client("sqs")


@pytest.fixture
def queue_name(request: pytest.FixtureRequest) -> str:
    """A queue name unique to the test (letters, digits, - and _; at most 80)."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "-", request.node.name)[:60]
    return f"{stem}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def queue(sqs, queue_name: str) -> str:
    return sqs.create_queue(QueueName=queue_name)["QueueUrl"]
