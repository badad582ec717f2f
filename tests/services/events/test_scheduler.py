"""The scheduler with a clock the tests set: when rules fire, what a firing carries, what a
restart after downtime does, and one short real wait on the event loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from overcast.services.events.model import DISABLED, ENABLED, Rule
from overcast.services.events.registry import EventRegistry
from overcast.services.events.rules import RuleService
from overcast.services.events.scheduler import Scheduler
from overcast.services.events.store import SqliteEventBridgeStore

T0 = datetime(2024, 1, 1, 9, 0, 30, tzinfo=UTC)  # a Monday


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class World:
    """A registry on an on-disk store, a clock, and a scheduler that records its firings."""

    def __init__(self, path, now: datetime = T0) -> None:
        self.path = path
        self.clock = Clock(now)
        self.store = SqliteEventBridgeStore(path)
        self.registry = EventRegistry(self.store, "000000000000", self.clock)
        self.registry.load()
        self.rules = RuleService(self.registry)
        self.fired: list[tuple[str, datetime]] = []
        self.scheduler = Scheduler(self.registry, self.store, self._fire, self.clock)
        self.scheduler.plan()

    def _fire(self, rule: Rule, when: datetime) -> None:
        self.fired.append((rule.name, when))

    def at(self, moment: datetime) -> list[tuple[str, datetime]]:
        """Move the clock to `moment`, run a round, and answer what fired in it."""
        self.clock.now = moment
        before = len(self.fired)
        self.scheduler.run_due(moment)
        return self.fired[before:]

    def restart(self, now: datetime) -> World:
        self.store.close()
        return World(self.path, now)


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path / "overcast.db")


def test_rate_counts_its_intervals_from_when_the_rule_was_created(world: World) -> None:
    world.rules.put("us-east-1", "default", "every5", schedule="rate(5 minutes)")
    assert world.scheduler.next_due() == T0 + timedelta(minutes=5)
    assert world.at(T0 + timedelta(minutes=4, seconds=59)) == []
    assert world.at(T0 + timedelta(minutes=5)) == [("every5", T0 + timedelta(minutes=5))]
    assert world.scheduler.next_due() == T0 + timedelta(minutes=10)


def test_rate_1_minute_fires_a_minute_after_creation_then_each_minute(world: World) -> None:
    """What a rate(1 minute) rule does on a server, minute by minute (one such rule fires
    through a server in test_eventbridge_delivery.py)."""
    world.rules.put("us-east-1", "default", "tick", schedule="rate(1 minute)")
    assert world.at(T0 + timedelta(seconds=59)) == []
    for minute in (1, 2, 3):
        due = T0 + timedelta(minutes=minute)
        assert world.at(due - timedelta(microseconds=1)) == []
        assert world.at(due) == [("tick", due)]
        assert world.at(due + timedelta(seconds=30)) == []
    assert world.scheduler.next_due() == T0 + timedelta(minutes=4)


def test_cron_every_minute_fires_at_each_minutes_start(world: World) -> None:
    world.rules.put("us-east-1", "default", "tick", schedule="cron(* * * * ? *)")
    first = datetime(2024, 1, 1, 9, 1, tzinfo=UTC)  # T0 is 9:00:30: the next minute's start
    assert world.at(first - timedelta(seconds=1)) == []
    for minute in range(3):
        due = first + timedelta(minutes=minute)
        assert world.at(due) == [("tick", due)]
        assert world.at(due + timedelta(seconds=59)) == []


def test_the_scheduler_follows_rule_changes_from_when_it_is_built(tmp_path) -> None:
    """The factory builds it and starts it; nothing else wires it to the registry."""
    world = World(tmp_path / "overcast.db")
    world.rules.put("us-east-1", "default", "later", schedule="rate(2 minutes)")
    assert world.scheduler.next_due() == T0 + timedelta(minutes=2)
    world.rules.set_state("us-east-1", "default", "later", DISABLED)
    assert world.scheduler.next_due() is None


def test_cron_fires_at_the_start_of_each_minute_it_allows(world: World) -> None:
    world.rules.put("us-east-1", "default", "ten", schedule="cron(0 10 * * ? *)")
    ten = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert world.scheduler.next_due() == ten
    assert world.at(ten) == [("ten", ten)]
    assert world.scheduler.next_due() == ten + timedelta(days=1)


def test_a_late_round_fires_once_for_the_latest_firing_due(world: World) -> None:
    world.rules.put("us-east-1", "default", "minutely", schedule="cron(* * * * ? *)")
    late = datetime(2024, 1, 1, 9, 5, 20, tzinfo=UTC)
    assert world.at(late) == [("minutely", datetime(2024, 1, 1, 9, 5, tzinfo=UTC))]
    assert world.scheduler.next_due() == datetime(2024, 1, 1, 9, 6, tzinfo=UTC)


def test_disabled_rules_do_not_fire_nor_catch_up_when_enabled(world: World) -> None:
    world.rules.put("us-east-1", "default", "every1", schedule="rate(1 minute)", state=DISABLED)
    assert world.scheduler.next_due() is None
    assert world.at(T0 + timedelta(minutes=30)) == []
    world.rules.set_state("us-east-1", "default", "every1", ENABLED)
    # The rate keeps its grid from the rule's creation, starting after the enabling.
    assert world.scheduler.next_due() == T0 + timedelta(minutes=31)


def test_deleted_and_changed_rules_are_replanned(world: World) -> None:
    world.rules.put("us-east-1", "default", "r", schedule="rate(1 hour)")
    world.clock.now = T0 + timedelta(minutes=10)
    world.rules.put("us-east-1", "default", "r", schedule="rate(2 minutes)")
    assert world.scheduler.next_due() == T0 + timedelta(minutes=12)
    world.rules.delete("us-east-1", "default", "r")
    assert world.scheduler.next_due() is None
    assert world.at(T0 + timedelta(hours=2)) == []


def test_pattern_rules_are_not_scheduled(world: World) -> None:
    world.rules.put("us-east-1", "default", "p", event_pattern='{"source": ["a"]}')
    assert world.scheduler.next_due() is None


def test_after_downtime_the_latest_missed_firing_is_sent_once(world: World) -> None:
    world.rules.put("us-east-1", "default", "every5", schedule="rate(5 minutes)")
    assert world.at(T0 + timedelta(minutes=5)) == [("every5", T0 + timedelta(minutes=5))]
    # Down from T0+6 to T0+61.5 minutes: eleven firings missed, T0+10 ... T0+60 minutes.
    back = world.restart(T0 + timedelta(hours=1, minutes=1, seconds=30))
    assert back.at(back.clock.now) == [("every5", T0 + timedelta(minutes=60))]
    assert back.scheduler.next_due() == T0 + timedelta(minutes=65)


def test_after_downtime_a_cron_fires_its_latest_missed_minute(world: World) -> None:
    world.rules.put("us-east-1", "default", "hourly", schedule="cron(30 * * * ? *)")
    back = world.restart(datetime(2024, 1, 1, 12, 45, tzinfo=UTC))
    assert back.at(back.clock.now) == [("hourly", datetime(2024, 1, 1, 12, 30, tzinfo=UTC))]


def test_firings_missed_more_than_a_day_ago_are_not_sent(world: World) -> None:
    world.rules.put("us-east-1", "default", "yearly", schedule="cron(0 0 2 1 ? *)")
    back = world.restart(datetime(2024, 1, 5, tzinfo=UTC))  # missed Jan 2nd, 3 days ago
    assert back.at(back.clock.now) == []
    assert back.scheduler.next_due() == datetime(2025, 1, 2, tzinfo=UTC)


def test_a_restart_without_downtime_fires_nothing_twice(world: World) -> None:
    world.rules.put("us-east-1", "default", "every5", schedule="rate(5 minutes)")
    world.at(T0 + timedelta(minutes=5))
    back = world.restart(T0 + timedelta(minutes=6))
    assert back.at(back.clock.now) == []
    assert back.scheduler.next_due() == T0 + timedelta(minutes=10)


def test_a_failing_fire_does_not_stop_the_others(world: World) -> None:
    world.rules.put("us-east-1", "default", "a", schedule="rate(1 minute)")
    world.rules.put("us-east-1", "default", "b", schedule="rate(1 minute)")
    calls: list[str] = []

    def fire(rule: Rule, when: datetime) -> None:
        calls.append(rule.name)
        if rule.name == "a":
            raise RuntimeError("boom")

    world.scheduler.fire = fire
    world.scheduler.run_due(T0 + timedelta(minutes=1))
    assert sorted(calls) == ["a", "b"]
    assert world.scheduler.next_due() == T0 + timedelta(minutes=2)


def test_the_loop_fires_a_rule_when_it_falls_due(tmp_path) -> None:
    """On the real loop and clock: a rate(1 minute) rule made 59 s ago fires about a second
    from now, with its scheduled time."""
    store = SqliteEventBridgeStore(tmp_path / "overcast.db")
    registry = EventRegistry(store, "000000000000")
    since = datetime.now(UTC) - timedelta(seconds=59)
    registry.save_rule(
        Rule("us-east-1", "default", "soon", "0" * 12, since, since, schedule="rate(1 minute)")
    )

    async def scenario() -> datetime:
        fired: asyncio.Queue[datetime] = asyncio.Queue()
        scheduler = Scheduler(registry, store, lambda rule, when: fired.put_nowait(when))
        scheduler.start()
        try:
            return await asyncio.wait_for(fired.get(), timeout=10)
        finally:
            await scheduler.stop()

    assert asyncio.run(scenario()) == since + timedelta(minutes=1)
    assert store.load_firings() == {("us-east-1", "default", "soon"): since + timedelta(minutes=1)}
