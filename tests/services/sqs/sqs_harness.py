"""Helpers for the queue service's end-to-end tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from support import RunningServer

WAIT_S = 15.0


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def wait_for(found: Callable[[], object], timeout: float = WAIT_S) -> object:
    """Poll `found` until it is truthy, with a deadline (background work has no signal)."""
    deadline = time.monotonic() + timeout
    while True:
        value = found()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def drain(sqs, url: str, expected: int, timeout: float = WAIT_S) -> list[dict]:
    """Receive (and delete) until `expected` messages came, or the deadline."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        for message in answer.get("Messages", []):
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def logged(server: RunningServer, function: str, prefix: str) -> list[str]:
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e["message"][len(prefix) :] for e in events if e["message"].startswith(prefix)]


def events_of(server: RunningServer, function: str) -> list[dict]:
    return [json.loads(text) for text in logged(server, function, "EVENT ")]


def records_of(server: RunningServer, function: str) -> list[dict]:
    return [r for event in events_of(server, function) for r in event["Records"]]


def mapping(lambda_client, function: str, source_arn: str, **settings) -> str:
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=source_arn, FunctionName=function, **settings
    )
    uuid = created["UUID"]
    wanted = "Enabled" if settings.get("Enabled", True) else "Disabled"
    assert wait_for(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == wanted)
    return uuid
