"""`schedule` events: a function run on a rate or cron expression, as the framework compiles
them (package/compile/events/schedule.js).

    events:
      - schedule: rate(1 hour)
      - schedule: {rate: [cron(0 12 * * ? *), rate(2 hours)], input: {job: report}}
      - schedule: {rate: [rate(1 day)], method: scheduler, timezone: Europe/Paris}

`method: eventBus` (the default) makes an EventBridge rule `<Fn>EventsRuleSchedule<n>`
targeting the function (target id `<fn>Schedule`) and `<Fn>LambdaPermissionEventsRuleSchedule<n>`
letting events.amazonaws.com invoke it; `method: scheduler` makes an EventBridge Scheduler
schedule `<Fn>SchedulerSchedule<n>` that invokes the function as its execution role, which
then trusts scheduler.amazonaws.com and may invoke the function. `n` counts the function's
expressions across all its schedule events, from 1.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

RATE = r"^rate\((?:1 (?:minute|hour|day)|(?:1\d+|[2-9]\d*) (?:minute|hour|day)s)\)$"
CRON = r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$"
EXPRESSION = {"type": "string", "pattern": f"{RATE}|{CRON}"}
OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rate": {
            "type": "array",
            "minItems": 1,
            "items": {"anyOf": [{"type": "object"}, EXPRESSION]},
        },
        "enabled": {"type": "boolean"},
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": r"[\.\-_A-Za-z0-9]+",
        },
        "description": {"type": "string", "maxLength": 512},
        "input": {"anyOf": [{"type": "string", "maxLength": 8192}, {"type": "object"}]},
        "inputPath": {"type": "string", "maxLength": 256},
        "inputTransformer": {
            "type": "object",
            "properties": {
                "inputTemplate": {"type": "string", "minLength": 1, "maxLength": 8192},
                "inputPathsMap": {"type": "object"},
            },
            "required": ["inputTemplate"],
        },
        "method": {"enum": ["eventBus", "scheduler"]},
        "timezone": {"type": "string", "pattern": r"[\w\-\/]+"},
    },
    "required": ["rate"],
}
SCHEDULER = "scheduler"
NAMED = (("Name", "name"), ("Description", "description"))
FUNCTION_ARN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function"


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    counts: dict[str, int] = {}  # function key -> expressions so far
    scheduled: list[str] = []  # functions with a `scheduler` schedule
    for use in uses:
        if isinstance(use.config, dict) and isinstance(use.config.get("rate"), str):
            use = _with_rate_list(use)  # the older single-string form
        _target.check(
            use, OBJECT_SCHEMA if isinstance(use.config, dict) else EXPRESSION, stack.notes
        )
        settings = use.config if isinstance(use.config, dict) else {"rate": [use.config]}
        method = settings.get("method") or "eventBus"
        _refuse_mismatches(use, settings, method)
        for expression in settings["rate"]:
            counts[use.function_key] = number = counts.get(use.function_key, 0) + 1
            if method == SCHEDULER:
                _scheduler_schedule(stack, service, use, settings, expression, number)
            else:
                _events_rule(stack, service, use, settings, expression, number)
        if method == SCHEDULER and use.function_key not in scheduled:
            scheduled.append(use.function_key)
    if scheduled:
        _allow_scheduler(stack, service, scheduled)


def _with_rate_list(use: EventUse) -> EventUse:
    config = {**use.config, "rate": [use.config["rate"]]}
    return EventUse(use.function_key, use.function_logical_id, use.index, config, use.path)


def _refuse_mismatches(use: EventUse, settings: dict[str, Any], method: str) -> None:
    """schedule.js's errors for settings that do not go together."""
    if len(settings["rate"]) > 1 and settings.get("name"):
        raise TranslationError(
            f"{use.path}.name: You cannot specify a name when defining more than one rate "
            "expression"
        )
    refusals = (
        ("inputTransformer", method == SCHEDULER, 'is not supported with "scheduler" mode'),
        ("inputPath", method == SCHEDULER, 'is not supported with "scheduler" mode'),
        ("timezone", method != SCHEDULER, 'is only supported with "scheduler" mode'),
    )
    for key, refused, why in refusals:
        if settings.get(key) and refused:
            raise TranslationError(
                f'{use.path}.{key}: Cannot setup "schedule" event: "{key}" {why}'
            )


