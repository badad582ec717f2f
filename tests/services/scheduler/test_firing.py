"""When schedules fire, against a clock the tests set: rate from when the schedule was set,
cron in its time zone, one-time `at(...)` (and ActionAfterCompletion DELETE), StartDate and
EndDate, flexible windows, disabled schedules, and what a restart after downtime fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from overcast.services.scheduler.firing import Firings, window_offset
from overcast.services.scheduler.schedules import ScheduleService
from overcast.services.scheduler.store import SqliteSchedulerStore

T0 = datetime(2024, 1, 1, 9, 0, 30, tzinfo=UTC)  # a Monday, winter in Europe
REGION = "us-east-1"
TARGET = {"Arn": "arn:aws:lambda:us-east-1:000000000000:function:f", "RoleArn": "r"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class World:
    def __init__(self, path, now: datetime = T0) -> None:
        self.path = path
        self.clock = Clock(now)
        self.store = SqliteSchedulerStore(path)
        self.schedules = ScheduleService(self.store, "000000000000", self.clock)
        self.fired: list[tuple[str, datetime]] = []
        self.firings = Firings(self.schedules, self.store, self._fire, self.clock)
        self.firings.plan()

    def _fire(self, schedule: dict, region: str, when: datetime) -> None:
        self.fired.append((schedule["Name"], when))

    def make(self, name: str, expression: str, **more: object) -> dict:
        params = {
            "ScheduleExpression": expression, "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": TARGET, **more,
        }  # fmt: skip
        return self.schedules.create(REGION, name, params)

    def at(self, moment: datetime) -> list[tuple[str, datetime]]:
        self.clock.now = moment
        before = len(self.fired)
        self.firings.run_due(moment)
        return self.fired[before:]

    def restart(self, now: datetime) -> World:
        self.store.close()
        return World(self.path, now)


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path / "overcast.db")


def test_rate_fires_every_interval_from_when_it_was_set(world: World) -> None:
    world.make("every5", "rate(5 minutes)")
    assert world.firings.next_due() == T0 + timedelta(minutes=5)
    assert world.at(T0 + timedelta(minutes=4, seconds=59)) == []
    assert world.at(T0 + timedelta(minutes=5)) == [("every5", T0 + timedelta(minutes=5))]
    assert world.at(T0 + timedelta(minutes=9)) == []
    assert world.at(T0 + timedelta(minutes=10)) == [("every5", T0 + timedelta(minutes=10))]


def test_cron_is_read_in_its_time_zone(world: World) -> None:
    """09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer."""
    world.make("ny", "cron(0 9 * * ? *)", ScheduleExpressionTimezone="America/New_York")
    assert world.firings.next_due() == datetime(2024, 1, 1, 14, 0, tzinfo=UTC)
    assert world.at(datetime(2024, 1, 1, 13, 59, tzinfo=UTC)) == []
    assert world.at(datetime(2024, 1, 1, 14, 0, tzinfo=UTC)) == [
        ("ny", datetime(2024, 1, 1, 14, 0, tzinfo=UTC))
    ]
    world.clock.now = datetime(2024, 7, 1, 0, 0, tzinfo=UTC)
    world.schedules.update(
        REGION, "ny",
        {"ScheduleExpression": "cron(0 9 * * ? *)", "ScheduleExpressionTimezone":
         "America/New_York", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": TARGET},
    )  # fmt: skip
    assert world.firings.next_due() == datetime(2024, 7, 1, 13, 0, tzinfo=UTC)


def test_a_one_time_schedule_fires_once_then_is_deleted_when_asked(world: World) -> None:
    world.make("once", "at(2024-01-01T12:00:00)", ActionAfterCompletion="DELETE")
    world.make("keep", "at(2024-01-01T13:00:00)")
    noon = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert world.at(noon) == [("once", noon)]
    assert world.store.schedule(REGION, "default", "once") is None  # ActionAfterCompletion
    assert world.at(noon + timedelta(hours=1)) == [("keep", noon + timedelta(hours=1))]
    assert world.at(noon + timedelta(hours=2)) == []
    assert world.firings.next_due() is None
    assert world.store.schedule(REGION, "default", "keep") is not None  # NONE: kept


def test_one_time_in_another_zone_is_that_zones_wall_clock(world: World) -> None:
    world.make("paris", "at(2024-01-01T13:00:00)", ScheduleExpressionTimezone="Europe/Paris")
    assert world.firings.next_due() == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def test_start_and_end_dates_bound_a_recurring_schedule(world: World) -> None:
    start = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    end = datetime(2024, 1, 1, 10, 30, tzinfo=UTC)
    world.make("bounded", "rate(15 minutes)", StartDate=start.timestamp(), EndDate=end.timestamp())
    assert world.firings.next_due() == start + timedelta(minutes=15)
    assert world.at(start + timedelta(minutes=15)) == [("bounded", start + timedelta(minutes=15))]
    assert world.at(end) == [("bounded", end)]
    assert world.firings.next_due() is None


def test_a_flexible_window_fires_within_its_window(world: World) -> None:
    schedule = world.make(
        "flex", "cron(0 10 * * ? *)",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30},
    )  # fmt: skip
    scheduled = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    offset = window_offset(schedule, scheduled)
    assert timedelta() <= offset < timedelta(minutes=30)
    assert world.firings.next_due() == scheduled + offset
    if offset:
        assert world.at(scheduled + offset - timedelta(seconds=1)) == []
    assert world.at(scheduled + offset) == [("flex", scheduled)]
    offsets = {window_offset(schedule, scheduled + timedelta(days=d)) for d in range(20)}
    assert len(offsets) > 1  # drawn anew for each firing


def test_disabled_schedules_do_not_fire(world: World) -> None:
    world.make("off", "rate(1 minute)", State="DISABLED")
    assert world.firings.next_due() is None
    assert world.at(T0 + timedelta(minutes=5)) == []


def test_after_downtime_the_latest_missed_firing_is_sent_once(world: World) -> None:
    world.make("every5", "rate(5 minutes)")
    assert world.at(T0 + timedelta(minutes=5)) == [("every5", T0 + timedelta(minutes=5))]
    back = world.restart(T0 + timedelta(minutes=32))
    assert back.at(back.clock.now) == [("every5", T0 + timedelta(minutes=30))]
    again = back.restart(T0 + timedelta(minutes=33))
    assert again.at(again.clock.now) == []  # recorded: not sent twice


def test_a_one_time_schedule_due_while_down_fires_when_back(world: World) -> None:
    world.make("once", "at(2024-01-01T12:00:00)")
    back = world.restart(datetime(2024, 1, 1, 12, 5, tzinfo=UTC))
    assert back.at(back.clock.now) == [("once", datetime(2024, 1, 1, 12, 0, tzinfo=UTC))]


def test_a_failing_target_does_not_stop_the_others(tmp_path) -> None:
    world = World(tmp_path / "overcast.db")
    world.make("a", "rate(1 minute)")
    world.make("b", "rate(1 minute)")
    fired = []

    def fire(schedule: dict, region: str, when: datetime) -> None:
        fired.append(schedule["Name"])
        if schedule["Name"] == "a":
            raise RuntimeError("target down")

    world.firings.fire = fire
    world.at(T0 + timedelta(minutes=1))
    assert sorted(fired) == ["a", "b"]
