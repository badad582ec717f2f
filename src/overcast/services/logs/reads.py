"""CloudWatch Logs' read operations over the log store: groups, streams and events."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.observe.logs import RETENTION, LogEvent, LogGroupInfo, LogStreamInfo
from overcast.services.logs.calls import OPERATIONS, CloudWatchLogs, group, group_arn, with_token
from overcast.services.logs.errors import InvalidParameterException


@OPERATIONS("DescribeLogGroups")
def describe_log_groups(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    prefix, pattern = body.get("logGroupNamePrefix", ""), body.get("logGroupNamePattern", "")
    if prefix and pattern:
        raise InvalidParameterException(
            "logGroupNamePrefix and logGroupNamePattern are mutually exclusive."
        )
    page = logs.store.describe_groups(prefix, pattern, body.get("limit", 50), body.get("nextToken"))
    groups = [_group(info, call, brief=bool(pattern)) for info in page.items]
    return with_token({"logGroups": groups}, "nextToken", page.next_token)


@OPERATIONS("DescribeLogStreams")
def describe_log_streams(logs: CloudWatchLogs, call: Call) -> dict:
    body, name = call.params, group(call)
    page = logs.store.describe_streams(
        name,
        prefix=body.get("logStreamNamePrefix", ""),
        order_by=body.get("orderBy", "LogStreamName"),
        descending=body.get("descending", False),
        limit=body.get("limit", 50),
        next_token=body.get("nextToken"),
    )
    streams = [_stream(info, name, call) for info in page.items]
    return with_token({"logStreams": streams}, "nextToken", page.next_token)


@OPERATIONS("GetLogEvents")
def get_log_events(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    page = logs.store.get_events(
        group(call),
        body["logStreamName"],
        start_time=body.get("startTime"),
        end_time=body.get("endTime"),
        limit=body.get("limit", 10000),
        start_from_head=body.get("startFromHead", False),
        next_token=body.get("nextToken"),
    )
    return {
        "events": [
            {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
            for e in page.events
        ],
        "nextForwardToken": page.forward_token,
        "nextBackwardToken": page.backward_token,
    }


@OPERATIONS("FilterLogEvents")
def filter_log_events(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    page = logs.store.filter_events(
        group(call),
        stream_names=body.get("logStreamNames"),
        stream_prefix=body.get("logStreamNamePrefix", ""),
        start_time=body.get("startTime"),
        end_time=body.get("endTime"),
        filter_pattern=body.get("filterPattern", ""),
        limit=body.get("limit", 10000),
        next_token=body.get("nextToken"),
    )
    # searchedLogStreams is deprecated and CloudWatch answers it empty; kept for old clients.
    result = {"events": [_filtered(event) for event in page.items], "searchedLogStreams": []}
    return with_token(result, "nextToken", page.next_token)


def _group(info: LogGroupInfo, call: Call, brief: bool) -> dict:
    arn = group_arn(call, info.name)
    shaped = {"logGroupName": info.name, "creationTime": info.creation_time, "arn": f"{arn}:*"}
    if brief:
        return shaped  # with logGroupNamePattern CloudWatch returns only these three
    settings = info.settings
    shaped |= {
        "metricFilterCount": len(settings.get("metricFilters", [])),
        "storedBytes": info.stored_bytes,
        "logGroupClass": settings.get("logGroupClass", "STANDARD"),
        "logGroupArn": arn,
    }
    if settings.get(RETENTION):
        shaped["retentionInDays"] = settings[RETENTION]
    if settings.get("kmsKeyId"):
        shaped["kmsKeyId"] = settings["kmsKeyId"]
    return shaped


def _stream(info: LogStreamInfo, group_name: str, call: Call) -> dict:
    shaped = {
        "logStreamName": info.name,
        "creationTime": info.creation_time,
        "firstEventTimestamp": info.first_event_timestamp,
        "lastEventTimestamp": info.last_event_timestamp,
        "lastIngestionTime": info.last_ingestion_time,
        "arn": f"{group_arn(call, group_name)}:log-stream:{info.name}",
        "storedBytes": info.stored_bytes,
    }
    return {key: value for key, value in shaped.items() if value is not None}


def _filtered(event: LogEvent) -> dict:
    return {
        "logStreamName": event.stream,
        "timestamp": event.timestamp,
        "message": event.message,
        "ingestionTime": event.ingestion_time,
        "eventId": event.event_id,
    }
