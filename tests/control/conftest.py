"""Fixtures for control-plane tests (helpers live in control_harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from control_harness import Harness, RecordingRetirer, build


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    retirer = RecordingRetirer()
    return Harness(tmp_path, retirer, build(tmp_path, retirer))
