"""Fixtures for the object store's end-to-end tests: an S3 client on the session server and
a fresh bucket per test."""

from __future__ import annotations

import uuid

import pytest

from support import RunningServer


@pytest.fixture
def s3(server: RunningServer):
    return server.client("s3")


@pytest.fixture
def bucket(s3) -> str:
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name
