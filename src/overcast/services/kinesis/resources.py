"""Kinesis' resource type for CloudFormation: AWS::Kinesis::Stream, made through Kinesis' own
API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has it: Ref is the stream's name; Fn::GetAtt `Arn`.
Name is create-only; a stream with no Name gets a generated one. ShardCount (1 when a
provisioned stream names none), RetentionPeriodHours (24 by default), StreamModeDetails and
Tags change in place: UpdateShardCount (uniform scaling), Increase/Decrease
StreamRetentionPeriod, UpdateStreamMode, AddTagsToStream / RemoveTagsFromStream.
StreamEncryption is refused: Overcast's Kinesis has no StartStreamEncryption.
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    invalid_property,
    physical_name,
    tag_map,
)
from overcast.services.kinesis.errors import ResourceNotFoundException

CREATE_ONLY = frozenset({"Name"})
MAX_NAME = 128
DEFAULT_RETENTION_HOURS = 24
PROVISIONED = "PROVISIONED"


class StreamResource:
    type_name = "AWS::Kinesis::Stream"

    def __init__(self, kinesis: InProcessApi) -> None:
        self.kinesis = kinesis

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        _refuse_encryption(request)
        name = str(props.get("Name") or _generated_name(request))
        params: dict = {"StreamName": name}
        mode = _mode(props)
        if mode == PROVISIONED:
            params["ShardCount"] = props.get("ShardCount", 1)
        params["StreamModeDetails"] = {"StreamMode": mode}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = tags
        self._call(request, "CreateStream", params)
        hours = _hours(props)
        if hours != DEFAULT_RETENTION_HOURS:
            self._retain(request, name, DEFAULT_RETENTION_HOURS, hours)
        return self._provisioned(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        _refuse_encryption(request)
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        arn = self._provisioned(request, name).attributes["Arn"]
        if _mode(old) != _mode(new):
            details = {"StreamMode": _mode(new)}
            self._call(
                request, "UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": details}
            )
        if _mode(new) == PROVISIONED and str(old.get("ShardCount", 1)) != str(
            new.get("ShardCount", 1)
        ):
            params = {
                "StreamName": name,
                "TargetShardCount": new.get("ShardCount", 1),
                "ScalingType": "UNIFORM_SCALING",
            }
            self._call(request, "UpdateShardCount", params)
        if _hours(old) != _hours(new):
            self._retain(request, name, _hours(old), _hours(new))
        self._retag(request, name, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        return self._provisioned(request, name)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            params = {"StreamName": request.physical_id, "EnforceConsumerDeletion": True}
            try:
                self._call(request, "DeleteStream", params)
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _retain(self, request: ResourceRequest, name: str, before: object, after: object) -> None:
        operation = (
            "IncreaseStreamRetentionPeriod"
            if _number(after) > _number(before)
            else "DecreaseStreamRetentionPeriod"
        )
        self._call(request, operation, {"StreamName": name, "RetentionPeriodHours": after})

    def _retag(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        gone = [key for key in old if key not in new]
        if gone:
            self._call(request, "RemoveTagsFromStream", {"StreamName": name, "TagKeys": gone})
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if changed:
            self._call(request, "AddTagsToStream", {"StreamName": name, "Tags": changed})

    def _provisioned(self, request: ResourceRequest, name: str) -> Provisioned:
        found = self._call(request, "DescribeStreamSummary", {"StreamName": name})
        return Provisioned(name, {"Arn": found["StreamDescriptionSummary"]["StreamARN"]})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.kinesis, request, operation, params)


def providers(kinesis: InProcessApi) -> list:
    return [StreamResource(kinesis)]


def _refuse_encryption(request: ResourceRequest) -> None:
    if request.properties.get("StreamEncryption") is not None:
        raise invalid_property(
            request, "StreamEncryption", "is not supported by Overcast's Kinesis"
        )


def _mode(props: dict) -> str:
    details = props.get("StreamModeDetails")
    if isinstance(details, dict) and details.get("StreamMode"):
        return str(details["StreamMode"])
    return PROVISIONED


def _hours(props: dict) -> object:
    return props.get("RetentionPeriodHours", DEFAULT_RETENTION_HOURS)


def _number(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def _generated_name(request: ResourceRequest) -> str:
    return physical_name(request.stack_name, request.logical_id, MAX_NAME)
