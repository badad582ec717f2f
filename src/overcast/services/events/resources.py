"""EventBridge's resource types for CloudFormation: AWS::Events::Rule and
AWS::Events::EventBus, made through EventBridge's own API operations as the stack's caller
(resource_providers.py).

As the CloudFormation resource reference has them:
- AWS::Events::Rule: Ref is the rule's name, or `<bus name>|<rule name>` for a rule on a
  bus other than the default one (its physical id, as CloudFormation's handler makes it);
  Fn::GetAtt `Arn`. Name is create-only (a rule with no Name gets a generated one), and so
  is the bus the rule is on (a rule cannot move between buses). EventPattern may be an
  object or its JSON text. Targets (Input, InputPath, InputTransformer, RoleArn, ...) are
  PutTargets' own shape: an update removes the targets whose Id is gone and puts the rest.
- AWS::Events::EventBus: Ref is the bus's name; Fn::GetAtt `Arn`, `Name` and `Policy` (the
  bus's resource policy, JSON). Name and EventSourceName are create-only; Description,
  KmsKeyIdentifier, DeadLetterConfig, Policy and Tags change in place.
"""

from __future__ import annotations

import json

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    HandlerRequestRefused,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.events.errors import ResourceNotFoundException
from overcast.services.events.model import DEFAULT_BUS, bus_name

RULE_MEMBERS = ("ScheduleExpression", "State", "Description", "RoleArn")
BUS_SETTINGS = ("Description", "KmsKeyIdentifier", "DeadLetterConfig")
BUS_CREATE_ONLY = frozenset({"Name", "EventSourceName"})
MAX_RULE_NAME = 64
SEPARATOR = "|"


