"""What each API key has used of its usage plans: the requests counted per plan, key and UTC
day, which the data plane checks quotas against (endpoint/usage.py) and GetUsage and
UpdateUsage report and extend (REST API Developer Guide, "Usage plans and API keys").

    counts.take(plan, key_id, now)  -> False when the quota's period is used up, else counted
    counts.report(plan, key_ids, "2026-01-01", "2026-01-03")
        -> {key id: [[used, remaining], ...] one pair a day}, as GetUsage's `items`
    counts.extend(plan, key_id, remaining, now)  -> UpdateUsage: the period's remaining is now
        `remaining` (a temporary extension, or a cut)

Kept in memory, per server, as the throttles' token buckets are: a restart starts every
period afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from overcast.services.apigateway.errors import BadRequestException

MAX_DAYS = 90  # GetUsage answers at most 90 days (API Gateway's limit on startDate..endDate)


def today(now: float) -> date:
    return datetime.fromtimestamp(now, UTC).date()


def period_start(quota: dict, day: date) -> date:
    """The first day (UTC) of the quota period holding `day`, shifted by the quota's offset
    (days into the week, Monday first, or into the month)."""
    offset = int(quota.get("offset") or 0)
    period = quota.get("period") or "DAY"
    if period == "WEEK":
        return day - timedelta(days=(day.weekday() - offset) % 7)
    if period == "MONTH":
        start = day.replace(day=1) + timedelta(days=offset)
        if start > day:
            previous = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
            start = previous + timedelta(days=offset)
        return start
    return day


class UsageCounts:
    def __init__(self) -> None:
        self._days: dict[tuple[str, str, date], int] = {}  # (plan, key, day) -> requests
        # UpdateUsage's extensions: (plan, key, period's first day) -> requests added
        self._granted: dict[tuple[str, str, date], int] = {}

    def take(self, plan: dict, key_id: str, now: float) -> bool:
        """Count one request of `key_id` under `plan`; False (and not counted) when the
        plan's quota for the current period is used up."""
        day = today(now)
        quota = plan.get("quota") or {}
        if quota.get("limit") is not None and self.remaining(plan, key_id, day) <= 0:
            return False
        counted = (plan["id"], key_id, day)
        self._days[counted] = self._days.get(counted, 0) + 1
        return True

    def remaining(self, plan: dict, key_id: str, day: date) -> int:
        """What is left of the quota's period holding `day` after `day`'s requests."""
        quota = plan.get("quota") or {}
        if quota.get("limit") is None:
            return 0
        start = period_start(quota, day)
        used = sum(self._days.get((plan["id"], key_id, start + timedelta(days=n)), 0)
                   for n in range((day - start).days + 1))  # fmt: skip
        granted = self._granted.get((plan["id"], key_id, start), 0)
        return max(0, int(quota["limit"]) + granted - used)

    def report(self, plan: dict, key_ids: Iterable[str], start: str, end: str) -> dict:
        """GetUsage's `items`: for each key, one `[used, remaining]` pair a day from `start`
        to `end` (ISO dates, both included)."""
        first, last = _day(start, "startDate"), _day(end, "endDate")
        if last < first:
            raise BadRequestException("The end date must not be before the start date")
        if (last - first).days >= MAX_DAYS:
            raise BadRequestException(f"The requested time range exceeds {MAX_DAYS} days")
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return {
            key_id: [[self._days.get((plan["id"], key_id, d), 0), self.remaining(plan, key_id, d)]
                     for d in days]
            for key_id in key_ids
        }  # fmt: skip

    def extend(self, plan: dict, key_id: str, remaining: int, now: float) -> None:
        """Make the current period's remaining requests `remaining` (UpdateUsage)."""
        quota = plan.get("quota") or {}
        if quota.get("limit") is None:
            raise BadRequestException("Usage plan has no quota to update")
        day = today(now)
        granted = (plan["id"], key_id, period_start(quota, day))
        self._granted[granted] = (
            self._granted.get(granted, 0) + remaining - self.remaining(plan, key_id, day)
        )


def _day(value: str | None, name: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise BadRequestException(f"Invalid {name} specified: {value}") from None
