"""Helpers for the stream mappings' end-to-end tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from support import RunningServer

WAIT_S = 20.0


def wait_for(found: Callable[[], object], timeout: float = WAIT_S) -> object:
    """Poll `found` until it is truthy, with a deadline (background work has no signal)."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def events_of(server: RunningServer, function: str) -> list[dict]:
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    prefix = "EVENT "
    return [
        json.loads(e["message"][len(prefix) :]) for e in events if e["message"].startswith(prefix)
    ]


def mapping(lambda_client, function: str, stream_arn: str, **settings) -> str:
    settings.setdefault("StartingPosition", "TRIM_HORIZON")
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=function, **settings
    )
    uuid = created["UUID"]
    assert wait_for(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")
    return uuid