def _input(settings: dict[str, Any]) -> str | None:
    """The target's Input text: an object as JSON (its `body`, if a string, parsed first, as
    schedule.js does for API Gateway-shaped inputs), a string as it is."""
    value = settings.get("input")
    if isinstance(value, dict):
        if isinstance(value.get("body"), str):
            value = {**value, "body": json.loads(value["body"])}
        return _target.json_text(value)
    return value or None


def _copied(settings: dict[str, Any], names: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The settings among `names` (property, setting) that are given, as properties."""
    return {prop: settings[key] for prop, key in names if settings.get(key)}


def _state(settings: dict[str, Any]) -> str:
    return "DISABLED" if settings.get("enabled") is False else "ENABLED"


def _events_rule(
    stack: Stack,
    service: Service,
    use: EventUse,
    settings: dict[str, Any],
    expression: Any,
    number: int,
) -> None:
    key = use.function_key
    target: dict[str, Any] = {}
    if _input(settings):
        target["Input"] = _input(settings)
    if settings.get("inputPath"):
        target["InputPath"] = settings["inputPath"]
    if settings.get("inputTransformer"):
        transformer = settings["inputTransformer"]
        target["InputTransformer"] = {"InputTemplate": transformer["inputTemplate"]}
        if transformer.get("inputPathsMap"):
            target["InputTransformer"]["InputPathsMap"] = transformer["inputPathsMap"]
    function = _target.function_target(service, key)
    target |= {"Arn": function, "Id": f"{key}Schedule"}
    rule: dict[str, Any] = {
        "ScheduleExpression": expression,
        "State": _state(settings),
        **_copied(settings, NAMED),
        "Targets": [target],
    }
    extra = _target.alias_depends(service, key)
    rule_id = naming.schedule_rule_logical_id(key, number)
    stack.add(rule_id, "AWS::Events::Rule", rule, **extra)
    source = {"Fn::GetAtt": [rule_id, "Arn"]}
    permission = _target.permission(function, source, "events.amazonaws.com")
    permission_id = naming.schedule_permission_logical_id(key, number)
    stack.add(permission_id, "AWS::Lambda::Permission", permission, **extra)


def _scheduler_schedule(
    stack: Stack,
    service: Service,
    use: EventUse,
    settings: dict[str, Any],
    expression: Any,
    number: int,
) -> None:
    function = stack.resources.get(use.function_logical_id, {}).get("Properties", {})
    role = function.get("Role") or {"Fn::GetAtt": [naming.ROLE_LOGICAL_ID, "Arn"]}
    function_arn = _target.function_target(service, use.function_key)
    target: dict[str, Any] = {"Arn": function_arn, "RoleArn": role}
    if _input(settings):
        target["Input"] = _input(settings)
    schedule: dict[str, Any] = {
        "ScheduleExpression": expression,
        "State": _state(settings),
        "Target": target,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        **_copied(settings, (*NAMED, ("ScheduleExpressionTimezone", "timezone"))),
    }
    extra = _target.alias_depends(service, use.function_key)
    logical_id = naming.scheduler_schedule_logical_id(use.function_key, number)
    stack.add(logical_id, "AWS::Scheduler::Schedule", schedule, **extra)


def _allow_scheduler(stack: Stack, service: Service, keys: list[str]) -> None:
    """The shared role, which the schedules invoke the functions as, trusts the Scheduler
    and may invoke them (and their versions and aliases)."""
    resources: list[dict[str, str]] = []
    for key in keys:
        if _target.custom_role(service, key):
            continue  # a role of the user's own: schedule.js leaves it as it is
        arn = f"{FUNCTION_ARN}:{service.function_name(key)}"
        resources += [{"Fn::Sub": arn}, {"Fn::Sub": f"{arn}:*"}]
    if resources:
        stack.role_statements.append(
            {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": resources}
        )
        if "scheduler.amazonaws.com" not in stack.role_principals:
            stack.role_principals.append("scheduler.amazonaws.com")
