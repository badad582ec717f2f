"""The CloudWatch Logs API subset, driven by boto3's own `logs` client, in-process.

boto3 serializes each request exactly as it would for AWS; a `before-send` hook hands it to
the app's JSON 1.1 endpoint (`api.app.TargetApi`, as `build_app` mounts this handler) through
Starlette's test client instead of the network, so botocore's own parser checks the shapes
and error names of the answers.
"""

from __future__ import annotations

import asyncio

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from overcast.aws.errors import ServiceError
from overcast.config import Settings
from overcast.http.app import TargetApi
from overcast.observe.logs import LogStore
from overcast.services.logs.api import TARGET_PREFIX, logs_handler
from overcast.services.logs.errors import UnknownOperationException

GROUP = "/aws/lambda/hello"
STREAM_A = "2026/11/23/[$LATEST]aaaaaaaa"
STREAM_B = "2026/11/23/[$LATEST]bbbbbbbb"
REGION = "eu-west-1"
ACCOUNT = "123456789012"


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


@pytest.fixture
def store(tmp_path):
    logs = LogStore(tmp_path, clock=lambda: 1_800_000_000.0)
    yield logs
    logs.close()


@pytest.fixture
def handle(store: LogStore):
    return logs_handler(store, account_id=ACCOUNT)


@pytest.fixture
def logs(handle):
    async def not_a_target(request):  # the REST fallback: never reached by the logs client
        raise AssertionError("request without X-Amz-Target")

    targets = TargetApi(Settings(), {TARGET_PREFIX: handle}, not_a_target)
    http = TestClient(Starlette(routes=[Route("/", targets.handle, methods=["POST"])]))
    client = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url="http://overcast.test",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 0}),
    )

    def send(request, **_: object) -> AWSResponse:
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        answer = http.post("/", content=request.body, headers=headers)
        return AWSResponse(request.url, answer.status_code, answer.headers, _Body(answer.content))

    client.meta.events.register("before-send.logs", send)
    with http:
        yield client


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
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"
    streams = logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert len(streams) == 2


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


def test_the_body_is_checked_against_botocore_s_model(handle) -> None:
    # boto3 validates on its side too, so send what another client might.
    body = {"logGroupName": GROUP, "logStreamName": STREAM_A, "limit": "ten"}
    with pytest.raises(ServiceError) as raised:
        asyncio.run(handle("GetLogEvents", body, None))
    assert raised.value.code == "InvalidParameterException"
    assert "limit" in raised.value.message


def test_an_unknown_operation(handle) -> None:
    with pytest.raises(UnknownOperationException) as raised:
        asyncio.run(handle("PutLogEvents", {}, None))
    assert (raised.value.code, raised.value.status) == ("UnknownOperationException", 400)
