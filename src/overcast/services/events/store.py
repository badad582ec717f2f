"""EventBridge's state on disk: buses, rules (with their targets and tags), when each
scheduled rule last fired, archives with the events they keep, replays, connections (their
credentials included) and API destinations, as JSON documents in tables of
`<data_dir>/overcast.db` (a file only its owner may read).

A connection of its own to the control plane's file (WAL lets both write, one at a time):
the tables are this module's, and a firing is recorded every time a schedule fires.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
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
CREATE TABLE IF NOT EXISTS event_archives (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS archived_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL, archive TEXT NOT NULL,
    event_time REAL NOT NULL, archived REAL NOT NULL, size INTEGER NOT NULL, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS archived_events_by_time
    ON archived_events (region, archive, event_time);
CREATE TABLE IF NOT EXISTS event_replays (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS event_connections (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS event_api_destinations (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
"""

RuleKey = tuple[str, str, str]  # region, bus, name
# Tables of JSON documents by region and name.
DOCUMENT_TABLES = ("event_archives", "event_replays", "event_connections", "event_api_destinations")
Key = tuple[str, str]  # region, name: an archive's or a replay's


@dataclass(frozen=True)
class ArchivedEvent:
    """An event an archive keeps: `time` is the event's own (epoch seconds), by which replays
    choose and order it; `archived` when it was kept, from which its retention counts."""

    time: float
    archived: float
    event: dict


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

    def load_documents(self, table: str) -> dict[Key, dict]:
        """Every archive, replay, connection or API destination (DOCUMENT_TABLES), by region
        and name."""
        ...

    def put_document(self, table: str, key: Key, doc: dict) -> None: ...

    def delete_document(self, table: str, key: Key) -> None: ...

    def archive_event(self, key: Key, kept: ArchivedEvent, size: int) -> None: ...

    def archived_events(self, key: Key, start: float, end: float) -> Iterator[ArchivedEvent]:
        """The archive's events whose own time is in [start, end), oldest first."""
        ...

    def archive_usage(self, key: Key) -> tuple[int, int]:
        """How many events the archive keeps, and their size in bytes."""
        ...

    def expire_archived(self, key: Key, before: float) -> None:
        """Forget the archive's events kept before `before` (epoch seconds)."""
        ...

    def drop_archived(self, key: Key) -> None: ...

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

    # --- archives and replays ---------------------------------------------------------------

    def load_documents(self, table: str) -> dict[Key, dict]:
        with self._lock:
            rows = self._db.execute(f"SELECT region, name, doc FROM {_table(table)}").fetchall()
        return {(region, name): json.loads(doc) for region, name, doc in rows}

    def put_document(self, table: str, key: Key, doc: dict) -> None:
        self._write(
            f"INSERT OR REPLACE INTO {_table(table)} VALUES (?, ?, ?)", (*key, json.dumps(doc))
        )

    def delete_document(self, table: str, key: Key) -> None:
        self._write(f"DELETE FROM {_table(table)} WHERE region=? AND name=?", key)

    def archive_event(self, key: Key, kept: ArchivedEvent, size: int) -> None:
        self._write(
            "INSERT INTO archived_events (region, archive, event_time, archived, size, event) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (*key, kept.time, kept.archived, size, json.dumps(kept.event)),
        )

    def archived_events(self, key: Key, start: float, end: float) -> Iterator[ArchivedEvent]:
        after = (start, -1)
        while True:  # a page at a time: the lock is not held while the caller works
            with self._lock:
                rows = self._db.execute(
                    "SELECT event_time, seq, archived, event FROM archived_events "
                    "WHERE region=? AND archive=? AND (event_time, seq) > (?, ?) "
                    "AND event_time < ? ORDER BY event_time, seq LIMIT 100",
                    (*key, *after, end),
                ).fetchall()
            if not rows:
                return
            for time, seq, archived, event in rows:
                after = (time, seq)
                if time >= start:
                    yield ArchivedEvent(time, archived, json.loads(event))

    def archive_usage(self, key: Key) -> tuple[int, int]:
        with self._lock:
            count, size = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM archived_events "
                "WHERE region=? AND archive=?",
                key,
            ).fetchone()
        return count, size

    def expire_archived(self, key: Key, before: float) -> None:
        self._write(
            "DELETE FROM archived_events WHERE region=? AND archive=? AND archived < ?",
            (*key, before),
        )

    def drop_archived(self, key: Key) -> None:
        self._write("DELETE FROM archived_events WHERE region=? AND archive=?", key)


def _table(name: str) -> str:
    """Table names are this module's own, never a caller's text."""
    if name not in DOCUMENT_TABLES:
        raise ValueError(f"no such table: {name}")
    return name
