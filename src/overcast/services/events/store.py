"""EventBridge's state on disk: buses, rules (with their targets and tags) and when each
scheduled rule last fired, as JSON documents in tables of `<data_dir>/overcast.db`.

A connection of its own to the control plane's file (WAL lets both write, one at a time):
the tables are this module's, and a firing is recorded every time a schedule fires.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Protocol

from overcast.services.events.model import EventBus, Rule
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS event_buses (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS event_rules (
    region TEXT NOT NULL, bus TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, bus, name));
CREATE TABLE IF NOT EXISTS rule_firings (
    region TEXT NOT NULL, bus TEXT NOT NULL, name TEXT NOT NULL, fired TEXT NOT NULL,
    PRIMARY KEY (region, bus, name));
"""

RuleKey = tuple[str, str, str]  # region, bus, name


class EventBridgeStore(Protocol):
    """What EventBridge keeps on disk: buses, rules and when each schedule last fired
    (SqliteEventBridgeStore below keeps it in SQLite)."""

    def load_buses(self) -> list[EventBus]: ...

    def put_bus(self, bus: EventBus) -> None: ...

    def delete_bus(self, region: str, name: str) -> None: ...

    def load_rules(self) -> list[Rule]: ...

    def put_rule(self, rule: Rule) -> None: ...

    def delete_rule(self, key: RuleKey) -> None: ...

    def load_firings(self) -> dict[RuleKey, datetime]:
        """When each scheduled rule last fired (the schedule's time, not the clock's)."""
        ...

    def put_firing(self, key: RuleKey, fired: datetime) -> None: ...

    def close(self) -> None: ...


class SqliteEventBridgeStore(Database):
    """Pass ":memory:" for a throwaway store in tests."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load_buses(self) -> list[EventBus]:
        with self._lock:
            rows = self._db.execute("SELECT region, name, doc FROM event_buses").fetchall()
        return [EventBus.from_record(region, name, json.loads(doc)) for region, name, doc in rows]

    def put_bus(self, bus: EventBus) -> None:
        self._write(
            "INSERT OR REPLACE INTO event_buses VALUES (?, ?, ?)",
            (bus.region, bus.name, json.dumps(bus.to_record())),
        )

    def delete_bus(self, region: str, name: str) -> None:
        self._write("DELETE FROM event_buses WHERE region=? AND name=?", (region, name))

    def load_rules(self) -> list[Rule]:
        with self._lock:
            rows = self._db.execute("SELECT region, bus, name, doc FROM event_rules").fetchall()
        return [Rule.from_record(r, b, n, json.loads(doc)) for r, b, n, doc in rows]

    def put_rule(self, rule: Rule) -> None:
        self._write(
            "INSERT OR REPLACE INTO event_rules VALUES (?, ?, ?, ?)",
            (*rule.key, json.dumps(rule.to_record())),
        )

    def delete_rule(self, key: RuleKey) -> None:
        with self.transaction():
            for table in ("event_rules", "rule_firings"):
                self._db.execute(f"DELETE FROM {table} WHERE region=? AND bus=? AND name=?", key)

    def load_firings(self) -> dict[RuleKey, datetime]:
        """When each scheduled rule last fired (the schedule's time, not the clock's)."""
        with self._lock:
            rows = self._db.execute("SELECT region, bus, name, fired FROM rule_firings").fetchall()
        return {(r, b, n): datetime.fromisoformat(fired) for r, b, n, fired in rows}

    def put_firing(self, key: RuleKey, fired: datetime) -> None:
        self._write(
            "INSERT OR REPLACE INTO rule_firings VALUES (?, ?, ?, ?)", (*key, fired.isoformat())
        )
