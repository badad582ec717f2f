"""What the end-to-end topic tests share: a server with short async delays, an SNS client,
SNS's sample event and readers of errors and shapes (readers of what functions logged are in
support.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import RunningServer, start_server

SAMPLE = json.loads((Path(__file__).parents[2] / "events" / "sns-event.json").read_text())


@pytest.fixture(scope="module")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(
        tmp_path_factory.mktemp("sns-data"), "--keep-alive", "30", "--async-delay-scale", "0.01"
    )
    yield running
    running.stop()


@pytest.fixture
def sns(fast_server: RunningServer):
    return fast_server.client("sns")


def shape(value: object) -> object:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__
