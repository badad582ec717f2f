"""EventBridge Scheduler's resource types for CloudFormation: AWS::Scheduler::Schedule and
AWS::Scheduler::ScheduleGroup, made through Scheduler's own API operations as the stack's
caller (resource_providers.py). SAM's `ScheduleV2` event becomes an AWS::Scheduler::Schedule
(and the role it runs as).

As the CloudFormation resource reference has them:
- AWS::Scheduler::Schedule: Ref is the schedule's name; Fn::GetAtt `Arn`. Name is
  create-only (a schedule with no Name gets a generated one) and so, here, is GroupName (a
  schedule cannot move between groups: its group addresses it). Everything else is
  UpdateSchedule's, which replaces the whole schedule.
- AWS::Scheduler::ScheduleGroup: Ref is the group's name; Fn::GetAtt `Arn`, `State`,
  `CreationDate`, `LastModificationDate`. Name is create-only; Tags change in place.
"""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.aws.in_process import InProcessApi
from overcast.resource_calls import call
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.scheduler.errors import ResourceNotFoundException

SCHEDULE_MEMBERS = (
    "GroupName", "Description", "ScheduleExpression", "ScheduleExpressionTimezone",
    "StartDate", "EndDate", "State", "KmsKeyArn", "Target", "FlexibleTimeWindow",
)  # fmt: skip
SCHEDULE_CREATE_ONLY = frozenset({"Name", "GroupName"})
MAX_NAME = 64


class ScheduleResource:
    type_name = "AWS::Scheduler::Schedule"

    def __init__(self, scheduler: InProcessApi) -> None:
        self.scheduler = scheduler

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(
            props.get("Name") or physical_name(request.stack_name, request.logical_id, MAX_NAME)
        )
        answer = self._put(request, "CreateSchedule", name, props)
        return Provisioned(name, {"Arn": answer["ScheduleArn"]})

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        answer = self._put(request, "UpdateSchedule", name, request.properties)
        return Provisioned(name, {"Arn": answer["ScheduleArn"]})

    def delete(self, request: ResourceRequest) -> None:
        if not request.physical_id:
            return
        props = request.properties or request.previous_properties or {}
        params = {"Name": request.physical_id}
        if props.get("GroupName"):
            params["GroupName"] = props["GroupName"]
        try:
            call(self.scheduler, request, "DeleteSchedule", params)
        except ResourceNotFoundException:
            pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, SCHEDULE_CREATE_ONLY) else IN_PLACE

    def _put(self, request: ResourceRequest, operation: str, name: str, props: dict) -> dict:
        params = {"Name": name, **{k: props[k] for k in SCHEDULE_MEMBERS if k in props}}
        return call(self.scheduler, request, operation, params)


class ScheduleGroupResource:
    type_name = "AWS::Scheduler::ScheduleGroup"

    def __init__(self, scheduler: InProcessApi) -> None:
        self.scheduler = scheduler

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(
            props.get("Name") or physical_name(request.stack_name, request.logical_id, MAX_NAME)
        )
        params: dict = {"Name": name}
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        call(self.scheduler, request, "CreateScheduleGroup", params)
        return self._provisioned(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        group = self._provisioned(request, name)
        arn = group.attributes["Arn"]
        old, new = request.previous_properties or {}, request.properties
        before, after = tag_map(old.get("Tags")), tag_map(new.get("Tags"))
        gone = [key for key in before if key not in after]
        if gone:
            call(self.scheduler, request, "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
        changed = [{"Key": k, "Value": v} for k, v in after.items() if before.get(k) != v]
        if changed:
            call(self.scheduler, request, "TagResource", {"ResourceArn": arn, "Tags": changed})
        return group

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            try:
                call(self.scheduler, request, "DeleteScheduleGroup", {"Name": request.physical_id})
            except ResourceNotFoundException:
                pass

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, {"Name"}) else IN_PLACE

    def _provisioned(self, request: ResourceRequest, name: str) -> Provisioned:
        group = call(self.scheduler, request, "GetScheduleGroup", {"Name": name})
        attributes = {
            "Arn": group["Arn"],
            "State": group["State"],
            "CreationDate": _iso(group["CreationDate"]),
            "LastModificationDate": _iso(group["LastModificationDate"]),
        }
        return Provisioned(name, attributes)


def _iso(value: float | datetime) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
    return moment.isoformat()


def providers(scheduler: InProcessApi) -> list:
    return [ScheduleResource(scheduler), ScheduleGroupResource(scheduler)]
