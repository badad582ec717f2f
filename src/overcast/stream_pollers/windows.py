"""Tumbling windows (TumblingWindowInSeconds), as Lambda's Developer Guide describes them
("Implementing stateful Kinesis Data Streams processing" / "... DynamoDB Streams processing"):

- Each record belongs to the window its arrival time falls in ("Lambda determines tumbling
  window boundaries based on the time when records were inserted into the stream"): windows
  of the given length, aligned on the epoch, kept per shard (here per lane of a shard, so
  that ParallelizationFactor still keeps each key's order).
- Each invocation gets the window's `state` ({} at first) with `window` {start, end},
  `shardId`, `eventSourceARN`, `isFinalInvokeForWindow` and `isWindowTerminatedEarly`; the
  function must return `{"state": {...}}` ("If the response does not contain a state
  property, Lambda considers this a failed invocation"), which the next invocation gets.
- At the end of the window Lambda invokes the function once more with the final state and
  `isFinalInvokeForWindow` true (here with no records: each was aggregated in its batch),
  retrying until it succeeds ("your Lambda function suspends further processing until a
  successful invocation"); then the state is dropped. A window ends when a record of a later
  window is read, when its shard ends ("When a shard ends, Lambda considers the current window
  to be closed"), or when no record came for it: Lambda "waits for up to 2 minutes"; here
  IDLE_GRACE_S past its end, as records take their arrival time from this machine's clock
  when written.
- "Your state can be a maximum of 1 MB per shard. If it exceeds that size, Lambda terminates
  the window early": the function gets a final invocation with that state and
  `isWindowTerminatedEarly` true, and the window goes on with a fresh state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from overcast.aws import json_document
from overcast.types import InvokeResult

STATE_LIMIT = 1024 * 1024
IDLE_GRACE_S = 1.0


@dataclass
class Window:
    start_ms: int
    length_ms: int
    state: dict = field(default_factory=dict)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.length_ms

    def event(
        self,
        records: list[dict],
        shard_id: str,
        stream_arn: str,
        *,
        final: bool = False,
        early: bool = False,
    ) -> dict:
        """The invocation's event (KinesisTimeWindowEvent / DynamodbTimeWindowEvent)."""
        return {
            "Records": records,
            "window": {"start": _iso(self.start_ms), "end": _iso(self.end_ms)},
            "state": self.state,
            "shardId": shard_id,
            "eventSourceARN": stream_arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": early,
        }

    def too_large(self) -> bool:
        return len(json.dumps(self.state, separators=(",", ":"))) > STATE_LIMIT


def returned_state(result: InvokeResult) -> dict | None:
    """The `state` the function returned; None when its response has none (a failure)."""
    if result.function_error or not result.payload.strip():
        return None
    try:
        response = json_document.loads(result.payload, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        return None
    state = response.get("state") if isinstance(response, dict) else None
    return state if isinstance(state, dict) else None


def _iso(ms: int) -> str:
    """`2020-12-09T07:04:00Z`, as the window's bounds are written in Lambda's events."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
