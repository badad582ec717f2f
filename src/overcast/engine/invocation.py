"""An invocation's outcome: the record the engine keeps while it runs, and the result."""

from __future__ import annotations

import json
import time

from overcast.aws import json_document
from overcast.function import FunctionVersion
from overcast.observe import report as lines
from overcast.runtimes import response_stream
from overcast.runtimes.python import protocol
from overcast.sandbox.environment import Answer
from overcast.sandbox.launcher import Started
from overcast.types import InvokeResult


def error_payload(error_type: str, message: str) -> bytes:
    """A platform-made error object (timeouts, crashes), shaped like the runtime's own."""
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def _error_object(body: bytes) -> dict:
    """The error object an environment sent for its failed init. It comes from the function's
    side: anything that is not a JSON object stands as the message of an unknown error."""
    try:
        error = json_document.loads(body, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        error = None
    if isinstance(error, dict):
        return error
    return {"errorType": "Runtime.Unknown", "errorMessage": body.decode("utf-8", "replace")}


class InvocationRecord:
    """Collects what one invocation did, then turns it into a result and log events."""

    def __init__(self, function: FunctionVersion, request_id: str) -> None:
        self.function = function
        self.request_id = request_id
        self.started_ms = int(time.time() * 1000)
        self._t0 = time.perf_counter()
        self.init_ms: float | None = None
        self.restore_ms: float | None = None
        self.init_error: bytes | None = None
        self.status: str | None = None
        self.error_type: str | None = None
        self.payload = b""
        self.function_error: str | None = None
        self.max_rss_kb = 0
        self.max_memory_mb = 0
        self._head: list[tuple[int, str]] = []
        self._body: list[tuple[int, str]] = []
        self._duration_ms = 0.0

    def cold(self, started: Started) -> None:
        init_error = started.init_error
        if started.restored:  # SnapStart: REPORT says Restore Duration instead of Init Duration
            self.restore_ms = started.init_ms
        else:
            self.init_ms = started.init_ms
            self._head.append(
                (
                    self.started_ms,
                    lines.init_start_line(self.function.runtime, self.function.region),
                )
            )
        until = protocol.INIT_DONE if started.first_sent else b""
        self._head += lines.output_events(started.environment.take_logs(until))
        if init_error is not None:
            self.init_error = init_error
            error = _error_object(init_error)
            error["requestId"] = self.request_id
            self.payload = json.dumps(error).encode()
            self.function_error = "Unhandled"
            self.status, self.error_type = "error", error.get("errorType")
            message = f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}"
            self._head.append((int(time.time() * 1000), message))

    def begin(self) -> None:
        self._t0 = time.perf_counter()
        self.started_ms = int(time.time() * 1000)

    def timed_out(self) -> None:
        self.status = "timeout"
        timeout = f"{self.function.timeout:.2f}"
        message = f"RequestId: {self.request_id} Error: Task timed out after {timeout} seconds"
        self.payload = error_payload("Sandbox.Timedout", message)
        self.function_error = "Unhandled"
        self._body.append(
            (int(time.time() * 1000), lines.timeout_line(self.request_id, self.function.timeout))
        )

    def too_large(self, limit: int) -> None:
        """The function answered more than `limit` bytes: Lambda fails the invocation with
        Function.ResponseSizeTooLarge (still status 200, with X-Amz-Function-Error)."""
        error = response_stream.too_large(limit)
        self.status, self.error_type = "error", error["errorType"]
        self.payload = error_payload(error["errorType"], error["errorMessage"])
        self.function_error = "Unhandled"

    def crashed(self, reason: str) -> None:
        self.status, self.error_type = "error", "Runtime.ExitError"
        message = f"RequestId: {self.request_id} Error: Runtime exited with error: {reason}"
        self.payload = error_payload("Runtime.ExitError", message)
        self.function_error = "Unhandled"
        self._body.append((int(time.time() * 1000), f"{message}\nRuntime.ExitError"))

    def end(self, answer: Answer | None, chunks: list[tuple[int, bytes]]) -> None:
        self._duration_ms = (time.perf_counter() - self._t0) * 1000.0
        self._body[:0] = lines.output_events(chunks)
        if answer is None:
            return
        self.max_rss_kb = answer.meta.get("max_rss_kb", 0)
        self.payload = answer.body
        if answer.kind == protocol.ERROR:
            self.function_error = "Unhandled"

    def log_events(self) -> list[tuple[int, str]]:
        now = int(time.time() * 1000)
        # A cold start's first event runs as soon as the init ends (FirstInvoke), before the
        # engine hears READY and calls begin(): its first lines may be read (and stamped)
        # earlier than that. START is never later than what follows it, so readers that sort
        # a group's events by time (FilterLogEvents) keep them after it.
        started_ms = min(self.started_ms, self._body[0][0]) if self._body else self.started_ms
        report = lines.Report(
            request_id=self.request_id,
            duration_ms=self._duration_ms,
            memory_size_mb=self.function.memory_size,
            max_memory_used_mb=self.max_memory_mb,
            init_duration_ms=self.init_ms,
            restore_duration_ms=self.restore_ms,
            status=self.status,
            error_type=self.error_type,
        )
        return [
            *self._head,
            (started_ms, lines.start_line(self.request_id, self.function.version)),
            *self._body,
            (now, lines.end_line(self.request_id)),
            (now, lines.report_line(report)),
        ]

    def result(self, log_result: str | None, log_stream: str) -> InvokeResult:
        return InvokeResult(
            request_id=self.request_id,
            status_code=200,
            payload=self.payload,
            executed_version=self.function.version,
            function_error=self.function_error,
            log_result=log_result,
            log_group=self.function.log_group,
            log_stream=log_stream,
        )
