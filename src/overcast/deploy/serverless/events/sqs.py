"""`sqs` events: an AWS::Lambda::EventSourceMapping per queue a function reads, as the
framework compiles them (package/compile/events/sqs.js).

    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs        # or
      - sqs: {arn: !GetAtt Queue.Arn, batchSize: 5, functionResponseType: ReportBatchItemFailures}

The mapping is `<Fn>EventSourceMappingSQS<Queue>`; the shared execution role gets one
statement allowing sqs:ReceiveMessage, DeleteMessage and GetQueueAttributes on every queue.
"""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": "^arn:"},
        {
            "type": "object",
            "properties": {
                "arn": _target.ARN,
                "batchSize": {"type": "integer", "minimum": 1, "maximum": 10000},
                "enabled": {"type": "boolean"},
                "maximumBatchingWindow": {"type": "integer", "minimum": 0, "maximum": 300},
                "functionResponseType": {"enum": ["ReportBatchItemFailures"]},
                "filterPatterns": _target.FILTER_PATTERNS,
                "maximumConcurrency": {"type": "integer", "minimum": 2, "maximum": 1000},
            },
            "required": ["arn"],
        },
    ]
}
OBJECT_SCHEMA = SCHEMA["anyOf"][1]


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    queues: list[Any] = []
    for use in uses:
        settings = use.config if isinstance(use.config, dict) else {"arn": use.config}
        _target.check(use, OBJECT_SCHEMA if isinstance(use.config, dict) else SCHEMA, stack.notes)
        arn = settings["arn"]
        logical_id = naming.queue_mapping_logical_id(use.function_key, queue_name(arn, use))
        stack.add(
            logical_id,
            "AWS::Lambda::EventSourceMapping",
            _properties(service, use, settings),
            DependsOn=_target.mapping_depends_on(service, use.function_key),
        )
        queues.append(arn)
    if queues:
        stack.role_statements.append(
            {
                "Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": queues,
            }
        )


def _properties(service: Service, use: EventUse, settings: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "BatchSize": settings.get("batchSize") or 10,
        "EventSourceArn": settings["arn"],
        "FunctionName": _target.function_target(service, use.function_key),
        "Enabled": settings.get("enabled", True),
    }
    if settings.get("maximumBatchingWindow") is not None:
        properties["MaximumBatchingWindowInSeconds"] = settings["maximumBatchingWindow"]
    if settings.get("functionResponseType") is not None:
        properties["FunctionResponseTypes"] = [settings["functionResponseType"]]
    if settings.get("filterPatterns"):
        properties["FilterCriteria"] = _target.filter_criteria(settings["filterPatterns"])
    if settings.get("maximumConcurrency"):
        properties["ScalingConfig"] = {"MaximumConcurrency": settings["maximumConcurrency"]}
    return properties


def queue_name(arn: Any, use: EventUse) -> str:
    """The queue's name in the mapping's logical id, as sqs.js takes it from the ARN: the
    resource of `Fn::GetAtt`, the export of `Fn::ImportValue`, the last part of `Fn::Join`,
    the last `:` part of a string."""
    if isinstance(arn, str):
        return arn.split(":")[-1]
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        return _target.get_att_parts(arn)[0]
    if isinstance(arn, dict) and isinstance(arn.get("Fn::ImportValue"), str):
        return arn["Fn::ImportValue"]
    if isinstance(arn, dict) and "Fn::Join" in arn:
        last = arn["Fn::Join"][1][-1]
        if isinstance(last, str):
            return last
    raise TranslationError(
        f"{use.path}.arn: give the queue's ARN as a string, Fn::GetAtt, Fn::ImportValue or "
        "Fn::Join ending in the queue's name"
    )
