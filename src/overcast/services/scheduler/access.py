"""What each EventBridge Scheduler operation needs of IAM ("Actions, resources, and condition
keys for Amazon EventBridge Scheduler", Service Authorization Reference): its action on the
schedule (`schedule/GROUP/NAME`) or schedule group (`schedule-group/NAME`) it names; the List
operations take no resource (`*`). CreateSchedule and UpdateSchedule also need iam:PassRole
on the target's execution role, as AWS checks ("Set up the execution role"). Tags on
CreateScheduleGroup and TagResource set aws:RequestTag/aws:TagKeys.
"""

from __future__ import annotations

from overcast.aws.arn import arn
from overcast.aws.authorizer import Access, Need
from overcast.aws.request_context import RequestContext
from overcast.aws.tag_conditions import pairs, tag_conditions, tag_key_conditions

SCHEDULE_OPERATIONS = frozenset(
    {"CreateSchedule", "GetSchedule", "UpdateSchedule", "DeleteSchedule"}
)
GROUP_OPERATIONS = frozenset({"CreateScheduleGroup", "GetScheduleGroup", "DeleteScheduleGroup"})
TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
UNSCOPED = frozenset({"ListSchedules", "ListScheduleGroups"})
PASSES_ROLE = frozenset({"CreateSchedule", "UpdateSchedule"})


def scheduler_access(operation: str, params: dict, context: RequestContext) -> Access:
    action = f"scheduler:{operation}"
    if operation in SCHEDULE_OPERATIONS:
        group = params.get("GroupName") or "default"
        resource = _arn(context, f"schedule/{group}/{params.get('Name', '')}")
        needs = [Need(action, resource)]
        role = (params.get("Target") or {}).get("RoleArn")
        if operation in PASSES_ROLE and role:
            needs.append(Need("iam:PassRole", str(role)))
        return Access(tuple(needs))
    if operation in GROUP_OPERATIONS:
        resource = _arn(context, f"schedule-group/{params.get('Name', '')}")
        tags = (
            tag_conditions(pairs(params.get("Tags"))) if operation == "CreateScheduleGroup" else {}
        )
        return Access((Need(action, resource),), tags)
    if operation in TAG_OPERATIONS:
        conditions = {}
        if operation == "TagResource":
            conditions = tag_conditions(pairs(params.get("Tags")))
        elif operation == "UntagResource":
            conditions = tag_key_conditions(params.get("TagKeys"))
        return Access((Need(action, str(params.get("ResourceArn") or "*")),), conditions)
    return Access.of(action)


def _arn(context: RequestContext, resource: str) -> str:
    return arn("scheduler", context.region, context.account_id, resource)
