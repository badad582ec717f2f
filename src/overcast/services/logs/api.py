"""The CloudWatch Logs API subset that reads function logs: boto3's `logs` client works unchanged.

CloudWatch Logs speaks AWS's JSON 1.1 protocol: `POST /` with `X-Amz-Target:
Logs_20140328.<Operation>` and a JSON body. The app routes that target prefix here; this module
checks the body against botocore's own model of the service, calls one `LogStore` method and
shapes the answer. Errors are raised as the classes of `services/logs/errors.py` (CloudWatch's
names and statuses); the app renders them as `{"__type", "message"}`, where botocore reads them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from overcast.aws.arn import Arn
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext
from overcast.observe.logs import LogEvent, LogGroupInfo, LogStore, LogStreamInfo
from overcast.services.logs.errors import InvalidParameterException, UnknownOperationException

TARGET_PREFIX = "Logs_20140328"

LogsHandler = Callable[[str, dict, Any], Awaitable[dict]]


@dataclass(frozen=True)
class _Request:
    body: dict
    region: str
    account_id: str

    def group(self) -> str:
        """The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN)."""
        name, identifier = self.body.get("logGroupName"), self.body.get("logGroupIdentifier")
        if bool(name) == bool(identifier):
            raise InvalidParameterException(
                "Exactly one of logGroupName or logGroupIdentifier must be specified."
            )
        if identifier and identifier.startswith("arn:"):
            # arn:aws:logs:REGION:ACCOUNT:log-group:NAME, with or without a trailing ":*"
            try:
                fields = Arn.parse(identifier).resource.split(":")
            except ValueError:
                fields = []
            if len(fields) < 2 or fields[0] != "log-group":
                raise InvalidParameterException(f"Invalid log group ARN: {identifier}")
            return fields[1]
        return name or identifier

    def group_arn(self, group: str) -> str:
        return str(Arn.build("logs", self.region, self.account_id, f"log-group:{group}"))


def logs_handler(store: LogStore, *, account_id: str = "000000000000") -> LogsHandler:
    """`async handle(operation, body, context) -> dict` for target prefix `Logs_20140328`.

    `context` is the request's (aws/request_context.py): its region goes into ARNs. Store
    calls read files, so they run in a worker thread, off the event loop.
    """

    async def handle(operation: str, body: dict, context: RequestContext) -> dict:
        action = _OPERATIONS.get(operation)
        if action is None:
            raise UnknownOperationException(f"Unknown operation: {TARGET_PREFIX}.{operation}")
        _validate(operation, body)
        request = _Request(body, context.region, account_id)
        return await asyncio.to_thread(action, store, request)

    return handle


def _describe_log_groups(store: LogStore, request: _Request) -> dict:
    body = request.body
    prefix, pattern = body.get("logGroupNamePrefix", ""), body.get("logGroupNamePattern", "")
    if prefix and pattern:
        raise InvalidParameterException(
            "logGroupNamePrefix and logGroupNamePattern are mutually exclusive."
        )
    page = store.describe_groups(prefix, pattern, body.get("limit", 50), body.get("nextToken"))
    groups = [_group(info, request, brief=bool(pattern)) for info in page.items]
    return _with_token({"logGroups": groups}, "nextToken", page.next_token)


def _describe_log_streams(store: LogStore, request: _Request) -> dict:
    body, group = request.body, request.group()
    page = store.describe_streams(
        group,
        prefix=body.get("logStreamNamePrefix", ""),
        order_by=body.get("orderBy", "LogStreamName"),
        descending=body.get("descending", False),
        limit=body.get("limit", 50),
        next_token=body.get("nextToken"),
    )
    streams = [_stream(info, group, request) for info in page.items]
    return _with_token({"logStreams": streams}, "nextToken", page.next_token)


def _get_log_events(store: LogStore, request: _Request) -> dict:
    body = request.body
    page = store.get_events(
        request.group(),
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


def _filter_log_events(store: LogStore, request: _Request) -> dict:
    body = request.body
    page = store.filter_events(
        request.group(),
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
    return _with_token(result, "nextToken", page.next_token)


def _delete_log_group(store: LogStore, request: _Request) -> dict:
    store.delete_group(request.body["logGroupName"])
    return {}


_OPERATIONS: dict[str, Callable[[LogStore, _Request], dict]] = {
    "DescribeLogGroups": _describe_log_groups,
    "DescribeLogStreams": _describe_log_streams,
    "GetLogEvents": _get_log_events,
    "FilterLogEvents": _filter_log_events,
    "DeleteLogGroup": _delete_log_group,
}


def _group(info: LogGroupInfo, request: _Request, brief: bool) -> dict:
    arn = request.group_arn(info.name)
    shaped = {"logGroupName": info.name, "creationTime": info.creation_time, "arn": f"{arn}:*"}
    if brief:
        return shaped  # with logGroupNamePattern CloudWatch returns only these three
    return shaped | {
        "metricFilterCount": 0,
        "storedBytes": info.stored_bytes,
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
    }


def _stream(info: LogStreamInfo, group: str, request: _Request) -> dict:
    shaped = {
        "logStreamName": info.name,
        "creationTime": info.creation_time,
        "firstEventTimestamp": info.first_event_timestamp,
        "lastEventTimestamp": info.last_event_timestamp,
        "lastIngestionTime": info.last_ingestion_time,
        "arn": f"{request.group_arn(group)}:log-stream:{info.name}",
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


def _with_token(result: dict, key: str, token: str | None) -> dict:
    return result | {key: token} if token else result


def _validate(operation: str, body: dict) -> None:
    """Check the body against botocore's model: types, required members, lengths and ranges."""
    from botocore.validate import ParamValidator

    if not isinstance(body, dict):
        raise InvalidParameterException("The request body must be a JSON object.")
    input_shape = service_model("logs").operation_model(operation).input_shape
    report = ParamValidator().validate(body, input_shape)
    if report.has_errors():
        raise InvalidParameterException(report.generate_report())
