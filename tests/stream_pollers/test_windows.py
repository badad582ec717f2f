"""Tumbling windows in process: the event Lambda sends for a window, the state a response
must carry, and a lane's window state kept with its checkpoint (a restart goes on with it)."""

from __future__ import annotations

import json

from overcast.stream_pollers.checkpoints import Checkpoints
from overcast.stream_pollers.windows import STATE_LIMIT, Window, returned_state
from overcast.types import InvokeResult

# The keys of Lambda's KinesisTimeWindowEvent beside Records (Developer Guide, in this order).
WINDOW_KEYS = ["Records", "window", "state", "shardId", "eventSourceARN",
               "isFinalInvokeForWindow", "isWindowTerminatedEarly"]  # fmt: skip


def result(payload: object, error: str | None = None) -> InvokeResult:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return InvokeResult("request", 200, body, "$LATEST", error)


def test_the_window_event() -> None:
    window = Window(1_607_497_440_000, 120_000, {"1": 282})
    event = window.event([{"r": 1}], "shardId-000000000006", "arn:stream", final=True)
    assert list(event) == WINDOW_KEYS
    assert event["window"] == {"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"}
    assert event["state"] == {"1": 282} and event["Records"] == [{"r": 1}]
    assert event["isFinalInvokeForWindow"] is True and event["isWindowTerminatedEarly"] is False


def test_a_response_must_carry_its_state() -> None:
    assert returned_state(result({"state": {"a": 1}, "batchItemFailures": []})) == {"a": 1}
    for missing in ({}, {"state": [1]}, None, "text", b"", b"{not json"):
        assert returned_state(result(missing)) is None
    assert returned_state(result({"state": {}}, error="Unhandled")) is None


def test_large_state_terminates_the_window() -> None:
    window = Window(0, 1000, {"x": "y" * STATE_LIMIT})
    assert window.too_large()
    assert not Window(0, 1000, {"x": "y"}).too_large()


def test_window_state_is_kept_with_the_checkpoint(tmp_path) -> None:
    checkpoints = Checkpoints(tmp_path / "c.db")
    checkpoints.save_window("m", "s", 0, "42", 1000, {"count": 3})
    checkpoints.close()
    again = Checkpoints(tmp_path / "c.db")
    assert again.load("m", "s") == {0: "42"}
    assert again.windows("m", "s") == {0: (1000, {"count": 3})}
    again.end_window("m", "s", 0)
    assert again.windows("m", "s") == {} and again.load("m", "s") == {0: "42"}
