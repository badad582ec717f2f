"""`eventBridge` events: an EventBridge rule that targets the function, as the framework
compiles them natively (package/compile/events/event-bridge/index.js, compileWithCloudFormation:
v4's default, v3's with `provider.eventBridge.useCloudFormation`).

    events:
      - eventBridge:
          eventBus: orders                  # made by the stack unless default, an ARN or a ref
          pattern: {source: [shop.orders], detail-type: [OrderPlaced]}
          retryPolicy: {maximumEventAge: 3600, maximumRetryAttempts: 2}
          deadLetterQueueArn: !GetAtt Dlq.Arn

The rule is named `<function name>-rule-<n>` (hashed past 64 characters), `n` being the
event's position among all the function's events, from 1; its logical id is that name's
letters and digits + `EventBridgeRule`, its target `<rule name>-target`. A named bus the stack
makes is `<Bus>EventBridgeEventBus`; `<Fn>EventBridgeLambdaPermission<n>` lets
events.amazonaws.com invoke the function from the rule.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import _target
from overcast.deploy.serverless.model import EventUse, Service, Stack, TranslationError

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "eventBus": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "object"}]},
        "schedule": {"type": "string", "pattern": r"^(?:cron|rate)\(.+\)$"},
        "name": {"type": "string", "pattern": "[a-zA-Z0-9-_.]+", "minLength": 1, "maxLength": 64},
        "description": {"type": "string", "maxLength": 512},
        "enabled": {"type": "boolean"},
        "pattern": {"type": "object"},
        "input": {"type": "object"},
        "inputPath": {"type": "string", "minLength": 1, "maxLength": 256},
        "inputTransformer": {
            "type": "object",
            "properties": {
                "inputPathsMap": {"type": "object", "additionalProperties": {"type": "string"}},
                "inputTemplate": {"type": "string", "minLength": 1, "maxLength": 8192},
            },
            "required": ["inputTemplate"],
        },
        "retryPolicy": {
            "type": "object",
            "properties": {
                "maximumEventAge": {"type": "integer", "minimum": 60, "maximum": 86400},
                "maximumRetryAttempts": {"type": "integer", "minimum": 0, "maximum": 185},
            },
        },
        "deadLetterQueueArn": _target.ARN,
    },
    "anyOf": [{"required": ["pattern"]}, {"required": ["schedule"]}],
}
NAME_LIMIT = 64  # rule names and target ids


def compile(stack: Stack, service: Service, uses: list[EventUse]) -> None:
    options = service.provider.get("eventBridge")
    if isinstance(options, dict) and not options.get("useCloudFormation"):
        stack.notes.append(
            "provider.eventBridge.useCloudFormation: Overcast always compiles eventBridge events "
            "to native AWS::Events::Rule resources (the framework's custom resource is not used)"
        )
    for use in uses:
        _target.check(use, SCHEMA, stack.notes)
        _compile_one(stack, service, use)


def _compile_one(stack: Stack, service: Service, use: EventUse) -> None:
    settings: dict[str, Any] = use.config
    position = _position(use)
    function_name = service.function_name(use.function_key)
    rule_name = settings.get("name") or _hashed(
        _rule_name(function_name, position), f"rule-{position}"
    )
    bus = _bus(stack, settings.get("eventBus"))
    target: dict[str, Any] = {
        "Arn": _target.function_target(service, use.function_key),
        "Id": _hashed(f"{rule_name}-target", "target"),
    }
    target |= _target_settings(use, settings)
    rule: dict[str, Any] = {
        "EventBusName": None if bus == "default" else bus,
        "EventPattern": settings.get("pattern"),
        "Name": rule_name,
        "ScheduleExpression": settings.get("schedule"),
        "State": "DISABLED" if settings.get("enabled") is False else "ENABLED",
        "Description": settings.get("description"),
        "Targets": [target],
    }
    rule = {name: value for name, value in rule.items() if value is not None}
    waits_for = _target.alias_logical_id(service, use.function_key)
    if (
        isinstance(bus, str)
        and bus != "default"
        and naming.event_bus_logical_id(bus) in stack.resources
    ):
        waits_for = naming.event_bus_logical_id(bus)
    extra = _target.depends(waits_for)
    rule_id = naming.event_bridge_rule_logical_id(_rule_name(function_name, position))
    stack.add(rule_id, "AWS::Events::Rule", rule, **extra)
    # A rule on the default bus is `rule/<name>`, on another bus `rule/<bus>/<name>`
    # (the framework writes `rule/default/<name>` for an explicit `eventBus: default`,
    # which matches no rule: Overcast leaves `default` out, as AWS names the rule).
    path = [rule_name] if bus in (None, "default") else [bus, rule_name]
    source_arn = {
        "Fn::Join": [
            ":",
            [
                "arn",
                {"Ref": "AWS::Partition"},
                "events",
                {"Ref": "AWS::Region"},
                {"Ref": "AWS::AccountId"},
                {"Fn::Join": ["/", ["rule", *path]]},
            ],
        ]
    }
    function = _target.function_target(service, use.function_key)
    permission = _target.permission(function, source_arn, "events.amazonaws.com")
    permission_id = naming.event_bridge_permission_logical_id(use.function_key, position)
    extra = _target.alias_depends(service, use.function_key)
    stack.add(permission_id, "AWS::Lambda::Permission", permission, **extra)


def _position(use: EventUse) -> int:
    """The event's place among all the function's events, from 1 (event-bridge/index.js
    counts every event, not only eventBridge ones): read from its path, `events[<i>]`."""
    found = re.search(r"\.events\[(\d+)\]", use.path)
    return int(found.group(1)) + 1 if found else use.index


def _rule_name(function_name: str, position: int) -> str:
    return f"{function_name}-rule-{position}"


def _hashed(name: str, suffix: str) -> str:
    """utils.js hashName, for a name past 64 characters: its head, its MD5, its suffix."""
    if len(name) <= NAME_LIMIT:
        return name
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return f"{name[: 31 - len(suffix)]}{digest}-{suffix}"


def _bus(stack: Stack, bus: Any) -> Any:
    """The bus's name as the rule takes it; a named bus that is not the default and not given
    by ARN or intrinsic function is made by the stack."""
    if bus is None or isinstance(bus, dict):
        return bus
    if bus.startswith("arn"):
        return bus[bus.index("/") + 1 :] if "/" in bus else bus
    logical_id = naming.event_bus_logical_id(bus)
    if bus != "default" and logical_id not in stack.resources:
        stack.add(logical_id, "AWS::Events::EventBus", {"Name": bus})
    return bus


def _target_settings(use: EventUse, settings: dict[str, Any]) -> dict[str, Any]:
    """RetryPolicy, DeadLetterConfig and one of Input, InputPath, InputTransformer."""
    inputs = [key for key in ("input", "inputPath", "inputTransformer") if settings.get(key)]
    if len(inputs) > 1:
        raise TranslationError(
            f"{use.path}: You can only set one of input, inputPath, or inputTransformer "
            "properties for eventBridge events."
        )
    found: dict[str, Any] = {}
    retry = settings.get("retryPolicy")
    if retry:
        policy = {
            "MaximumEventAgeInSeconds": retry.get("maximumEventAge"),
            "MaximumRetryAttempts": retry.get("maximumRetryAttempts"),
        }
        found["RetryPolicy"] = {k: v for k, v in policy.items() if v is not None}
    if settings.get("deadLetterQueueArn"):
        found["DeadLetterConfig"] = {"Arn": settings["deadLetterQueueArn"]}
    if settings.get("input"):
        found["Input"] = _target.json_text(settings["input"])
    elif settings.get("inputPath"):
        found["InputPath"] = settings["inputPath"]
    elif settings.get("inputTransformer"):
        transformer = settings["inputTransformer"]
        found["InputTransformer"] = {naming.normalize_name(k): v for k, v in transformer.items()}
    return found
