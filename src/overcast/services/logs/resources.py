"""CloudWatch Logs' resource type for CloudFormation: AWS::Logs::LogGroup, made through the
service's own API operations as the stack's caller (resource_providers.py).

As the CloudFormation resource reference has it: Ref is the log group's name; Fn::GetAtt
`Arn` is `arn:aws:logs:<region>:<account>:log-group:<name>:*`. LogGroupName is
create-only; a group with no LogGroupName gets a generated one. RetentionInDays removed from
the template means the group's events never expire again (DeleteRetentionPolicy).
"""

from __future__ import annotations

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.logs.errors import ResourceNotFoundException

CREATE_ONLY = frozenset({"LogGroupName"})
MAX_NAME = 512


class LogGroupResource:
    type_name = "AWS::Logs::LogGroup"

    def __init__(self, logs: InProcessApi) -> None:
        self.logs = logs

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("LogGroupName") or _generated_name(request))
        params: dict = {"logGroupName": name}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["tags"] = tags
        if props.get("KmsKeyId"):
            params["kmsKeyId"] = str(props["KmsKeyId"])
        if props.get("LogGroupClass"):
            params["logGroupClass"] = str(props["LogGroupClass"])
        self._call(request, "CreateLogGroup", params)
        if "RetentionInDays" in props:
            self._retain(request, name, props["RetentionInDays"])
        return self._provisioned(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        if old.get("RetentionInDays") != new.get("RetentionInDays"):
            if "RetentionInDays" in new:
                self._retain(request, name, new["RetentionInDays"])
            else:
                self._call(request, "DeleteRetentionPolicy", {"logGroupName": name})
        self._retag(request, name, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        return self._provisioned(request, name)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteLogGroup", {"logGroupName": request.physical_id})
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _retain(self, request: ResourceRequest, name: str, days: object) -> None:
        try:
            retention = int(str(days))
        except ValueError:
            retention = -1  # refused by the operation, in its words
        params = {"logGroupName": name, "retentionInDays": retention}
        self._call(request, "PutRetentionPolicy", params)

    def _retag(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        arn = _group_arn(request, name)
        gone = [key for key in old if key not in new]
        if gone:
            self._call(request, "UntagResource", {"resourceArn": arn, "tagKeys": gone})
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if changed:
            self._call(request, "TagResource", {"resourceArn": arn, "tags": changed})

    def _provisioned(self, request: ResourceRequest, name: str) -> Provisioned:
        return Provisioned(name, {"Arn": f"{_group_arn(request, name)}:*"})

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return self.logs.call(operation, params, request.caller, request.region)


def providers(logs: InProcessApi) -> list:
    return [LogGroupResource(logs)]


def _group_arn(request: ResourceRequest, name: str) -> str:
    return f"arn:aws:logs:{request.region}:{request.account_id}:log-group:{name}"


def _generated_name(request: ResourceRequest) -> str:
    return physical_name(request.stack_name, request.logical_id, MAX_NAME)
