"""Rules and their targets: PutRule, Describe/Delete/Enable/DisableRule, ListRules,
ListRuleNamesByTarget, Put/RemoveTargets and ListTargetsByRule, as EventBridge checks them.

Every check runs before anything is saved: a refused request stores nothing.

- PutRule replaces the whole rule (what it omits is dropped), keeping its targets and tags.
  Schedules belong to the default bus only.
- A target is a function (or its alias or version), an event bus, a queue or a topic; its
  ARN must be well formed, its input settings valid and its dead-letter queue an SQS queue.
  A target of another service is refused in FailedEntries (Overcast cannot deliver to it).
- A rule has at most 5 targets, and cannot be deleted while it has any.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from overcast.aws.errors import ValidationException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.aws.schedule import ScheduleExpression
from overcast.services.events.buses import paged
from overcast.services.events.errors import LimitExceededException
from overcast.services.events.model import (
    DEFAULT_BUS,
    ENABLED,
    MAX_TARGETS_PER_RULE,
    Rule,
    RuleTarget,
    service_of,
)
from overcast.services.events.registry import EventRegistry

TARGET_SERVICES = frozenset({"lambda", "events", "sqs", "sns"})
_ARN = re.compile(r"arn:aws[a-zA-Z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+")
_FUNCTION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_.]+(:[a-zA-Z0-9-_$]+)?"
)
_BUS_ARN = re.compile(r"arn:aws[a-zA-Z-]*:events:[a-z0-9-]+:\d{12}:event-bus/[/.\-_A-Za-z0-9]+")


class RuleService:
    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    def put(
        self,
        region: str,
        bus: str,
        name: str,
        *,
        event_pattern: str | None = None,
        schedule: str | None = None,
        state: str | None = None,
        description: str | None = None,
        role_arn: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> Rule:
        if not event_pattern and not schedule:
            raise ValidationException(
                "Parameter(s) EventPattern or ScheduleExpression must be specified."
            )
        if schedule:
            if bus != DEFAULT_BUS:
                raise ValidationException(
                    "ScheduleExpression is supported only on the default event bus."
                )
            ScheduleExpression.parse(schedule)
        if event_pattern:
            EventPattern.parse(event_pattern)
        registry = self.registry
        with registry.lock:
            registry.bus(region, bus)
            existing = registry.find_rule(region, bus, name)
            now = registry.clock()
            keep_since = existing is not None and existing.schedule == schedule
            rule = Rule(
                region=region,
                bus=bus,
                name=name,
                account_id=registry.account_id,
                created=existing.created if existing else now,
                schedule_since=existing.schedule_since if keep_since else now,
                event_pattern=event_pattern or None,
                schedule=schedule or None,
                state=state or ENABLED,
                description=description,
                role_arn=role_arn,
                targets=existing.targets if existing else (),
                tags={**(existing.tags if existing else {}), **(tags or {})},
            )
            registry.save_rule(rule)
        return rule

    def describe(self, region: str, bus: str, name: str) -> Rule:
        self.registry.bus(region, bus)
        return self.registry.rule(region, bus, name)

    def delete(self, region: str, bus: str, name: str) -> None:
        registry = self.registry
        with registry.lock:
            rule = registry.find_rule(region, bus, name)
            if rule is None:
                return  # EventBridge answers success for a rule that is not there
            if rule.targets:
                raise ValidationException("Rule can't be deleted since it has targets.")
            registry.drop_rule(rule.key)

    def set_state(self, region: str, bus: str, name: str, state: str) -> None:
        self._change(region, bus, name, lambda rule: replace(rule, state=state))

    def list(
        self, region: str, bus: str, prefix: str | None, token: str | None, limit: int | None
    ) -> tuple[list[Rule], str | None]:
        self.registry.bus(region, bus)
        rules = [r for r in self.registry.rules_on(region, bus) if r.name.startswith(prefix or "")]
        return paged(rules, token, limit)

    def names_by_target(
        self, region: str, bus: str, target_arn: str, token: str | None, limit: int | None
    ) -> tuple[list[Rule], str | None]:
        self.registry.bus(region, bus)
        rules = [
            rule
            for rule in self.registry.rules_on(region, bus)
            if any(target.arn == target_arn for target in rule.targets)
        ]
        return paged(rules, token, limit)

    # --- targets ------------------------------------------------------------------------

    def put_targets(self, region: str, bus: str, rule_name: str, specs: list[dict]) -> list[dict]:
        """Add or replace targets by Id; answers FailedEntries (those not stored)."""
        for spec in specs:
            _check_arn(spec["Arn"])
        failed = [_unsupported(spec) for spec in specs if not _deliverable(spec["Arn"])]
        accepted = [RuleTarget.from_spec(spec) for spec in specs if _deliverable(spec["Arn"])]
        for target in accepted:
            _check_dead_letter(target)

        def add(rule: Rule) -> Rule:
            given = {target.id: target for target in accepted}
            kept = [target for target in rule.targets if target.id not in given]
            targets = (*kept, *given.values())
            if len(targets) > MAX_TARGETS_PER_RULE:
                raise LimitExceededException(
                    "The requested resource exceeds the maximum number allowed."
                )
            return replace(rule, targets=targets)

        self._change(region, bus, rule_name, add)
        return failed

    def remove_targets(self, region: str, bus: str, rule_name: str, ids: list[str]) -> list[dict]:
        gone = set(ids)
        self._change(
            region,
            bus,
            rule_name,
            lambda rule: replace(rule, targets=tuple(t for t in rule.targets if t.id not in gone)),
        )
        return []

    def list_targets(
        self, region: str, bus: str, rule_name: str, token: str | None, limit: int | None
    ) -> tuple[list[RuleTarget], str | None]:
        targets = self.describe(region, bus, rule_name).targets
        return paged(sorted(targets, key=lambda t: t.id), token, limit, key=lambda t: [t.id])

    def _change(self, region: str, bus: str, name: str, change: Callable[[Rule], Rule]) -> None:
        registry = self.registry
        with registry.lock:
            registry.bus(region, bus)
            registry.save_rule(change(registry.rule(region, bus, name)))


def _check_arn(arn: str) -> None:
    service = service_of(arn)
    well_formed = _ARN.fullmatch(arn) is not None
    if service == "lambda":
        well_formed = _FUNCTION_ARN.fullmatch(arn) is not None
    elif service == "events" and ":event-bus/" in arn:
        well_formed = _BUS_ARN.fullmatch(arn) is not None
    if not well_formed:
        raise ValidationException(
            f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        )


def _deliverable(arn: str) -> bool:
    service = service_of(arn)
    return service in TARGET_SERVICES and (
        service != "events" or ":event-bus/" in arn or ":api-destination/" in arn
    )


def _check_dead_letter(target: RuleTarget) -> None:
    arn = target.dead_letter_arn
    if arn is not None and (service_of(arn) != "sqs" or _ARN.fullmatch(arn) is None):
        raise ValidationException(
            f"Parameter DeadLetterConfig.Arn is not valid for target {target.id}. "
            "Reason: a dead-letter queue must be an SQS queue ARN."
        )


def _unsupported(spec: dict) -> dict:
    return {
        "TargetId": spec["Id"],
        "ErrorCode": "ValidationException",
        "ErrorMessage": f"Target {spec['Arn']} is of a service this Overcast server cannot "
        "deliver to: functions, event buses, API destinations, queues and topics only.",
    }
