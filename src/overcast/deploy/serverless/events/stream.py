"""`stream` events: a function reading a DynamoDB or Kinesis stream through an
AWS::Lambda::EventSourceMapping, as the framework compiles them
(package/compile/events/stream.js).

    events:
      - stream: arn:aws:dynamodb:us-east-1:123456789012:table/notes/stream/2024-01-01T00:00:00.000
      - stream:
          type: dynamodb
          arn: !GetAtt NotesTable.StreamArn
          batchSize: 100
          startingPosition: LATEST
          filterPatterns: [{eventName: [INSERT]}]
          destinations: {onFailure: arn:aws:sqs:us-east-1:123456789012:failed}

The mapping is `<Fn>EventSourceMapping<Type><Stream>`. The shared execution role may read the
function's DynamoDB streams (dynamodb:GetRecords, GetShardIterator, DescribeStream,
ListStreams) or Kinesis streams (the kinesis: equivalents) and send to its on-failure
destinations (sns:Publish; sqs:ListQueues, SendMessage): one statement per kind per
function, as stream.js adds them.
"""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

ON_FAILURE = {
    "anyOf": [
        {"type": "string", "pattern": "^arn:"},
        {
            "type": "object",
            "properties": {"arn": _target.ARN, "type": {"enum": ["sns", "sqs"]}},
            "required": ["arn"],
        },
    ]
}
OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "arn": _target.ARN,
        "type": {"enum": ["dynamodb", "kinesis"]},
        "batchSize": {"type": "integer", "minimum": 1, "maximum": 10000},
        "parallelizationFactor": {"type": "integer", "minimum": 1, "maximum": 10},
        "startingPosition": {"enum": ["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"]},
        "startingPositionTimestamp": {"type": "number"},
        "enabled": {"type": "boolean"},
        "consumer": {"anyOf": [{"const": True}, _target.ARN]},
        "batchWindow": {"type": "integer", "minimum": 0, "maximum": 300},
        "maximumRetryAttempts": {"type": "integer", "minimum": -1, "maximum": 10000},
        "bisectBatchOnFunctionError": {"type": "boolean"},
        "maximumRecordAgeInSeconds": {
            "anyOf": [{"const": -1}, {"type": "integer", "minimum": 60, "maximum": 604800}]
        },
        "functionResponseType": {"enum": ["ReportBatchItemFailures"]},
        "destinations": {
            "type": "object",
            "properties": {"onFailure": ON_FAILURE},
            "required": ["onFailure"],
        },
        "tumblingWindowInSeconds": {"type": "integer", "minimum": 0, "maximum": 900},
        "filterPatterns": _target.FILTER_PATTERNS,
    },
    "required": ["arn"],
}
READS = {
    kind: [f"{kind}:{action}" for action in actions]
    for kind, actions in {
        "dynamodb": ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"),
        "kinesis": ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"),
        "sns": ("Publish",),
        "sqs": ("ListQueues", "SendMessage"),
    }.items()
}
# (optional setting, mapping property) copied as they are where given
COPIED = (
    ("batchWindow", "MaximumBatchingWindowInSeconds"),
    ("maximumRetryAttempts", "MaximumRetryAttempts"),
    ("bisectBatchOnFunctionError", "BisectBatchOnFunctionError"),
    ("tumblingWindowInSeconds", "TumblingWindowInSeconds"),
    ("startingPositionTimestamp", "StartingPositionTimestamp"),
)


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    by_function: dict[str, dict[str, list[Any]]] = {}  # key -> statement kind -> resources
    for use in uses:
        schema = (
            OBJECT_SCHEMA
            if isinstance(use.config, dict)
            else {"type": "string", "pattern": "^arn:"}
        )
        _target.check(use, schema, stack.notes)
        settings = use.config if isinstance(use.config, dict) else {"arn": use.config}
        arn = settings["arn"]
        kind = settings.get("type") or (arn.split(":")[2] if isinstance(arn, str) else None)
        if kind not in ("dynamodb", "kinesis"):
            raise TranslationError(
                f"{use.path}.type: give `type: dynamodb` or `type: kinesis` for a stream whose "
                "arn is not a DynamoDB or Kinesis ARN string"
            )
        logical_id = naming.stream_mapping_logical_id(use.function_key, kind, stream_name(arn, use))
        properties, destination = _properties(service, use, settings)
        stack.add(
            logical_id,
            "AWS::Lambda::EventSourceMapping",
            properties,
            DependsOn=_target.mapping_depends_on(service, use.function_key),
        )
        wanted = by_function.setdefault(use.function_key, {})
        wanted.setdefault(kind, []).append(arn)
        if destination is not None:
            wanted.setdefault(destination[0], []).append(destination[1])
        if settings.get("consumer"):
            stack.notes.append(
                f"{use.path}.consumer: Overcast has no Kinesis enhanced fan-out consumers "
                "(AWS::Kinesis::StreamConsumer): the function reads the stream itself"
            )
    for wanted in by_function.values():
        for kind in READS:
            if wanted.get(kind):
                statement = {"Effect": "Allow", "Action": READS[kind], "Resource": wanted[kind]}
                stack.role_statements.append(statement)


