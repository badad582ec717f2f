"""Subscription filters through boto3, in-process: what they keep, and what their deliveries
hand Lambda's async queue (by the function's ARN), in the shape Lambda gets from CloudWatch
Logs (the sample at /work/shared/events/cloudwatch-logs-event.json, from aws-lambda-go)."""

from __future__ import annotations

import json

import pytest
from logs_world import ACCOUNT, FUNCTION, REGION, Clock, Recorder, StubPermissions, decode

from overcast.observe.logs import LogStore
from overcast.services.logs.forwarder import Forwarder

GROUP = "/aws/lambda/orders"
STREAM = "2026/11/23/[$LATEST]0123456789abcdef"


@pytest.fixture
def group(logs) -> str:
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="api")
    return GROUP


def subscribe(logs, pattern: str = "", name: str = "errors", destination: str = FUNCTION) -> None:
    logs.put_subscription_filter(
        logGroupName=GROUP, filterName=name, filterPattern=pattern, destinationArn=destination
    )


def drain(backend_) -> None:
    """Run what the forwarder's thread would: match and deliver every queued batch."""
    forwarder: Forwarder = backend_.forwarder
    while not forwarder._queue.empty():
        forwarder.deliver(*forwarder._queue.get_nowait())


def test_put_and_describe_subscription_filters(logs, group: str, clock: Clock) -> None:
    subscribe(logs, "ERROR", name="b-errors")
    subscribe(logs, '{ $.level = "warn" }', name="a-warnings")

    filters = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert filters == [
        {
            "filterName": "a-warnings",
            "logGroupName": group,
            "filterPattern": '{ $.level = "warn" }',
            "destinationArn": FUNCTION,
            "distribution": "ByLogStream",
            "creationTime": clock.ms,
        },
        {
            "filterName": "b-errors",
            "logGroupName": group,
            "filterPattern": "ERROR",
            "destinationArn": FUNCTION,
            "distribution": "ByLogStream",
            "creationTime": clock.ms,
        },
    ]
    prefixed = logs.describe_subscription_filters(logGroupName=group, filterNamePrefix="b")
    assert [f["filterName"] for f in prefixed["subscriptionFilters"]] == ["b-errors"]
    paged = logs.describe_subscription_filters(logGroupName=group, limit=1)
    assert "nextToken" in paged


def test_a_group_has_at_most_two_filters(logs, group: str) -> None:
    subscribe(logs, name="one")
    subscribe(logs, name="two")
    subscribe(logs, "ERROR", name="two")  # an update of an existing one is no new filter
    with pytest.raises(logs.exceptions.LimitExceededException) as raised:
        subscribe(logs, name="three")
    assert raised.value.response["Error"]["Message"] == "Resource limit exceeded."


def test_delete_subscription_filter(logs, group: str, backend_, recorder: Recorder) -> None:
    subscribe(logs)
    logs.delete_subscription_filter(logGroupName=group, filterName="errors")
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_subscription_filter(logGroupName=group, filterName="errors")
    logs.put_log_events(
        logGroupName=group, logStreamName="api", logEvents=[{"timestamp": 1, "message": "x"}]
    )
    drain(backend_)
    assert recorder.sent == []


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        (
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nobody",
            "Could not execute the lambda function. Make sure you have given CloudWatch Logs "
            "permission to execute your function.",
        ),
        (  # a function of another account, even one of the same name
            f"arn:aws:lambda:{REGION}:999999999999:function:reader",
            "Could not execute the lambda function",
        ),
        (f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s", "Lambda functions only"),
    ],
)
def test_destinations_it_cannot_deliver_to_are_refused(
    logs, group: str, destination: str, message: str
) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException, match=message):
        subscribe(logs, destination=destination)


def test_the_function_policy_must_let_cloudwatch_logs_invoke_it(
    logs, group: str, store: LogStore, backend_, recorder: Recorder, permissions: StubPermissions
) -> None:
    """CloudWatch Logs invokes as logs.amazonaws.com (or logs.REGION.amazonaws.com) with the
    group's ARN and `:*` as aws:SourceArn; without that permission PutSubscriptionFilter is
    refused, and a permission removed since stops the deliveries."""
    source = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"
    permissions.allowed = {"events.amazonaws.com"}
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        subscribe(logs)
    assert raised.value.response["Error"]["Message"] == (
        "Could not execute the lambda function. Make sure you have given CloudWatch Logs "
        "permission to execute your function."
    )
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []
    assert {(c.service, c.source_arn, c.source_account) for c in permissions.asked} == {
        ("logs.amazonaws.com", source, ACCOUNT),
        (f"logs.{REGION}.amazonaws.com", source, ACCOUNT),
    }

    permissions.allowed = {f"logs.{REGION}.amazonaws.com"}  # the regional name will do
    subscribe(logs)
    store.append(GROUP, STREAM, [(5, "allowed")])
    drain(backend_)
    permissions.allowed = set()  # RemovePermission since
    store.append(GROUP, STREAM, [(6, "dropped")])
    drain(backend_)
    assert [p["logEvents"][0]["message"] for p in recorder.payloads()] == ["allowed"]


