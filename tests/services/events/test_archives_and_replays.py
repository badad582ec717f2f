"""Archives and replays in process, with a clock the test moves: retention, what a replay
sends, cancelling a running replay, and replays a restart interrupted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from overcast.services.events.archives import ArchiveService
from overcast.services.events.buses import EventBusService
from overcast.services.events.registry import EventRegistry
from overcast.services.events.replays import ReplayService
from overcast.services.events.store import SqliteEventBridgeStore

REGION, ACCOUNT = "us-east-1", "000000000000"
BUS = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class World:
    def __init__(self, store: SqliteEventBridgeStore | None = None) -> None:
        self.now = T0
        self.store = store or SqliteEventBridgeStore(":memory:")
        self.registry = EventRegistry(self.store, ACCOUNT, clock=lambda: self.now)
        self.registry.load()
        if self.registry.find_bus(REGION, "orders") is None:
            EventBusService(self.registry).create(REGION, "orders")
        self.archives = ArchiveService(self.registry, self.store)
        self.sent: list[tuple[dict, frozenset[str] | None]] = []
        self.sending = threading.Event()  # set when a delivery has begun
        self.gate = threading.Event()  # deliveries wait for it
        self.gate.set()
        self.replays = ReplayService(self.registry, self.store, self.archives, self.send)

    def send(self, region: str, bus: str, event: dict, only: frozenset[str] | None) -> None:
        self.sent.append((event, only))
        self.sending.set()
        assert self.gate.wait(timeout=10)

    def event(self, number: int, minutes: int = 0) -> dict:
        moment = T0 + timedelta(minutes=minutes)
        return {
            "version": "0",
            "id": f"id-{number}",
            "detail-type": "t",
            "source": "shop",
            "account": ACCOUNT,
            "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [],
            "detail": {"n": number},
        }

    def finished(self, name: str, timeout: float = 10.0) -> str:
        runner = self.replays._runners.get((REGION, name))
        if runner is not None:
            runner.join(timeout)
        return self.replays.describe(REGION, name).state


def test_events_older_than_the_retention_are_forgotten() -> None:
    world = World()
    kept_for_a_day = world.archives.create(REGION, "day", BUS, retention_days=1)
    kept_for_ever = world.archives.create(REGION, "ever", BUS)
    world.archives.record(REGION, "orders", world.event(1))
    assert world.archives.usage(kept_for_a_day)[0] == 1
    world.now = T0 + timedelta(days=1, seconds=1)
    world.archives.describe(REGION, "day")  # reading it forgets what is past its retention
    assert world.archives.usage(kept_for_a_day) == (0, 0)
    assert world.archives.usage(kept_for_ever)[0] == 1


def test_an_archive_keeps_what_its_pattern_matches_and_no_replayed_event() -> None:
    world = World()
    archive = world.archives.create(REGION, "a", BUS, event_pattern='{"detail": {"n": [1]}}')
    world.archives.record(REGION, "orders", world.event(1))
    world.archives.record(REGION, "orders", world.event(2))
    world.archives.record(REGION, "orders", {**world.event(1), "replay-name": "r"})
    world.archives.record(REGION, "default", world.event(1))
    assert world.archives.usage(archive)[0] == 1


def test_a_replay_sends_the_events_of_its_window_oldest_first() -> None:
    world = World()
    archive = world.archives.create(REGION, "a", BUS)
    for number, minutes in ((1, 5), (2, 1), (3, 30)):
        world.archives.record(REGION, "orders", world.event(number, minutes))
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders/r"
    world.replays.start(
        REGION,
        "r",
        archive.arn,
        T0,
        T0 + timedelta(minutes=10),
        {"Arn": BUS, "FilterArns": [rule]},
    )
    assert world.finished("r") == "COMPLETED"
    assert [event["id"] for event, _ in world.sent] == ["id-2", "id-1"]
    assert all(only == frozenset({rule}) for _, only in world.sent)
    assert world.sent[0][0]["replay-name"] == "r"
    replay = world.replays.describe(REGION, "r")
    assert replay.last_replayed == T0 + timedelta(minutes=5)
    assert replay.ended is not None


def test_a_running_replay_is_cancelled_before_its_next_event() -> None:
    world = World()
    archive = world.archives.create(REGION, "a", BUS)
    for number in range(3):
        world.archives.record(REGION, "orders", world.event(number))
    world.gate.clear()  # the first event's delivery waits
    world.replays.start(REGION, "r", archive.arn, T0, T0 + timedelta(hours=1), {"Arn": BUS})
    assert world.sending.wait(timeout=10)
    assert world.replays.cancel(REGION, "r").state == "CANCELLING"
    world.gate.set()
    assert world.finished("r") == "CANCELLED"
    assert len(world.sent) == 1


@pytest.mark.parametrize("state", ["STARTING", "RUNNING", "CANCELLING"])
def test_a_replay_a_restart_interrupted_is_failed(tmp_path, state: str) -> None:
    path = tmp_path / "overcast.db"
    world = World(SqliteEventBridgeStore(path))
    archive = world.archives.create(REGION, "a", BUS)
    world.gate.clear()
    world.archives.record(REGION, "orders", world.event(1))
    world.replays.start(REGION, "r", archive.arn, T0, T0 + timedelta(hours=1), {"Arn": BUS})
    assert world.sending.wait(timeout=10)  # running, and held in its first delivery
    world.replays._set((REGION, "r"), state=state)
    again = World(SqliteEventBridgeStore(path))
    replay = again.replays.describe(REGION, "r")
    assert replay.state == "FAILED"
    assert replay.state_reason == "The replay was interrupted: the server stopped while it ran."
    world.gate.set()
    world.finished("r")
