"""Requests' log events printed as `overcast dev` shows them: output, errors with their
stacks, one summary line per REPORT."""

from __future__ import annotations

import io
import json

from botocore.exceptions import ClientError

from overcast.deploy.dev.log_tail import LogTail, RequestLog

REQUEST = "6b4c2a9e-0000-4000-8000-000000000001"
START = f"START RequestId: {REQUEST} Version: $LATEST\n"
END = f"END RequestId: {REQUEST}\n"
REPORT = (
    f"REPORT RequestId: {REQUEST}\tDuration: 1.52 ms\tBilled Duration: 2 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 30 MB\t\n"
)


def printed(*messages: str) -> list[str]:
    parser = RequestLog("Hello")
    return [line for message in messages for line in parser.lines(message)]


def test_a_request_prints_its_output_then_its_summary() -> None:
    assert printed(START, "hello world\n", END, REPORT) == [
        "Hello | hello world",
        f"Hello  ok  1.5 ms  RequestId: {REQUEST}",
    ]


def test_a_cold_start_says_its_init_duration() -> None:
    cold = REPORT.replace("\t\n", "\tInit Duration: 80.25 ms\t\n")
    assert printed(START, END, cold) == [
        f"Hello  ok  1.5 ms  (cold start: init 80.2 ms)  RequestId: {REQUEST}"
    ]


def test_a_python_error_prints_its_traceback_and_fails_the_request() -> None:
    error = (
        "[ERROR] ZeroDivisionError: division by zero\rTraceback (most recent call last):\r"
        '  File "/var/task/app.py", line 2, in handler\r    return 1 / 0\r'
        "ZeroDivisionError: division by zero\n"
    )
    lines = printed(START, error, END, REPORT)
    assert lines[0] == "Hello | [ERROR] ZeroDivisionError: division by zero"
    assert 'Hello |   File "/var/task/app.py", line 2, in handler' in lines
    assert lines[-1].startswith("Hello  error  1.5 ms")
    # the next request starts clean
    assert printed(START, error, END, REPORT, START, END, REPORT)[-1].startswith("Hello  ok")


def test_a_node_error_prints_its_type_message_and_stack() -> None:
    body = {
        "errorType": "TypeError",
        "errorMessage": "x is not a function",
        "trace": ["TypeError: x is not a function", "    at handler (/var/task/index.mjs:3:9)"],
    }
    error = f"2026-01-01T00:00:00.000Z\t{REQUEST}\tERROR\tInvoke Error {json.dumps(body)}\n"
    assert printed(START, error, END, REPORT) == [
        "Hello | ERROR TypeError: x is not a function",
        "Hello |     at handler (/var/task/index.mjs:3:9)",
        f"Hello  error  1.5 ms  RequestId: {REQUEST}",
    ]


def test_a_timeout_is_the_reports_own_status() -> None:
    timed_out = REPORT.replace("\t\n", "\tStatus: timeout\t\n")
    assert printed(START, END, timed_out) == [f"Hello  timeout  1.5 ms  RequestId: {REQUEST}"]


class FakeLogs:
    def __init__(self) -> None:
        self.groups: dict[str, list[dict]] = {}
        self.asked: list[dict] = []

    def add(self, group: str, stamp: int, message: str) -> None:
        events = self.groups.setdefault(group, [])
        events.append({"eventId": f"{group}-{len(events)}", "timestamp": stamp, "message": message})

    def filter_log_events(self, **request: object) -> dict:
        self.asked.append(request)
        if request["logGroupName"] not in self.groups:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no group"}}
            raise ClientError(error, "FilterLogEvents")
        events = self.groups[request["logGroupName"]]
        return {"events": [e for e in events if e["timestamp"] >= request["startTime"]]}


def test_the_tail_prints_each_new_event_once_and_nothing_from_before_it_began() -> None:
    logs, out = FakeLogs(), io.StringIO()
    logs.add("/aws/lambda/app-Hello", 999_000, "from an earlier session\n")
    tail = LogTail(logs, out, clock=lambda: 1000.0)
    tail.follow({"app-Hello": "Hello", "app-Quiet": "Quiet"})
    tail.poll()  # app-Quiet has never run: no group yet, nothing to say
    logs.add("/aws/lambda/app-Hello", 1_000_100, "first\n")
    tail.poll()
    logs.add("/aws/lambda/app-Hello", 1_000_200, "second\n")
    tail.poll()
    assert out.getvalue() == "Hello | first\nHello | second\n"
    assert all(asked["startTime"] >= 1_000_000 for asked in logs.asked)
