"""Fixtures of the IAM tests: the in-process world of iam_world.py."""

from __future__ import annotations

import pytest
from iam_world import directory, iam_client

from overcast.services.iam.directory import Directory


@pytest.fixture
def iam_directory() -> Directory:
    return directory()


@pytest.fixture
def iam(iam_directory: Directory):
    return iam_client(iam_directory)
