"""Fixtures for control-plane tests (helpers live in control_harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from control_harness import Harness, RecordingCapacity, RecordingRetirer, build


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    retirer, capacity = RecordingRetirer(), RecordingCapacity()
    return Harness(tmp_path, retirer, capacity, build(tmp_path, retirer, capacity))
