"""What the end-to-end topic tests share: a server with short async delays, clients, and
readers of what functions logged."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support import RunningServer, start_server

SAMPLE = json.loads((Path(__file__).parents[2] / "events" / "sns-event.json").read_text())
RECORDER = """
import json

def handler(event, context):
    print("RECORD " + json.dumps(event))
"""


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


def wait_for(check: Callable[[], object], timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)  # polling an observable outcome with a deadline
    raise AssertionError("condition not met in time")


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def log_messages(server: RunningServer, name: str) -> list[str]:
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [event["message"] for event in events]


def records(server: RunningServer, name: str) -> list[dict]:
    return [
        json.loads(message.split("RECORD ", 1)[1])
        for message in log_messages(server, name)
        if message.startswith("RECORD ")
    ]


def shape(value: object) -> object:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__
