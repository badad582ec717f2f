"""CloudWatch Logs' write operations through boto3, in-process (logs_world.py): groups and
streams, PutLogEvents' rules as its API reference states them, retention applied."""

from __future__ import annotations

import pytest
from logs_world import ACCOUNT, REGION, Clock

from overcast.observe.logs import LogStore

GROUP = "/app/orders"
HOUR_MS, DAY_MS = 3600 * 1000, 24 * 3600 * 1000


@pytest.fixture
def stream(logs) -> str:
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="web-1")
    return "web-1"


def messages(logs, **query) -> list[str]:
    return [e["message"] for e in logs.filter_log_events(logGroupName=GROUP, **query)["events"]]


def test_create_log_group_with_tags_and_class(logs) -> None:
    logs.create_log_group(logGroupName=GROUP, tags={"team": "orders"}, logGroupClass="STANDARD")

    [group] = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert group["logGroupArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}"
    assert group["logGroupClass"] == "STANDARD"
    assert "retentionInDays" not in group  # never expires until a policy says so
    assert logs.list_tags_log_group(logGroupName=GROUP)["tags"] == {"team": "orders"}


def test_a_log_group_is_created_once(logs) -> None:
    logs.create_log_group(logGroupName=GROUP)
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException) as raised:
        logs.create_log_group(logGroupName=GROUP)
    error = raised.value.response
    assert error["Error"]["Message"] == "The specified log group already exists."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad:name",
            "1 validation error detected: Value 'bad:name' at 'logGroupName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+",
        ),
        ("aws/mine", "Log groups starting with AWS/ are reserved for AWS."),
    ],
)
def test_log_group_names_are_checked(logs, name: str, message: str) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        logs.create_log_group(logGroupName=name)
    assert raised.value.response["Error"]["Message"] == message


def test_create_log_stream(logs, stream: str) -> None:
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException, match="stream already"):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="log group does not"):
        logs.create_log_stream(logGroupName="/app/none", logStreamName=stream)
    [shown] = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert shown["logStreamName"] == stream


def test_put_log_events_then_read_them(logs, stream: str, clock: Clock) -> None:
    now = clock.ms
    answer = logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": now - 2, "message": "one"}, {"timestamp": now, "message": "two"}],
        sequenceToken="ignored, as CloudWatch now ignores it",
    )

    assert answer["nextSequenceToken"].isdigit()
    assert "rejectedLogEventsInfo" not in answer
    events = logs.get_log_events(logGroupName=GROUP, logStreamName=stream)["events"]
    assert [(e["timestamp"], e["message"], e["ingestionTime"]) for e in events] == [
        (now - 2, "one", now),
        (now, "two", now),
    ]


def test_put_log_events_to_a_missing_stream(logs, stream: str, clock: Clock) -> None:
    events = [{"timestamp": clock.ms, "message": "x"}]
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as raised:
        logs.put_log_events(logGroupName=GROUP, logStreamName="nope", logEvents=events)
    assert raised.value.response["Error"]["Message"] == "The specified log stream does not exist."


def test_events_out_of_order_fail_the_call(logs, stream: str, clock: Clock) -> None:
    events = [{"timestamp": clock.ms, "message": "b"}, {"timestamp": clock.ms - 1, "message": "a"}]
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)
    assert raised.value.response["Error"]["Message"] == (
        "Log events in a single PutLogEvents request must be in chronological order."
    )
    assert messages(logs) == []


def test_too_old_too_new_and_expired_events_are_rejected_not_refused(
    logs, stream: str, clock: Clock
) -> None:
    now = clock.ms
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=7)
    events = [
        {"timestamp": now - 15 * DAY_MS, "message": "too old"},
        {"timestamp": now - 14 * DAY_MS - 1, "message": "too old too"},
        {"timestamp": now - 8 * DAY_MS, "message": "expired"},
        {"timestamp": now - 2 * HOUR_MS, "message": "kept"},
        {"timestamp": now + 2 * HOUR_MS, "message": "kept: 2 hours ahead is allowed"},
        {"timestamp": now + 2 * HOUR_MS + 1, "message": "too new"},
    ]
    answer = logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)

    # AWS's indexes: the end ones exclusive, the start one inclusive.
    assert answer["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 2,
        "expiredLogEventEndIndex": 3,
        "tooNewLogEventStartIndex": 5,
    }
    assert messages(logs) == ["kept", "kept: 2 hours ahead is allowed"]