class RuleResource:
    type_name = "AWS::Events::Rule"

    def __init__(self, events: InProcessApi) -> None:
        self.events = events

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("Name") or _generated_name(request))
        bus = _bus(props)
        arn = self._put(request, name, bus, props)
        tags = tag_map(props.get("Tags"))
        if tags:
            params = {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
            self._call(request, "TagResource", params)
        self._target(request, name, bus, [], _targets(props))
        return _rule(name, bus, arn)

    def update(self, request: ResourceRequest) -> Provisioned:
        old, new = request.previous_properties or {}, request.properties
        bus, name = _parse(str(request.physical_id))
        arn = self._put(request, name, bus, new)
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        gone = [key for key in before if key not in after]
        if gone:
            self._call(request, "UntagResource", {"ResourceARN": arn, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in after.items() if before.get(k) != v]
        if changed:
            self._call(request, "TagResource", {"ResourceARN": arn, "Tags": changed})
        self._target(request, name, bus, _targets(old), _targets(new))
        return _rule(name, bus, arn)

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        bus, name = _parse(request.physical_id)
        try:
            listed = (
                self._call(request, "ListTargetsByRule", {"Rule": name, "EventBusName": bus}).get(
                    "Targets"
                )
                or []
            )
            ids = [target["Id"] for target in listed]
            if ids:
                params = {"Rule": name, "EventBusName": bus, "Ids": ids, "Force": True}
                self._call(request, "RemoveTargets", params)
            self._call(request, "DeleteRule", {"Name": name, "EventBusName": bus})
        except ResourceNotFoundException:
            pass

    def replaces(self, old: dict, new: dict) -> str:
        if changed_any(old, new, {"Name"}) or _bus(old) != _bus(new):
            return REPLACES
        return IN_PLACE

    def _put(self, request: ResourceRequest, name: str, bus: str, props: dict) -> str:
        params: dict = {"Name": name, "EventBusName": bus}
        params.update({key: props[key] for key in RULE_MEMBERS if key in props})
        pattern = props.get("EventPattern")
        if pattern is not None:
            params["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        return self._call(request, "PutRule", params)["RuleArn"]

    def _target(self, request: ResourceRequest, name: str, bus: str, old: list, new: list) -> None:
        kept = {str(t.get("Id")) for t in new}
        gone = [str(t.get("Id")) for t in old if str(t.get("Id")) not in kept]
        if gone:
            params = {"Rule": name, "EventBusName": bus, "Ids": gone}
            self._call(request, "RemoveTargets", params)
        changed = [t for t in new if t not in old]
        if changed:
            params = {"Rule": name, "EventBusName": bus, "Targets": changed}
            failed = self._call(request, "PutTargets", params)
            if failed.get("FailedEntryCount"):
                entry = failed["FailedEntries"][0]
                raise _failed_target(entry)

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.events, request, operation, params)


class EventBusResource:
    type_name = "AWS::Events::EventBus"

    def __init__(self, events: InProcessApi) -> None:
        self.events = events

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("Name", ""))
        params: dict = {"Name": name}
        params.update({key: props[key] for key in BUS_SETTINGS if key in props})
        if "EventSourceName" in props:
            params["EventSourceName"] = props["EventSourceName"]
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        self._call(request, "CreateEventBus", params)
        if props.get("Policy") is not None:
            self._policy(request, name, props["Policy"])
        return self._provisioned(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        if any(old.get(key) != new.get(key) for key in BUS_SETTINGS):
            params = {"Name": name, **{key: new[key] for key in BUS_SETTINGS if key in new}}
            self._call(request, "UpdateEventBus", params)
        if old.get("Policy") != new.get("Policy"):
            self._policy(request, name, new.get("Policy"))
        arn = self._provisioned(request, name).attributes["Arn"]
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        gone = [key for key in before if key not in after]
        if gone:
            self._call(request, "UntagResource", {"ResourceARN": arn, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in after.items() if before.get(k) != v]
        if changed:
            self._call(request, "TagResource", {"ResourceARN": arn, "Tags": changed})
        return self._provisioned(request, name)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                self._call(request, "DeleteEventBus", {"Name": request.physical_id})
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, BUS_CREATE_ONLY) else IN_PLACE

    def _policy(self, request: ResourceRequest, name: str, policy: object) -> None:
        if policy is None:
            params = {"EventBusName": name, "RemoveAllPermissions": True}
            self._call(request, "RemovePermission", params)
            return
        text = policy if isinstance(policy, str) else json.dumps(policy)
        self._call(request, "PutPermission", {"EventBusName": name, "Policy": text})

    def _provisioned(self, request: ResourceRequest, name: str) -> Provisioned:
        bus = self._call(request, "DescribeEventBus", {"Name": name})
        attributes: dict[str, object] = {"Arn": bus["Arn"], "Name": bus["Name"]}
        if bus.get("Policy"):
            attributes["Policy"] = bus["Policy"]
        return Provisioned(name, attributes)

    def _call(self, request: ResourceRequest, operation: str, params: dict) -> dict:
        return call(self.events, request, operation, params)


def providers(events: InProcessApi) -> list:
    return [RuleResource(events), EventBusResource(events)]


def _bus(props: dict) -> str:
    return bus_name(str(props.get("EventBusName") or "") or None)


def _targets(props: dict) -> list[dict]:
    targets = props.get("Targets")
    if not isinstance(targets, list):
        return []
    return [t for t in targets if isinstance(t, dict)]


def _rule(name: str, bus: str, arn: str) -> Provisioned:
    physical = name if bus == DEFAULT_BUS else f"{bus}{SEPARATOR}{name}"
    return Provisioned(physical, {"Arn": arn})


def _parse(physical_id: str) -> tuple[str, str]:
    bus, _, name = physical_id.rpartition(SEPARATOR)
    return bus or DEFAULT_BUS, name


def _failed_target(entry: dict) -> HandlerRequestRefused:
    return HandlerRequestRefused(
        f"{entry.get('ErrorCode', '')}: {entry.get('ErrorMessage', '')} "
        f"(Target Id: {entry.get('TargetId', '')})"
    )


def _generated_name(request: ResourceRequest) -> str:
    return physical_name(request.stack_name, request.logical_id, MAX_RULE_NAME)
