"""The CloudWatch Logs API subset that reads function logs, as the gateway serves it: boto3's
`logs` client works unchanged.

CloudWatch Logs speaks AWS's JSON 1.1 protocol: `POST /` with `X-Amz-Target:
Logs_20140328.<Operation>` and a JSON body. The gateway routes that target prefix here and
parses the body by botocore's own model of the service; `validate` checks it against the
model (botocore's ParamValidator, in CloudWatch's InvalidParameterException), and each
operation calls one `LogStore` method (in a worker thread: they read files) and shapes the
answer. Errors are the classes of `services/logs/errors.py` (CloudWatch's names and statuses),
rendered by the gateway as `{"__type", "message"}`, where botocore reads them.
"""

from __future__ import annotations

from botocore.model import OperationModel
from botocore.validate import ParamValidator

from overcast.aws import errors as protocol_errors
from overcast.aws.arn import Arn
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.observe.logs import LogEvent, LogGroupInfo, LogStore, LogStreamInfo
from overcast.services.logs.errors import InvalidParameterException, UnknownOperationException

OPERATIONS = Operations()


def group(call: Call) -> str:
    """The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN)."""
    name, identifier = call.params.get("logGroupName"), call.params.get("logGroupIdentifier")
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


def group_arn(call: Call, name: str) -> str:
    """The group's ARN in the caller's region and account."""
    return str(Arn.build("logs", call.region, call.context.account_id, f"log-group:{name}"))


@OPERATIONS("DescribeLogGroups")
def describe_log_groups(store: LogStore, call: Call) -> dict:
    body = call.params
    prefix, pattern = body.get("logGroupNamePrefix", ""), body.get("logGroupNamePattern", "")
    if prefix and pattern:
        raise InvalidParameterException(
            "logGroupNamePrefix and logGroupNamePattern are mutually exclusive."
        )
    page = store.describe_groups(prefix, pattern, body.get("limit", 50), body.get("nextToken"))
    groups = [_group(info, call, brief=bool(pattern)) for info in page.items]
    return _with_token({"logGroups": groups}, "nextToken", page.next_token)


@OPERATIONS("DescribeLogStreams")
def describe_log_streams(store: LogStore, call: Call) -> dict:
    body, name = call.params, group(call)
    page = store.describe_streams(
        name,
        prefix=body.get("logStreamNamePrefix", ""),
        order_by=body.get("orderBy", "LogStreamName"),
        descending=body.get("descending", False),
        limit=body.get("limit", 50),
        next_token=body.get("nextToken"),
    )
    streams = [_stream(info, name, call) for info in page.items]
    return _with_token({"logStreams": streams}, "nextToken", page.next_token)


@OPERATIONS("GetLogEvents")
def get_log_events(store: LogStore, call: Call) -> dict:
    body = call.params
    page = store.get_events(
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
def filter_log_events(store: LogStore, call: Call) -> dict:
    body = call.params
    page = store.filter_events(
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
    return _with_token(result, "nextToken", page.next_token)


@OPERATIONS("DeleteLogGroup")
def delete_log_group(store: LogStore, call: Call) -> dict:
    store.delete_group(call.params["logGroupName"])
    return {}


def _group(info: LogGroupInfo, call: Call, brief: bool) -> dict:
    arn = group_arn(call, info.name)
    shaped = {"logGroupName": info.name, "creationTime": info.creation_time, "arn": f"{arn}:*"}
    if brief:
        return shaped  # with logGroupNamePattern CloudWatch returns only these three
    return shaped | {
        "metricFilterCount": 0,
        "storedBytes": info.stored_bytes,
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
    }


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


def _with_token(result: dict, key: str, token: str | None) -> dict:
    return result | {key: token} if token else result


def _validate(operation: OperationModel, params: dict) -> None:
    """Check the input against botocore's model: required members, lengths and ranges."""
    report = ParamValidator().validate(params, operation.input_shape)
    if report.has_errors():
        raise InvalidParameterException(report.generate_report())


def _in_cloudwatchs_words(error: ServiceError) -> ServiceError:
    """An operation Overcast lacks is CloudWatch Logs' own UnknownOperationException (400)."""
    if isinstance(error, protocol_errors.UnknownOperationException):
        target = error.operation
        return UnknownOperationException(f"Unknown operation: {target}")
    return error


def logs_api(store: LogStore) -> Api:
    return Api(
        service_model("logs"),
        OPERATIONS,
        store,
        validate=_validate,
        translate=_in_cloudwatchs_words,
    )
