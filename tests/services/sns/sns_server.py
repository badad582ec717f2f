"""What the end-to-end topic tests share: an SNS client of the session's `fast_server`
(short async delays, tests/conftest.py), SNS's sample event and readers of errors and shapes
(readers of what functions logged are in support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import RunningServer

SAMPLE = json.loads((Path(__file__).parents[2] / "events" / "sns-event.json").read_text())


@pytest.fixture
def sns(fast_server: RunningServer):
    return fast_server.client("sns")


def shape(value: object) -> object:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__
