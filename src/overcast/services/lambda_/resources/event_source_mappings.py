"""AWS::Lambda::EventSourceMapping, made through Lambda's own API operations.

As the CloudFormation resource reference and resource schema have it: Ref and Fn::GetAtt `Id`
are the mapping's UUID; Fn::GetAtt `EventSourceMappingArn` its ARN. EventSourceArn,
StartingPosition, StartingPositionTimestamp, SelfManagedEventSource and the Kafka source
configurations are create-only; the rest (FunctionName included) changes in place, and a
property dropped from the template returns to Lambda's default where Lambda has one that
does not depend on the source. `KmsKeyArn` is the API's `KMSKeyArn`; `Tags` a list of
`{Key, Value}`; StartingPositionTimestamp a number of seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    present,
    tag_map,
)

CREATE_ONLY = frozenset(
    {
        "EventSourceArn",
        "StartingPosition",
        "StartingPositionTimestamp",
        "SelfManagedEventSource",
        "AmazonManagedKafkaEventSourceConfig",
        "SelfManagedKafkaEventSourceConfig",
    }
)
UPDATABLE = (
    "FunctionName",
    "Enabled",
    "BatchSize",
    "FilterCriteria",
    "MaximumBatchingWindowInSeconds",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "ParallelizationFactor",
    "SourceAccessConfigurations",
    "TumblingWindowInSeconds",
    "FunctionResponseTypes",
    "ScalingConfig",
    "DocumentDBEventSourceConfig",
    "MetricsConfig",
    "ProvisionedPollerConfig",
)
ONLY_AT_CREATE = (
    "EventSourceArn",
    "StartingPosition",
    "Topics",
    "Queues",
    "SelfManagedEventSource",
)
# Lambda's value for a setting the template no longer gives.
DEFAULTS: dict[str, object] = {
    "Enabled": True,
    "FilterCriteria": {"Filters": []},
    "FunctionResponseTypes": [],
    "MaximumBatchingWindowInSeconds": 0,
    "DestinationConfig": {"OnFailure": {}},
    "ScalingConfig": {},
    "BisectBatchOnFunctionError": False,
}


class EventSourceMappingResource:
    type_name = "AWS::Lambda::EventSourceMapping"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        params = {**_settings(props), **present(props, ONLY_AT_CREATE)}
        for kafka in ("AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"):
            if props.get(kafka) is not None:
                params[kafka] = props[kafka]
        if props.get("StartingPositionTimestamp") is not None:
            seconds = float(props["StartingPositionTimestamp"])
            params["StartingPositionTimestamp"] = datetime.fromtimestamp(seconds, UTC)
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = tags
        return _mapping(self.calls.call(request, "CreateEventSourceMapping", params))

    def update(self, request: ResourceRequest) -> Provisioned:
        old, new = request.previous_properties or {}, request.properties
        params = {"UUID": str(request.physical_id), **_settings(new)}
        for name, default in DEFAULTS.items():
            if name in old and name not in new:
                params[name] = default
        return _mapping(self.calls.call(request, "UpdateEventSourceMapping", params))

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {"UUID": str(request.physical_id)}
            self.calls.forget(request, "DeleteEventSourceMapping", params)

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE


def providers(calls: ServiceCalls) -> list:
    return [EventSourceMappingResource(calls)]


def _settings(props: dict) -> dict:
    found = present(props, UPDATABLE)
    if props.get("KmsKeyArn") is not None:
        found["KMSKeyArn"] = props["KmsKeyArn"]
    return found


def _mapping(answer: dict) -> Provisioned:
    uuid = answer["UUID"]
    arn = answer.get("EventSourceMappingArn")
    return Provisioned(uuid, {"Id": uuid, "EventSourceMappingArn": arn})
