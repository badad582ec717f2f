"""EventBridge Scheduler's API (`scheduler`) as the gateway serves it: REST-JSON
(`POST /schedules/{Name}`, `GET /schedule-groups`, ...), routed by its SigV4 signing name
`scheduler`. Each operation calls the schedule service (schedules.py) and shapes the answer
as Scheduler shapes it; errors leave as `{"Message"}` with `x-amzn-ErrorType`."""

from __future__ import annotations

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.services.scheduler.access import scheduler_access
from overcast.services.scheduler.errors import AccessDeniedException, ValidationException
from overcast.services.scheduler.schedules import ScheduleService

OPERATIONS = Operations()
SCHEDULE_FIELDS = (
    "Arn", "GroupName", "Name", "ScheduleExpression", "StartDate", "EndDate", "Description",
    "ScheduleExpressionTimezone", "State", "CreationDate", "LastModificationDate", "KmsKeyArn",
    "Target", "FlexibleTimeWindow", "ActionAfterCompletion",
)  # fmt: skip
GROUP_FIELDS = ("Arn", "Name", "State", "CreationDate", "LastModificationDate")


@OPERATIONS("CreateSchedule")
def create_schedule(schedules: ScheduleService, call: Call) -> dict:
    doc = schedules.create(call.region, call.params["Name"], call.params)
    return {"ScheduleArn": doc["Arn"]}


@OPERATIONS("UpdateSchedule")
def update_schedule(schedules: ScheduleService, call: Call) -> dict:
    doc = schedules.update(call.region, call.params["Name"], call.params)
    return {"ScheduleArn": doc["Arn"]}


@OPERATIONS("GetSchedule")
def get_schedule(schedules: ScheduleService, call: Call) -> dict:
    doc = schedules.get(call.region, call.params["Name"], call.params.get("GroupName"))
    return {key: doc.get(key) for key in SCHEDULE_FIELDS}


@OPERATIONS("DeleteSchedule")
def delete_schedule(schedules: ScheduleService, call: Call) -> dict:
    schedules.delete(call.region, call.params["Name"], call.params.get("GroupName"))
    return {}


@OPERATIONS("ListSchedules")
def list_schedules(schedules: ScheduleService, call: Call) -> dict:
    found, token = schedules.list(call.region, call.params)
    summaries = [
        {
            **{key: doc.get(key) for key in ("Arn", "Name", "GroupName", "State")},
            "CreationDate": doc["CreationDate"],
            "LastModificationDate": doc["LastModificationDate"],
            "Target": {"Arn": doc["Target"]["Arn"]},
        }
        for doc in found
    ]
    return {"Schedules": summaries, "NextToken": token}


@OPERATIONS("CreateScheduleGroup")
def create_schedule_group(schedules: ScheduleService, call: Call) -> dict:
    doc = schedules.create_group(call.region, call.params["Name"], call.params.get("Tags"))
    return {"ScheduleGroupArn": doc["Arn"]}


@OPERATIONS("GetScheduleGroup")
def get_schedule_group(schedules: ScheduleService, call: Call) -> dict:
    doc = schedules.group(call.region, call.params["Name"])
    return {key: doc.get(key) for key in GROUP_FIELDS}


@OPERATIONS("DeleteScheduleGroup")
def delete_schedule_group(schedules: ScheduleService, call: Call) -> dict:
    schedules.delete_group(call.region, call.params["Name"])
    return {}


@OPERATIONS("ListScheduleGroups")
def list_schedule_groups(schedules: ScheduleService, call: Call) -> dict:
    params = call.params
    found, token = schedules.list_groups(
        call.region, params.get("NamePrefix"), params.get("NextToken"), params.get("MaxResults")
    )
    groups = [{key: doc.get(key) for key in GROUP_FIELDS} for doc in found]
    return {"ScheduleGroups": groups, "NextToken": token}


@OPERATIONS("ListTagsForResource")
def list_tags_for_resource(schedules: ScheduleService, call: Call) -> dict:
    tags = schedules.tags(call.region, call.params["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


@OPERATIONS("TagResource")
def tag_resource(schedules: ScheduleService, call: Call) -> dict:
    schedules.tag(call.region, call.params["ResourceArn"], call.params["Tags"])
    return {}


@OPERATIONS("UntagResource")
def untag_resource(schedules: ScheduleService, call: Call) -> dict:
    schedules.untag(call.region, call.params["ResourceArn"], call.params["TagKeys"])
    return {}


def _in_schedulers_words(error: ServiceError) -> ServiceError:
    """The shared code's refusals as Scheduler words them: bad input a ValidationException
    with a `Message`, IAM's refusal a 403 AccessDeniedException."""
    if isinstance(error, protocol_errors.AccessDeniedException):
        return AccessDeniedException(error.message)
    if isinstance(error, protocol_errors.ValidationException):
        return ValidationException(error.message)
    return error


def scheduler_api(schedules: ScheduleService) -> Api:
    return Api(
        service_model("scheduler"),
        OPERATIONS,
        schedules,
        translate=_in_schedulers_words,
        access=scheduler_access,
    )
