"""The deployed functions' requests, printed as they happen: each function's own output, its
errors with their stack traces, and one line per request when its REPORT arrives (function,
status, duration).

Read from CloudWatch Logs with FilterLogEvents on each function's log group
(`/aws/lambda/<name>`), polled: Lambda writes an invocation's lines when it ends, stamped
from its start (START ... END, then REPORT with `Duration`, `Init Duration` on a cold start,
and `Status: error|timeout` where the runtime did not answer).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

POLL_S = 0.25
# Lines are stamped from their invocation's start and written at its end, so a poll looks
# back this far for ones that arrived late (a request longer than this prints late or not).
LOOKBACK_MS = 30_000
_REPORT = re.compile(r"^REPORT RequestId: (?P<id>\S+)\tDuration: (?P<duration>[\d.]+) ms")
_INIT = re.compile(r"\tInit Duration: (?P<init>[\d.]+) ms")
_STATUS = re.compile(r"\tStatus: (?P<status>\w+)")
_ERROR_TYPE = re.compile(r"\tError Type: (?P<type>[^\t]+)")
# Lambda's Node.js format: TIMESTAMP\tREQUEST_ID\tLEVEL\tmessage
_NODE_LINE = re.compile(r"^\S+\t\S+\t(?P<level>[A-Z]+)\t(?P<message>.*)$", re.S)
_PLATFORM = ("START RequestId:", "END RequestId:", "INIT_START ")


@dataclass
class RequestLog:
    """One function's log events turned into the lines `overcast dev` prints."""

    key: str  # the function as the project names it
    _failed: bool = field(default=False, init=False)

    def lines(self, message: str) -> list[str]:
        text = message.removesuffix("\n")
        if text.startswith("START RequestId:"):
            self._failed = False
            return []
        if text.startswith(_PLATFORM):
            return []
        report = _REPORT.match(text)
        if report:
            return [self._summary(text, report)]
        error = _error_lines(text)
        if error is not None:
            self._failed = True
            return [f"{self.key} | {line}" for line in error]
        # Lambda keeps a multi-line message in one event with carriage returns for newlines.
        return [f"{self.key} | {line}" for line in text.replace("\r", "\n").splitlines()]

    def _summary(self, text: str, report: re.Match) -> str:
        status_match = _STATUS.search(text)
        status = status_match["status"] if status_match else ("error" if self._failed else "ok")
        self._failed = False
        parts = [f"{self.key}", status, f"{float(report['duration']):.1f} ms"]
        init = _INIT.search(text)
        if init:
            parts.append(f"(cold start: init {float(init['init']):.1f} ms)")
        error_type = _ERROR_TYPE.search(text)
        if error_type:
            parts.append(error_type["type"])
        parts.append(f"RequestId: {report['id']}")
        return "  ".join(parts)


def _error_lines(text: str) -> list[str] | None:
    """An uncaught error's lines (type, message, stack), None for any other line.

    Python's runtime logs `[ERROR] Type: message\\rTraceback ...` as one event; Node's logs
    `...\\tERROR\\tInvoke Error {"errorType", "errorMessage", "trace"|"stack"}`.
    """
    if text.startswith("[ERROR]"):
        return text.replace("\r", "\n").splitlines()
    node = _NODE_LINE.match(text)
    if not node or node["level"] != "ERROR" or "Invoke Error" not in node["message"]:
        return None
    body = node["message"].split("Invoke Error", 1)[1].strip()
    try:
        error = json.loads(body)
    except ValueError:
        return [f"ERROR Invoke Error {body}"]
    if not isinstance(error, dict):
        return [f"ERROR Invoke Error {body}"]
    trace = error.get("trace") or error.get("stack") or []
    head = f"ERROR {error.get('errorType', 'Error')}: {error.get('errorMessage', '')}"
    stack = [line for line in trace if isinstance(line, str)]
    if stack and stack[0].startswith(f"{error.get('errorType')}:"):
        stack = stack[1:]  # an Error's stack starts with the line `head` already says
    return [head, *stack]


class LogTail:
    """Polls the functions' log groups and prints what is new, until `stop()`."""

    def __init__(
        self,
        logs_client: Any,
        out: TextIO,
        clock: Callable[[], float],
        poll_s: float = POLL_S,
    ) -> None:
        self.logs = logs_client
        self.out = out  # shared with other threads: one write() per batch of lines
        self.clock = clock
        self.lock = threading.Lock()  # guards the followed functions
        self.poll_s = poll_s
        self._start_ms = int(clock() * 1000)
        self._functions: dict[str, RequestLog] = {}  # physical name -> its parser
        self._seen: dict[str, dict[str, int]] = {}  # physical name -> event id -> timestamp
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def follow(self, functions: dict[str, str]) -> None:
        """Follow these functions (physical name -> project key) from now on."""
        with self.lock:
            self._functions = {
                name: self._functions.get(name) or RequestLog(key)
                for name, key in functions.items()
            }

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="overcast-dev-logs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def poll(self) -> None:
        """One look at every followed group: new events printed in time order."""
        with self.lock:
            followed = dict(self._functions)
        for name, parser in followed.items():
            lines = [line for event in self._new_events(name) for line in parser.lines(event)]
            if lines:
                self.out.write("".join(f"{line}\n" for line in lines))
                self.out.flush()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.poll()
            except Exception as error:  # the server went away: say so once a poll, go on
                self.out.write(f"logs: {type(error).__name__}: {error}\n")
            self._stopped.wait(self.poll_s)

    def _new_events(self, name: str) -> Iterator[str]:
        now_ms = int(self.clock() * 1000)
        since = max(self._start_ms, now_ms - LOOKBACK_MS)
        seen = self._seen.setdefault(name, {})
        for event in _events(self.logs, f"/aws/lambda/{name}", since):
            if event["eventId"] not in seen:
                seen[event["eventId"]] = event["timestamp"]
                yield event["message"]
        self._seen[name] = {key: stamp for key, stamp in seen.items() if stamp >= since}


def _events(logs: Any, group: str, start_ms: int) -> Iterator[dict]:
    request: dict = {"logGroupName": group, "startTime": start_ms}
    while True:
        try:
            page = logs.filter_log_events(**request)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code == "ResourceNotFoundException":
                return  # no invocation yet: its group is made by its first
            raise
        yield from page.get("events", [])
        if not page.get("nextToken"):
            return
        request["nextToken"] = page["nextToken"]
