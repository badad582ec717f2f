"""Schedule expressions as EventBridge Scheduler reads them ("Schedule types in EventBridge
Scheduler"): `rate(...)` and `cron(...)` as EventBridge rules write them (aws/schedule.py),
and the one-time `at(yyyy-mm-ddThh:mm:ss)`, each evaluated in ScheduleExpressionTimezone.

- `cron(...)` and `at(...)` read their fields as wall-clock time in the schedule's time zone
  (UTC unless one is named), so a cron at 09:00 in `America/New_York` follows daylight saving.
- `rate(...)` ignores the time zone: it fires every interval counted from the schedule's
  StartDate, or from when it was created.
- A recurring schedule fires only between its StartDate and EndDate; a one-time schedule
  ignores both ("EventBridge Scheduler ignores StartDate/EndDate for one-time schedules").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from overcast.aws.errors import ValidationException as ProtocolValidation
from overcast.aws.schedule import RateExpression, ScheduleExpression, as_utc
from overcast.services.scheduler.errors import ValidationException

AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
INVALID_EXPRESSION = "Invalid Schedule Expression {}."
INVALID_TIMEZONE = "Invalid ScheduleExpressionTimezone {}."


@dataclass(frozen=True)
class Recurrence:
    """When one schedule fires: `next_after(t)` is its first firing strictly after `t`."""

    expression: str
    zone: ZoneInfo
    since: datetime  # rate: the moment its intervals count from
    start: datetime | None = None
    end: datetime | None = None

    @property
    def one_time(self) -> bool:
        return self.expression.startswith("at(")

    def next_after(self, t: datetime) -> datetime | None:
        t = as_utc(t)
        if self.one_time:
            moment = _at(self.expression, self.zone)
            return moment if moment > t else None
        if self.start is not None and t < self.start:
            t = self.start - timedelta(microseconds=1)
        found = self._recurring_after(t)
        if found is None or (self.end is not None and found > self.end):
            return None
        return found

    def _recurring_after(self, t: datetime) -> datetime | None:
        parsed = _parsed(self.expression)
        if isinstance(parsed, RateExpression):
            origin = as_utc(self.start or self.since)
            intervals = max(math.floor((t - origin) / parsed.interval) + 1, 1)
            return origin + intervals * parsed.interval
        # The cron walks wall-clock fields: ask it in the zone's local time, then read the
        # answer back as local time. A local minute that a change of clocks skips is read
        # as the moment after the change (zoneinfo's fold 0), as AWS documents for DST.
        local = t.astimezone(self.zone).replace(tzinfo=None)
        following = parsed.next_after(local)
        while following is not None:
            moment = following.replace(tzinfo=self.zone).astimezone(UTC)
            if moment > t:
                return moment
            following = parsed.next_after(following)
        return None


def zone(name: str | None) -> ZoneInfo:
    """The time zone ScheduleExpressionTimezone names (UTC when none)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationException(INVALID_TIMEZONE.format(name)) from None


def check(expression: str) -> None:
    """Raises ValidationException unless `expression` is a rate, cron or at expression."""
    if AT.fullmatch(expression):
        _at(expression, ZoneInfo("UTC"))
        return
    _parsed(expression)


def _at(expression: str, zone: ZoneInfo) -> datetime:
    found = AT.fullmatch(expression)
    try:
        if found is None:
            raise ValueError(expression)
        return datetime.fromisoformat(found.group(1)).replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        raise ValidationException(INVALID_EXPRESSION.format(expression)) from None


@lru_cache(maxsize=512)
def _parsed(expression: str) -> ScheduleExpression:
    try:
        return ScheduleExpression.parse(expression)
    except ProtocolValidation:
        raise ValidationException(INVALID_EXPRESSION.format(expression)) from None
