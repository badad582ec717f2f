"""CloudWatch Logs on a real `overcast server`, through boto3: a function subscribed to a log
group gets CloudWatch's `awslogs` event for what PutLogEvents wrote and for what another
function logged, as Lambda delivers it (asynchronously, through Lambda's queue)."""

from __future__ import annotations

import base64
import gzip
import json
import time

import pytest

from support import RECORDER, allow, deploy, records, wait_for

NOISY = """
def handler(event, context):
    print("ERROR the disk is full")
    print("INFO all good otherwise")
"""


def delivered(server, name: str) -> list[dict]:
    """The CloudWatch Logs data the recorder function `name` got, decoded."""
    return [
        json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
        for event in records(server, name)
        if "awslogs" in event
    ]


def test_a_subscribed_function_gets_api_and_function_logs(server, function_name: str) -> None:
    lambda_ = server.client("lambda")
    logs = server.client("logs")
    reader, writer = f"{function_name}-reader", f"{function_name}-writer"
    deploy(lambda_, reader, RECORDER)
    deploy(lambda_, writer, NOISY)
    reader_arn = lambda_.get_function(FunctionName=reader)["Configuration"]["FunctionArn"]

    # Logs written through the API, to a group of their own.
    group = f"/app/{function_name}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="web-1")
    region, account = reader_arn.split(":")[3:5]
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:{group}:*"
    with pytest.raises(logs.exceptions.InvalidParameterException, match="Could not execute"):
        logs.put_subscription_filter(
            logGroupName=group, filterName="all", filterPattern="", destinationArn=reader_arn
        )
    allow(lambda_, reader, "logs.amazonaws.com", group_arn, statement_id="api-group")
    logs.put_subscription_filter(
        logGroupName=group, filterName="all", filterPattern="", destinationArn=reader_arn
    )
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="web-1",
        logEvents=[{"timestamp": now, "message": "hello from the API"}],
    )
    [data] = wait_for(lambda: delivered(server, reader))
    assert data["messageType"] == "DATA_MESSAGE"
    assert (data["logGroup"], data["logStream"]) == (group, "web-1")
    assert data["subscriptionFilters"] == ["all"]
    assert [(e["timestamp"], e["message"]) for e in data["logEvents"]] == [
        (now, "hello from the API")
    ]

    # A function's own logs, written by the engine, filtered by a term.
    writer_group = f"/aws/lambda/{writer}"
    lambda_.invoke(FunctionName=writer, Payload=b"{}")  # its group exists once it has run
    wait_for(lambda: logs.describe_log_groups(logGroupNamePrefix=writer_group)["logGroups"])
    writer_arn = f"arn:aws:logs:{region}:{account}:log-group:{writer_group}:*"
    allow(lambda_, reader, f"logs.{region}.amazonaws.com", writer_arn)  # the regional name
    logs.put_subscription_filter(
        logGroupName=writer_group,
        filterName="errors",
        filterPattern="ERROR",
        destinationArn=reader_arn,
    )
    lambda_.invoke(FunctionName=writer, Payload=b"{}")
    found = wait_for(
        lambda: [d for d in delivered(server, reader) if d["logGroup"] == writer_group]
    )
    assert [e["message"] for d in found for e in d["logEvents"]] == ["ERROR the disk is full"]

    # The permission removed: CloudWatch Logs can no longer invoke the function, and drops.
    lambda_.remove_permission(FunctionName=reader, StatementId="api-group")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="web-1",
        logEvents=[{"timestamp": now + 1, "message": "dropped"}],
    )
    lambda_.invoke(FunctionName=writer, Payload=b"{}")  # its group's filter still delivers
    wait_for(
        lambda: len([d for d in delivered(server, reader) if d["logGroup"] == writer_group]) > 1
    )
    assert [
        d["logEvents"][0]["message"] for d in delivered(server, reader) if d["logGroup"] == group
    ] == ["hello from the API"]
