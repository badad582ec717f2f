"""Where accepted asynchronous events wait until they are done: `<data_dir>/events.db`.

An event is committed here before its caller hears 202, and deleted only when it has run (or
failed for good) and whatever it caused (a destination's event, a dead letter) is committed in
the same transaction. A crash at any moment therefore loses nothing: after a restart every
event still here runs again (at least once, as Lambda promises).

A file apart from the control plane's: the event path writes often and must not wait on the
control plane's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT,
    payload BLOB NOT NULL,
    received_ms INTEGER NOT NULL,
    due_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    hops INTEGER NOT NULL DEFAULT 0,
    route TEXT);
CREATE TABLE IF NOT EXISTS outcomes (
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (region, function_name));
"""
COLUMNS = (
    "id, request_id, region, function_name, qualifier, received_ms, due_ms, attempts, hops, route"
)


@dataclass
class QueuedEvent:
    """One accepted event, without its payload (read when it runs)."""

    id: int
    request_id: str
    region: str
    function_name: str
    qualifier: str | None
    received_ms: int
    due_ms: int
    attempts: int = 0  # invocations so far (the record's approximateInvokeCount)
    hops: int = 0  # invocations before this event in its chain (loop detection)
    route: str | None = None  # JSON: settings of the trigger that sent it (a rule target's)


class EventStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def add(self, event: QueuedEvent, payload: bytes) -> QueuedEvent:
        """Keep an event (its id is assigned here) and return it."""
        self.add_all([(event, payload)])
        return event

    def add_all(self, batch: list[tuple[QueuedEvent, bytes]]) -> None:
        """Keep events in one commit (their ids are assigned here)."""
        with self.transaction():
            for event, payload in batch:
                cursor = self._db.execute(
                    "INSERT INTO events (request_id, region, function_name, qualifier, payload, "
                    "received_ms, due_ms, attempts, hops, route) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        event.request_id,
                        event.region,
                        event.function_name,
                        event.qualifier,
                        payload,
                        event.received_ms,
                        event.due_ms,
                        event.attempts,
                        event.hops,
                        event.route,
                    ),
                )
                event.id = cursor.lastrowid

    def payload(self, event_id: int) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT payload FROM events WHERE id=?", (event_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def reschedule(self, event: QueuedEvent) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE events SET due_ms=?, attempts=? WHERE id=?",
                (event.due_ms, event.attempts, event.id),
            )

    def remove(self, event_id: int) -> None:
        self.remove_all([event_id])

    def remove_all(self, event_ids: list[int]) -> None:
        with self.transaction():
            self._db.executemany("DELETE FROM events WHERE id=?", [(i,) for i in event_ids])

    def count_outcome(self, region: str, function_name: str, failed: int, dropped: int) -> None:
        """Add to a function's counts of events that failed for good and events dropped (in
        the caller's transaction, if any: with the event's removal)."""
        self._write(
            "INSERT INTO outcomes (region, function_name, failed, dropped) VALUES (?,?,?,?) "
            "ON CONFLICT (region, function_name) DO UPDATE SET "
            "failed = failed + excluded.failed, dropped = dropped + excluded.dropped",
            (region, function_name, failed, dropped),
        )

    def outcomes(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(failed, dropped) per (region, function name), since the data dir was made."""
        with self._lock:
            rows = self._db.execute(
                "SELECT region, function_name, failed, dropped FROM outcomes"
            ).fetchall()
        return {(region, name): (failed, dropped) for region, name, failed, dropped in rows}

    def pending(self) -> list[QueuedEvent]:
        """Every event not yet done, oldest first (read at start)."""
        with self._lock:
            rows = self._db.execute(f"SELECT {COLUMNS} FROM events ORDER BY id").fetchall()
        return [QueuedEvent(*row) for row in rows]
