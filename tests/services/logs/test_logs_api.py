"""CloudWatch Logs' read operations, driven by boto3's own `logs` client, in-process
(logs_world.py)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from starlette.testclient import TestClient

from overcast.observe.logs import LogStore

GROUP = "/aws/lambda/hello"
STREAM_A = "2026/11/23/[$LATEST]aaaaaaaa"
STREAM_B = "2026/11/23/[$LATEST]bbbbbbbb"
REGION = "eu-west-1"
ACCOUNT = "123456789012"


def post(http: TestClient, operation: str, body: dict) -> tuple[int, dict]:
    """What a client that checks nothing on its side is answered."""
    answer = http.post(
        "/",
        content=json.dumps(body),
        headers={
            "X-Amz-Target": f"Logs_20140328.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    return answer.status_code, answer.json()


@pytest.fixture
def written(store: LogStore) -> LogStore:
    store.append(GROUP, STREAM_A, [(1000, "START RequestId: r1\n"), (1002, "hello a\n")])
    store.append(GROUP, STREAM_B, [(1001, "START RequestId: r2\n"), (1003, "hello b\n")])
    return store


def test_describe_log_groups(logs, written) -> None:
    [group] = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]

    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}"  # region from the signature
    assert group["logGroupName"] == GROUP
    assert group["arn"] == f"{arn}:*"
    assert group["logGroupArn"] == arn
    assert group["creationTime"] == 1_800_000_000_000
    assert group["storedBytes"] > 0
    assert logs.describe_log_groups(logGroupNamePrefix="/other")["logGroups"] == []
    brief = logs.describe_log_groups(logGroupNamePattern="hell")["logGroups"]
    assert set(brief[0]) == {"logGroupName", "creationTime", "arn"}


def test_describe_log_groups_paginates(logs, store: LogStore) -> None:
    for i in range(5):
        store.append(f"/aws/lambda/f{i}", STREAM_A, [(1, "x")])
    pages = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 2})
    names = [group["logGroupName"] for page in pages for group in page["logGroups"]]
    assert names == [f"/aws/lambda/f{i}" for i in range(5)]


def test_describe_log_streams(logs, written) -> None:
    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [STREAM_A, STREAM_B]
    assert streams[0]["firstEventTimestamp"] == 1000
    assert streams[0]["lastEventTimestamp"] == 1002
    assert streams[0]["arn"].endswith(f":log-group:{GROUP}:log-stream:{STREAM_A}")

    latest = logs.describe_log_streams(
        logGroupName=GROUP, orderBy="LastEventTime", descending=True, limit=1
    )
    assert [s["logStreamName"] for s in latest["logStreams"]] == [STREAM_B]
    assert "nextToken" in latest


def test_a_log_group_arn_names_the_group(logs, written) -> None:
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}"
    streams = logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert len(streams) == 2
    # "Don't include an * at the end": the model's pattern for identifiers has no `*`.
    with pytest.raises(logs.exceptions.InvalidParameterException, match="logGroupIdentifier"):
        logs.describe_log_streams(logGroupIdentifier=f"{arn}:*")


def test_get_log_events(logs, written) -> None:
    answer = logs.get_log_events(logGroupName=GROUP, logStreamName=STREAM_A, startFromHead=True)

    assert [(e["timestamp"], e["message"]) for e in answer["events"]] == [
        (1000, "START RequestId: r1\n"),
        (1002, "hello a\n"),
    ]
    assert answer["events"][0]["ingestionTime"] == 1_800_000_000_000
    again = logs.get_log_events(
        logGroupName=GROUP, logStreamName=STREAM_A, nextToken=answer["nextForwardToken"]
    )
    assert again["events"] == []
    assert again["nextForwardToken"] == answer["nextForwardToken"]  # the end: same token


def test_filter_log_events_interleaves_and_paginates(logs, written) -> None:
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=GROUP, PaginationConfig={"PageSize": 1}
    )
    events = [event for page in pages for event in page["events"]]

    assert [e["message"] for e in events] == [
        "START RequestId: r1\n",
        "START RequestId: r2\n",
        "hello a\n",
        "hello b\n",
    ]
    assert [e["logStreamName"] for e in events[:2]] == [STREAM_A, STREAM_B]
    assert all(e["eventId"] for e in events)


def test_filter_log_events_by_pattern_and_time(logs, written) -> None:
    answer = logs.filter_log_events(logGroupName=GROUP, filterPattern="hello", startTime=1003)
    assert [e["message"] for e in answer["events"]] == ["hello b\n"]
    assert "nextToken" not in answer


def test_delete_log_group(logs, written) -> None:
    logs.delete_log_group(logGroupName=GROUP)

    assert logs.describe_log_groups()["logGroups"] == []
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_log_group(logGroupName=GROUP)


def test_a_missing_group_or_stream_is_resource_not_found(logs, written) -> None:
    with pytest.raises(ClientError) as raised:
        logs.filter_log_events(logGroupName="/aws/lambda/nope")
    error = raised.value.response
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == "The specified log group does not exist."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400

    with pytest.raises(logs.exceptions.ResourceNotFoundException, match="log stream"):
        logs.get_log_events(logGroupName=GROUP, logStreamName="no-such-stream")


def test_a_group_must_be_named_once(logs, written) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.describe_log_streams(logGroupName=GROUP, logGroupIdentifier=GROUP)
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.filter_log_events()


def test_the_body_is_checked_against_botocore_s_model(http: TestClient, written) -> None:
    body = {"logGroupName": GROUP, "logStreamName": STREAM_A, "limit": 0}
    status, error = post(http, "GetLogEvents", body)
    assert (status, error["__type"]) == (400, "InvalidParameterException")
    assert "limit" in error["message"]


def test_a_member_of_the_wrong_type_is_a_serialization_error(http: TestClient, written) -> None:
    """AWS's JSON front end refuses a value not of its member's type before any operation
    sees it (CloudWatch Logs answers a string for a long with SerializationException)."""
    body = {"logGroupName": GROUP, "logStreamName": STREAM_A, "limit": "ten"}
    status, error = post(http, "GetLogEvents", body)
    assert (status, error["__type"]) == (400, "SerializationException")


def test_an_unknown_operation(http: TestClient) -> None:
    assert post(http, "GetLogRecord", {"logRecordPointer": "x"}) == (
        400,
        {
            "__type": "UnknownOperationException",
            "message": "Unknown operation: Logs_20140328.GetLogRecord",
        },
    )
