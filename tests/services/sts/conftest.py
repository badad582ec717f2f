"""Fixtures of the STS tests: the in-process world of sts_world.py."""

from __future__ import annotations

import pytest
from sts_world import World, world


@pytest.fixture
def sts_world() -> World:
    return world()