def test_a_batch_of_only_rejected_events_writes_nothing(logs, stream: str, clock: Clock) -> None:
    events = [{"timestamp": clock.ms + DAY_MS, "message": "tomorrow"}]
    answer = logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)
    assert answer["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 0}
    assert messages(logs) == []


def test_accepted_events_may_not_span_more_than_a_day(logs, stream: str, clock: Clock) -> None:
    now = clock.ms
    events = [
        {"timestamp": now - DAY_MS - 1, "message": "a"},
        {"timestamp": now, "message": "b"},
    ]
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)
    assert raised.value.response["Error"]["Message"] == (
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
    )


def test_batch_and_event_sizes(logs, stream: str, clock: Clock) -> None:
    now = clock.ms
    # Each event counts its UTF-8 message plus 26 bytes.
    too_large = [{"timestamp": now, "message": "é" * 524_276}]  # 1,048,552 + 26 bytes
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=too_large)
    assert raised.value.response["Error"]["Message"] == (
        "Log event too large: 1048578 bytes exceeds limit of 1048576"
    )
    batch = [{"timestamp": now, "message": "x" * 400_000}] * 3
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=batch)
    assert raised.value.response["Error"]["Message"] == (
        "Upload too large: 1200078 bytes exceeds limit of 1048576"
    )
    fits = [{"timestamp": now, "message": "x" * (1_048_576 - 26)}]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=fits)


def test_at_most_ten_thousand_events(logs, stream: str, clock: Clock) -> None:
    events = [{"timestamp": clock.ms, "message": "x"}] * 10_001
    with pytest.raises(logs.exceptions.InvalidParameterException, match="logEvents"):
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


def test_function_logs_and_api_logs_share_a_group(logs, store: LogStore, clock: Clock) -> None:
    group = "/aws/lambda/orders"
    store.append(group, "2026/11/23/[$LATEST]abc", [(clock.ms - 1, "START RequestId: r1")])
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="audit")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="audit",
        logEvents=[{"timestamp": clock.ms, "message": "written through the API"}],
    )
    store.append(group, "2026/11/23/[$LATEST]abc", [(clock.ms + 1, "END RequestId: r1")])

    found = logs.filter_log_events(logGroupName=group)["events"]
    assert [(e["logStreamName"], e["message"]) for e in found] == [
        ("2026/11/23/[$LATEST]abc", "START RequestId: r1"),
        ("audit", "written through the API"),
        ("2026/11/23/[$LATEST]abc", "END RequestId: r1"),
    ]


def test_delete_log_stream(logs, stream: str, clock: Clock) -> None:
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": clock.ms, "message": "x"}],
    )
    logs.delete_log_stream(logGroupName=GROUP, logStreamName=stream)
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []
    assert messages(logs) == []
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="log stream does not"):
        logs.delete_log_stream(logGroupName=GROUP, logStreamName=stream)


def test_retention_policy_is_shown_and_applied(logs, stream: str, clock: Clock) -> None:
    now = clock.ms
    for timestamp, message in [(now - 5 * DAY_MS, "five days old"), (now, "new")]:
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": timestamp, "message": message}],
        )
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=3)

    [group] = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert group["retentionInDays"] == 3
    assert messages(logs) == ["new"]
    events = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)
    assert [e["message"] for e in events["events"]] == ["new"]

    logs.delete_retention_policy(logGroupName=GROUP)
    [group] = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert "retentionInDays" not in group
    assert messages(logs) == ["five days old", "new"]  # not purged yet: the sweep had not run


def test_expired_events_are_purged(logs, backend_, stream: str, clock: Clock) -> None:
    now = clock.ms
    old = [{"timestamp": now - 5 * DAY_MS + i, "message": f"old {i}"} for i in range(100)]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=old)
    logs.put_log_events(
        logGroupName=GROUP, logStreamName=stream, logEvents=[{"timestamp": now, "message": "new"}]
    )
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=1)
    before = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["storedBytes"]

    assert backend_.retention.sweep() == 1  # what the service's thread runs
    logs.delete_retention_policy(logGroupName=GROUP)
    assert messages(logs) == ["new"]  # gone for good, not only hidden
    after = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"][0]["storedBytes"]
    assert after < before / 10


@pytest.mark.parametrize("days", [0, 2, 4000])
def test_retention_must_be_one_of_aws_s_values(logs, stream: str, days: int) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException) as raised:
        logs.put_retention_policy(logGroupName=GROUP, retentionInDays=days)
    assert raised.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
        "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, "
        "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"
    )


def test_retention_of_a_missing_group(logs) -> None:
    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="log group does not"):
        logs.put_retention_policy(logGroupName="/app/none", retentionInDays=1)