def _properties(
    service: Service, use: EventUse, settings: dict[str, Any]
) -> tuple[dict[str, Any], tuple[str, Any] | None]:
    """The mapping's properties, and its on-failure destination as (sns|sqs, ARN)."""
    properties: dict[str, Any] = {
        "BatchSize": settings.get("batchSize") or 10,
        "Enabled": settings.get("enabled", True),
        "EventSourceArn": settings["arn"],
        "FunctionName": _target.function_target(service, use.function_key),
        "StartingPosition": settings.get("startingPosition") or "TRIM_HORIZON",
    }
    if settings.get("parallelizationFactor"):
        properties["ParallelizationFactor"] = settings["parallelizationFactor"]
    for key, name in COPIED:
        if settings.get(key) is not None:
            properties[name] = settings[key]
    if (
        properties["StartingPosition"] == "AT_TIMESTAMP"
        and "StartingPositionTimestamp" not in properties
    ):
        raise TranslationError(
            f"{use.path}.startingPositionTimestamp: You must specify startingPositionTimestamp "
            f"for function: {use.function_key} when startingPosition is AT_TIMESTAMP"
        )
    if settings.get("maximumRecordAgeInSeconds"):
        properties["MaximumRecordAgeInSeconds"] = settings["maximumRecordAgeInSeconds"]
    if settings.get("functionResponseType") is not None:
        properties["FunctionResponseTypes"] = [settings["functionResponseType"]]
    if settings.get("filterPatterns"):
        properties["FilterCriteria"] = _target.filter_criteria(settings["filterPatterns"])
    destination = None
    on_failure = (settings.get("destinations") or {}).get("onFailure")
    if on_failure is not None:
        arn = on_failure.get("arn") if isinstance(on_failure, dict) else on_failure
        kind = on_failure.get("type") if isinstance(on_failure, dict) else None
        if kind is None and not isinstance(arn, str):
            raise TranslationError(
                f"{use.path}.destinations.onFailure.type: give `type: sns` or `type: sqs` for "
                "an onFailure arn that is an intrinsic function"
            )
        kind = kind or arn.split(":")[2]
        destination = ("sns" if kind == "sns" else "sqs", arn)
        properties["DestinationConfig"] = {"OnFailure": {"Destination": arn}}
    return properties, destination


def stream_name(arn: Any, use: EventUse) -> str:
    """utils/get-stream-name-from-arn.js: the resource of `Fn::GetAtt`, the export of
    `Fn::ImportValue`, the `Ref`'d name, the last `/` part of `Fn::Join`'s last piece, the
    table or stream name of a string (`table/notes/stream/...` -> `notes`)."""
    if isinstance(arn, str):
        parts = arn.split("/")
        if len(parts) > 1:
            return parts[1]
    elif "Fn::GetAtt" in arn:
        return _target.get_att_parts(arn)[0]
    elif isinstance(arn.get("Fn::ImportValue"), str):
        return arn["Fn::ImportValue"]
    elif isinstance(arn.get("Ref"), str):
        return arn["Ref"]
    elif "Fn::Join" in arn and isinstance(arn["Fn::Join"][1][-1], str):
        return arn["Fn::Join"][1][-1].split("/")[-1]
    raise TranslationError(
        f"{use.path}.arn: give the stream's ARN as a string, Fn::GetAtt, Fn::ImportValue, Ref "
        "or Fn::Join ending in the stream's name"
    )
