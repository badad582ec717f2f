"""The platform's own log lines, in Lambda's exact text format.

START RequestId: 6b4c... Version: $LATEST
END RequestId: 6b4c...
REPORT RequestId: 6b4c...\tDuration: 1.52 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t...
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from overcast.aws.arn import arn


@dataclass(frozen=True)
class Report:
    """What REPORT says about one invocation."""

    request_id: str
    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None = None  # cold starts only
    restore_duration_ms: float | None = None  # SnapStart: restored from a snapshot
    status: str | None = None  # "timeout" or "error" when the runtime did not answer
    error_type: str | None = None

    @property
    def billed_duration_ms(self) -> int:
        # Lambda bills in 1 ms steps, rounding up, and never less than 1 ms.
        return max(1, math.ceil(self.duration_ms))


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(report: Report) -> str:
    fields = [
        f"REPORT RequestId: {report.request_id}",
        f"Duration: {report.duration_ms:.2f} ms",
        f"Billed Duration: {report.billed_duration_ms} ms",
        f"Memory Size: {report.memory_size_mb} MB",
        f"Max Memory Used: {report.max_memory_used_mb} MB",
    ]
    if report.init_duration_ms is not None:
        fields.append(f"Init Duration: {report.init_duration_ms:.2f} ms")
    if report.restore_duration_ms is not None:
        fields.append(f"Restore Duration: {report.restore_duration_ms:.2f} ms")
        fields.append(f"Billed Restore Duration: {math.ceil(report.restore_duration_ms)} ms")
    if report.status:
        fields.append(f"Status: {report.status}")
    if report.error_type:
        fields.append(f"Error Type: {report.error_type}")
    return "\t".join(fields) + "\t"


def init_start_line(runtime: str, region: str) -> str:
    version = runtime.replace("python", "python:") + ".v1"
    runtime_arn = arn("lambda", region, "", f"runtime:overcast-{runtime}")
    return f"INIT_START Runtime Version: {version}\tRuntime Version ARN: {runtime_arn}"


def timeout_line(request_id: str, timeout_s: int) -> str:
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    return f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds"


def output_events(chunks: list[tuple[int, bytes]]) -> list[tuple[int, str]]:
    """A function's raw output (read at the given times) as one log event per line."""
    if not chunks:
        return []
    stamp = chunks[0][0]
    text = b"".join(chunk for _, chunk in chunks).decode("utf-8", "replace")
    return [(stamp, line) for line in text.rstrip("\n").split("\n")]
