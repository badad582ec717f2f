"""`schedule` events compiled as schedule.js does: EventBridge rules, or Scheduler schedules."""

from __future__ import annotations

import pytest

from overcast.deploy.serverless.model import TranslationError

from .sls_project import compiled

ARN = {"Fn::GetAtt": ["CronLambdaFunction", "Arn"]}


def _project(*events: str) -> str:
    listed = "".join(f"      - schedule: {event}\n" for event in events)
    return f"service: notes\nfunctions:\n  cron:\n    handler: h.h\n    events:\n{listed}"


def test_each_expression_is_a_rule_numbered_across_the_functions_schedules() -> None:
    stack = compiled(
        _project("rate(1 hour)", "{rate: ['cron(0 12 * * ? *)', rate(2 days)], enabled: false}"),
        "schedule",
    )
    first = stack.resources["CronEventsRuleSchedule1"]
    assert first["Type"] == "AWS::Events::Rule"
    assert first["Properties"] == {
        "ScheduleExpression": "rate(1 hour)",
        "State": "ENABLED",
        "Targets": [{"Arn": ARN, "Id": "cronSchedule"}],
    }
    assert stack.resources["CronEventsRuleSchedule2"]["Properties"]["State"] == "DISABLED"
    third = stack.resources["CronEventsRuleSchedule3"]["Properties"]
    assert third["ScheduleExpression"] == "rate(2 days)"
    permission = stack.resources["CronLambdaPermissionEventsRuleSchedule3"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["CronEventsRuleSchedule3", "Arn"]}
    assert stack.role_statements == [] and stack.role_principals == []


def test_inputs_reach_the_target_as_the_framework_writes_them() -> None:
    event = (
        "{rate: [rate(5 minutes)], name: nightly, description: Nightly,"
        " input: {job: report, body: '{\"a\": 1}'}}"
    )
    transformer = (
        "{rate: [rate(5 minutes)],"
        " inputTransformer: {inputTemplate: '{\"t\": <time>}', inputPathsMap: {time: $.time}}}"
    )
    stack = compiled(
        _project(event, "{rate: [rate(5 minutes)], inputPath: $.detail}", transformer), "schedule"
    )
    rule = stack.resources["CronEventsRuleSchedule1"]["Properties"]
    assert rule["Name"] == "nightly" and rule["Description"] == "Nightly"
    assert rule["Targets"][0]["Input"] == '{"job":"report","body":{"a":1}}'
    assert (
        stack.resources["CronEventsRuleSchedule2"]["Properties"]["Targets"][0]["InputPath"]
        == "$.detail"
    )
    assert stack.resources["CronEventsRuleSchedule3"]["Properties"]["Targets"][0][
        "InputTransformer"
    ] == {
        "InputTemplate": '{"t": <time>}',
        "InputPathsMap": {"time": "$.time"},
    }


def test_the_scheduler_method_makes_a_schedule_run_as_the_functions_role() -> None:
    event = (
        "{rate: ['cron(0 3 * * ? *)'], method: scheduler, timezone: Europe/Paris, input: {a: 1}}"
    )
    stack = compiled(_project(event), "schedule")
    schedule = stack.resources["CronSchedulerSchedule1"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    assert schedule["Properties"] == {
        "ScheduleExpression": "cron(0 3 * * ? *)",
        "State": "ENABLED",
        "Target": {
            "Arn": ARN,
            "RoleArn": {"Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]},
            "Input": '{"a":1}',
        },
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ScheduleExpressionTimezone": "Europe/Paris",
    }
    assert stack.role_principals == ["scheduler.amazonaws.com"]
    [statement] = stack.role_statements
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert statement["Resource"][0]["Fn::Sub"].endswith(":function:notes-dev-cron")
    assert statement["Resource"][1]["Fn::Sub"].endswith(":function:notes-dev-cron:*")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("rate(1 minutes)", r"events\[0\].schedule"),
        ("{rate: [rate(1 hour), rate(2 hours)], name: x}", "cannot specify a name"),
        ("{rate: [rate(1 hour)], timezone: UTC}", '"timezone" is only supported with "scheduler"'),
        (
            "{rate: [rate(1 hour)], method: scheduler, inputPath: $.a}",
            '"inputPath" is not supported',
        ),
    ],
)
def test_a_wrong_schedule_names_the_key_at_fault(event: str, message: str) -> None:
    with pytest.raises(TranslationError, match=message):
        compiled(_project(event), "schedule")
