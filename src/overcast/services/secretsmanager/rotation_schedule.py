"""Rotation on a schedule, as Secrets Manager runs it: `RotationRules` with
`AutomaticallyAfterDays` (the next rotation is that many days after the last) or a
`ScheduleExpression` (`rate(N hours|days)` counted from the last rotation, or `cron(...)`,
AWS's six-field dialect, aws/schedule.py), never both.

The next rotation counts from the last one, or from when the schedule was set if the secret
was never rotated; an attempt that has started counts as the last one, so a rotation that
failed is tried again one interval later rather than on every round. `run_due` starts each
rotation whose date has come; the service calls it every minute (the finest a cron schedule
fires), and tests call it with a clock they move.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from overcast.aws.errors import ValidationException
from overcast.aws.schedule import ScheduleExpression
from overcast.services.secretsmanager.errors import InvalidParameterException
from overcast.services.secretsmanager.vault import SecretVault

log = logging.getLogger(__name__)
ROUND_S = 60.0

# (region, secret ARN, function ARN, ClientRequestToken)
Start = Callable[[str, str, str, str], None]


def checked_rules(rules: dict | None) -> dict | None:
    """RotateSecret's RotationRules, refused as Secrets Manager refuses them (the model's
    range for AutomaticallyAfterDays, 1-1000, is the gateway's ValidationException)."""
    if not rules:
        return rules
    days, expression = rules.get("AutomaticallyAfterDays"), rules.get("ScheduleExpression")
    if days is not None and expression is not None:
        raise InvalidParameterException(
            "You cannot specify both rotation frequency and schedule expression together."
        )
    if expression is not None:
        _parsed(expression)
    return rules


def _parsed(expression: str) -> ScheduleExpression:
    try:
        return ScheduleExpression.parse(expression)
    except ValidationException as exc:
        raise InvalidParameterException(f"Invalid schedule expression: {expression}") from exc


def next_rotation(rotation: dict | None) -> float | None:
    """When the secret's schedule next rotates it (epoch seconds); None without a schedule."""
    if not rotation or not rotation.get("enabled"):
        return None
    rules = rotation.get("rules") or {}
    since = max(rotation.get(field) or 0.0 for field in ("last", "attempted", "scheduled"))
    if rules.get("AutomaticallyAfterDays") is not None:
        return since + rules["AutomaticallyAfterDays"] * 86_400.0
    if rules.get("ScheduleExpression"):
        moment = _parsed(rules["ScheduleExpression"]).next_after(datetime.fromtimestamp(since, UTC))
        return moment.timestamp() if moment is not None else None
    return None


class RotationSchedule:
    def __init__(self, vault: SecretVault, start: Start) -> None:
        self.vault = vault
        self.start = start
        self._task: asyncio.Task | None = None

    def run_due(self) -> list[str]:
        """Start every rotation whose date has come; the secrets' ARNs."""
        now = self.vault.clock()
        started = []
        for region in self.vault.store.regions():
            for doc in self.vault.all(region):
                due = next_rotation(doc["rotation"])
                if doc["deleted"] is not None or due is None or due > now:
                    continue

                def attempt(doc: dict) -> None:
                    doc["rotation"] = {**doc["rotation"], "attempted": now}

                self.vault.change(region, doc["arn"], attempt)
                token = str(uuid.uuid4())
                self.start(region, doc["arn"], doc["rotation"]["lambda_arn"], token)
                started.append(doc["arn"])
        return started

    def begin(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._rounds())

    async def _rounds(self) -> None:
        while True:
            try:
                self.run_due()
            except Exception:  # a bad round must not end the schedule
                log.exception("scheduled rotation round failed")
            await asyncio.sleep(ROUND_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
