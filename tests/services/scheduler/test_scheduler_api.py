"""EventBridge Scheduler's API through boto3 against a real server: schedules and groups
made, read, listed, updated and deleted; Scheduler's errors as AWS words them."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from support import RunningServer, error_of

ROLE = "arn:aws:iam::000000000000:role/scheduler-role"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:anything"
OFF = {"Mode": "OFF"}


@pytest.fixture
def scheduler(server: RunningServer):
    return server.client("scheduler")


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def target(**more: object) -> dict:
    return {"Arn": FUNCTION, "RoleArn": ROLE, **more}


def test_a_schedule_is_made_read_updated_listed_and_deleted(scheduler) -> None:
    name = unique("nightly")
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression="cron(0 3 * * ? *)",
        ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        Target=target(Input='{"job": "nightly"}', RetryPolicy={"MaximumRetryAttempts": 2}),
    )["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:000000000000:schedule/default/{name}"

    got = scheduler.get_schedule(Name=name)
    assert got["GroupName"] == "default"
    assert got["State"] == "ENABLED"
    assert got["ActionAfterCompletion"] == "NONE"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert got["Target"]["Input"] == '{"job": "nightly"}'
    assert got["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 2}
    assert got["CreationDate"] <= got["LastModificationDate"]

    scheduler.update_schedule(
        Name=name, ScheduleExpression="rate(5 minutes)", State="DISABLED",
        FlexibleTimeWindow=OFF, Target=target(),
    )  # fmt: skip
    updated = scheduler.get_schedule(Name=name)
    assert updated["ScheduleExpression"] == "rate(5 minutes)"
    assert updated["State"] == "DISABLED"
    assert "ScheduleExpressionTimezone" not in updated  # UpdateSchedule replaces the whole
    assert updated["CreationDate"] == got["CreationDate"]

    listed = scheduler.list_schedules(NamePrefix=name)["Schedules"]
    assert [(s["Name"], s["State"], s["Target"]) for s in listed] == [
        (name, "DISABLED", {"Arn": FUNCTION})
    ]
    assert scheduler.list_schedules(NamePrefix=name, State="ENABLED")["Schedules"] == []

    scheduler.delete_schedule(Name=name)
    with pytest.raises(ClientError) as caught:
        scheduler.get_schedule(Name=name)
    missing = ("ResourceNotFoundException", f"Schedule {name} does not exist.", 404)
    assert error_of(caught) == missing


def test_schedule_groups_hold_their_schedules_and_tags(scheduler) -> None:
    group = unique("jobs")
    group_arn = scheduler.create_schedule_group(Name=group, Tags=[{"Key": "team", "Value": "a"}])[
        "ScheduleGroupArn"
    ]
    assert group_arn.endswith(f":schedule-group/{group}")
    assert scheduler.get_schedule_group(Name="default")["State"] == "ACTIVE"
    names = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert "default" in names and group in names

    for n in range(3):
        scheduler.create_schedule(
            Name=f"s{n}", GroupName=group, ScheduleExpression="rate(1 hour)",
            FlexibleTimeWindow=OFF, Target=target(),
        )  # fmt: skip
    first = scheduler.list_schedules(GroupName=group, MaxResults=2)
    assert [s["Name"] for s in first["Schedules"]] == ["s0", "s1"]
    rest = scheduler.list_schedules(GroupName=group, NextToken=first["NextToken"])
    assert [s["Name"] for s in rest["Schedules"]] == ["s2"]
    assert "NextToken" not in rest
    with pytest.raises(ClientError) as caught:
        scheduler.get_schedule(Name="s0")  # in the default group: not there
    assert error_of(caught)[0] == "ResourceNotFoundException"
    assert scheduler.get_schedule(Name="s0", GroupName=group)["GroupName"] == group

    scheduler.tag_resource(ResourceArn=group_arn, Tags=[{"Key": "env", "Value": "dev"}])
    scheduler.untag_resource(ResourceArn=group_arn, TagKeys=["team"])
    assert scheduler.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]

    scheduler.delete_schedule_group(Name=group)  # and its schedules with it
    with pytest.raises(ClientError) as caught:
        scheduler.get_schedule(Name="s0", GroupName=group)
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_scheduler_refuses_what_aws_refuses(scheduler) -> None:
    name = unique("bad")

    def refused(**params: object) -> tuple[str, str, int]:
        base = {
            "Name": name, "ScheduleExpression": "rate(1 hour)", "FlexibleTimeWindow": OFF,
            "Target": target(),
        }  # fmt: skip
        with pytest.raises(ClientError) as caught:
            scheduler.create_schedule(**{**base, **params})
        return error_of(caught)

    assert refused(ScheduleExpression="every day")[:1] == ("ValidationException",)
    assert refused(ScheduleExpression="at(2030-02-30T10:00:00)")[0] == "ValidationException"
    assert refused(ScheduleExpressionTimezone="Mars/Olympus")[0] == "ValidationException"
    universal = {"Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", "RoleArn": ROLE}
    code, message, status = refused(Target=universal)
    assert (code, status) == ("ValidationException", 400) and "Universal targets" in message
    assert refused(FlexibleTimeWindow={"Mode": "FLEXIBLE"})[0] == "ValidationException"
    assert refused(GroupName=unique("nogroup"))[0] == "ResourceNotFoundException"

    scheduler.create_schedule(
        Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=target()
    )
    assert refused() == ("ConflictException", f"Schedule {name} already exists.", 409)
    with pytest.raises(ClientError) as caught:
        scheduler.delete_schedule(Name=unique("gone"))
    assert error_of(caught)[:1] == ("ResourceNotFoundException",)
    with pytest.raises(ClientError) as caught:
        scheduler.delete_schedule_group(Name="default")
    assert error_of(caught)[0] == "ValidationException"
