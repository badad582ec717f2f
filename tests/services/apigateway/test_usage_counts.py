"""Usage counts (usage_counts.py): daily counts, quota periods, GetUsage's report and
UpdateUsage's extension, driven in-process with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from overcast.services.apigateway.errors import BadRequestException
from overcast.services.apigateway.usage_counts import UsageCounts, period_start, today

MONDAY = datetime(2026, 3, 2, 12, tzinfo=UTC).timestamp()
TUESDAY = MONDAY + 86400
PLAN = {"id": "p1", "quota": {"limit": 3, "period": "WEEK"}}


def test_requests_are_counted_per_day_against_the_period() -> None:
    counts = UsageCounts()
    assert counts.take(PLAN, "k1", MONDAY)
    assert counts.take(PLAN, "k1", TUESDAY)
    assert counts.take(PLAN, "k1", TUESDAY)
    assert not counts.take(PLAN, "k1", TUESDAY)  # the week's 3 are used
    assert counts.take(PLAN, "k2", TUESDAY)  # each key has its own
    report = counts.report(PLAN, ["k1", "k2"], "2026-03-01", "2026-03-03")
    assert report == {
        "k1": [[0, 3], [1, 2], [2, 0]],  # Sunday belongs to the week before
        "k2": [[0, 3], [0, 3], [1, 2]],
    }


def test_update_usage_extends_the_current_period() -> None:
    counts = UsageCounts()
    for _ in range(3):
        counts.take(PLAN, "k1", MONDAY)
    assert not counts.take(PLAN, "k1", MONDAY)
    counts.extend(PLAN, "k1", 2, MONDAY)
    assert counts.remaining(PLAN, "k1", today(MONDAY)) == 2
    assert counts.take(PLAN, "k1", MONDAY)
    assert counts.take(PLAN, "k1", MONDAY)
    assert not counts.take(PLAN, "k1", MONDAY)


def test_a_plan_without_quota_counts_but_never_refuses() -> None:
    counts = UsageCounts()
    plan = {"id": "free"}
    assert all(counts.take(plan, "k", MONDAY) for _ in range(5))
    assert counts.report(plan, ["k"], "2026-03-02", "2026-03-02") == {"k": [[5, 0]]}
    with pytest.raises(BadRequestException):
        counts.extend(plan, "k", 1, MONDAY)


def test_report_refuses_bad_dates() -> None:
    counts = UsageCounts()
    with pytest.raises(BadRequestException, match="startDate"):
        counts.report(PLAN, ["k"], "yesterday", "2026-03-02")
    with pytest.raises(BadRequestException):
        counts.report(PLAN, ["k"], "2026-03-03", "2026-03-02")


def test_period_starts() -> None:
    day = today(TUESDAY)
    assert period_start({"period": "DAY"}, day).isoformat() == "2026-03-03"
    assert period_start({"period": "WEEK"}, day).isoformat() == "2026-03-02"
    assert period_start({"period": "WEEK", "offset": 2}, day).isoformat() == "2026-02-25"
    assert period_start({"period": "MONTH", "offset": 1}, day).isoformat() == "2026-03-02"
    assert period_start({"period": "MONTH", "offset": 5}, day).isoformat() == "2026-02-06"