def test_malformed_patterns_and_missing_groups(logs, group: str) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException, match="Invalid filter"):
        subscribe(logs, "{ $.level = }")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.put_subscription_filter(
            logGroupName="/none", filterName="f", filterPattern="", destinationArn=FUNCTION
        )


def test_matching_events_reach_the_function_as_lambda_gets_them(
    logs, group: str, backend_, recorder: Recorder, clock: Clock
) -> None:
    subscribe(logs, "ERROR")
    now = clock.ms
    logs.put_log_events(
        logGroupName=group,
        logStreamName="api",
        logEvents=[
            {"timestamp": now, "message": "[ERROR] First test message"},
            {"timestamp": now, "message": "[INFO] not this one"},
            {"timestamp": now + 1, "message": "[ERROR] Second test message"},
        ],
    )
    drain(backend_)

    [delivery] = recorder.sent
    assert delivery.arn == FUNCTION
    event = json.loads(delivery.body)
    assert list(event) == ["awslogs"] and list(event["awslogs"]) == ["data"]
    data = decode(event)
    with open("/work/shared/events/cloudwatch-logs-event.json") as sample_file:
        sample = decode(json.load(sample_file))
    assert list(data) == list(sample)  # the keys of the sample, in its order
    assert data["messageType"] == "DATA_MESSAGE"
    assert (data["owner"], data["logGroup"], data["logStream"]) == (ACCOUNT, group, "api")
    assert data["subscriptionFilters"] == ["errors"]
    assert [(e["timestamp"], e["message"]) for e in data["logEvents"]] == [
        (now, "[ERROR] First test message"),
        (now + 1, "[ERROR] Second test message"),
    ]
    # Each event's id is the one FilterLogEvents gives it.
    found = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    assert [e["id"] for e in data["logEvents"]] == [e["eventId"] for e in found]


def test_function_logs_written_by_the_engine_are_delivered_too(
    logs, group: str, store: LogStore, backend_, recorder: Recorder
) -> None:
    subscribe(logs, '{ $.level = "error" }')
    store.append(GROUP, STREAM, [(5, '{"level": "error", "id": 1}'), (6, '{"level": "info"}')])
    drain(backend_)
    [data] = recorder.payloads()
    assert data["logStream"] == STREAM
    assert [e["message"] for e in data["logEvents"]] == ['{"level": "error", "id": 1}']


def test_nothing_is_sent_when_nothing_matches(
    logs, group: str, store: LogStore, backend_, recorder: Recorder
) -> None:
    subscribe(logs, "ERROR")
    store.append(GROUP, STREAM, [(5, "all good")])
    drain(backend_)
    assert recorder.sent == []


def test_two_filters_deliver_separately(
    logs, group: str, store: LogStore, backend_, recorder: Recorder
) -> None:
    subscribe(logs, "", name="everything")
    subscribe(logs, "ERROR", name="errors")
    store.append(GROUP, STREAM, [(5, "ERROR x"), (6, "fine")])
    drain(backend_)
    by_filter = {p["subscriptionFilters"][0]: len(p["logEvents"]) for p in recorder.payloads()}
    assert by_filter == {"everything": 2, "errors": 1}


def test_a_large_batch_is_split_into_payloads(
    logs, group: str, store: LogStore, backend_, recorder: Recorder
) -> None:
    subscribe(logs)
    store.append(GROUP, STREAM, [(i, f"{i:04d} " + "x" * 10_000) for i in range(40)])
    drain(backend_)
    payloads = recorder.payloads()
    assert len(payloads) > 1
    assert all(len(delivery.body) < 256 * 1024 for delivery in recorder.sent)
    delivered = [e["message"][:4] for p in payloads for e in p["logEvents"]]
    assert delivered == [f"{i:04d}" for i in range(40)]


def test_filters_are_restored_by_a_new_server(
    logs, group: str, store: LogStore, recorder: Recorder
) -> None:
    from logs_world import backend

    subscribe(logs)
    restarted = backend(store, recorder)  # what the factory builds at the next start
    store.watch(GROUP, None)  # as a fresh store would be
    restarted.forwarder.restore()
    store.append(GROUP, STREAM, [(5, "after the restart")])
    drain(restarted)
    assert [p["logEvents"][0]["message"] for p in recorder.payloads()] == ["after the restart"]
    restarted.queries.close()


def test_deleting_the_group_ends_its_deliveries(
    logs, group: str, store: LogStore, backend_, recorder: Recorder
) -> None:
    subscribe(logs)
    logs.delete_log_group(logGroupName=group)
    store.append(GROUP, STREAM, [(5, "a new group of the same name")])
    drain(backend_)
    assert recorder.sent == []
