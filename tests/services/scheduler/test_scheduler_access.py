"""EventBridge Scheduler's access map: every operation mapped, schedules by group and name,
groups by name, iam:PassRole on the target's role, tags' condition keys."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.scheduler import access
from overcast.services.scheduler.access import scheduler_access
from overcast.services.scheduler.api import OPERATIONS

BASE = f"arn:aws:scheduler:{REGION}:{ACCOUNT}:"


def test_every_operation_has_a_mapping() -> None:
    mapped = (
        access.SCHEDULE_OPERATIONS | access.GROUP_OPERATIONS | access.TAG_OPERATIONS
        | access.UNSCOPED
    )  # fmt: skip
    assert set(OPERATIONS) == mapped
    params = {"Name": "n", "ResourceArn": BASE + "schedule-group/g"}
    for operation in OPERATIONS:
        found = scheduler_access(operation, dict(params), CONTEXT)
        check_shape(found, "scheduler", BASE)
        assert (found.needs[0].resource == "*") == (operation in access.UNSCOPED), operation


def test_schedules_groups_roles_and_tags() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/runner"
    made = scheduler_access(
        "CreateSchedule", {"Name": "n", "GroupName": "jobs", "Target": {"RoleArn": role}}, CONTEXT
    )
    assert [(n.action, n.resource) for n in made.needs] == [
        ("scheduler:CreateSchedule", BASE + "schedule/jobs/n"),
        ("iam:PassRole", role),
    ]
    read = scheduler_access("GetSchedule", {"Name": "n"}, CONTEXT)
    assert read.needs[0].resource == BASE + "schedule/default/n"
    group = scheduler_access(
        "CreateScheduleGroup", {"Name": "g", "Tags": [{"Key": "team", "Value": "a"}]}, CONTEXT
    )
    assert group.needs[0].resource == BASE + "schedule-group/g"
    assert group.conditions["aws:RequestTag/team"] == "a"
    untag = scheduler_access(
        "UntagResource", {"ResourceArn": BASE + "schedule-group/g", "TagKeys": ["team"]}, CONTEXT
    )
    assert untag.conditions["aws:TagKeys"] == ["team"]
