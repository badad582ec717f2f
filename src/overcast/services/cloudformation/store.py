"""CloudFormation's state on disk: `<data_dir>/cloudformation.db`.

A stack is one JSON document (its template, parameters, outputs, resources and in-flight
operation), rewritten at each step of an operation: what was done is known after a crash.
Events are appended; change sets are documents of their own. Deleted stacks are kept (by
stack id, as ListStacks and DescribeStacks by id show them) with their events.
"""

from __future__ import annotations

import json
from pathlib import Path

from overcast.services.cloudformation.model import ChangeSet, Event, Stack, StackStatus
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS stacks (
    stack_id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL,
    live INTEGER NOT NULL, created REAL NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS stacks_by_name ON stacks (region, name, live);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, stack_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_stack ON events (stack_id, seq);
CREATE TABLE IF NOT EXISTS change_sets (
    change_set_id TEXT PRIMARY KEY, stack_id TEXT NOT NULL, name TEXT NOT NULL,
    created REAL NOT NULL, doc TEXT NOT NULL);
"""


class StackStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    # --- stacks ---------------------------------------------------------------------------

    def put(self, stack: Stack) -> None:
        live = 0 if stack.status == StackStatus.DELETE_COMPLETE else 1
        self._write(
            "INSERT OR REPLACE INTO stacks (stack_id, name, region, live, created, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (stack.stack_id, stack.name, stack.region, live, stack.created, _dump(stack.to_dict())),
        )

    def get(self, stack_id: str) -> Stack | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM stacks WHERE stack_id = ?", (stack_id,)
            ).fetchone()
        return Stack.from_dict(json.loads(row[0])) if row else None

    def live(self, region: str, name: str) -> Stack | None:
        """The stack of that name that is not deleted."""
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM stacks WHERE region = ? AND name = ? AND live = 1",
                (region, name),
            ).fetchone()
        return Stack.from_dict(json.loads(row[0])) if row else None

    def all(self, region: str | None = None) -> list[Stack]:
        """Every stack (deleted ones too), newest first."""
        sql, args = "SELECT doc FROM stacks", ()
        if region is not None:
            sql, args = sql + " WHERE region = ?", (region,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created DESC", args).fetchall()
        return [Stack.from_dict(json.loads(row[0])) for row in rows]

    def in_progress(self) -> list[Stack]:
        """Live stacks whose operation was under way (after a restart: interrupted)."""
        return [
            stack
            for stack in self.all()
            if stack.in_progress and stack.status != StackStatus.REVIEW_IN_PROGRESS
        ]

    # --- events ---------------------------------------------------------------------------

    def add_event(self, event: Event) -> None:
        self._write(
            "INSERT INTO events (stack_id, doc) VALUES (?, ?)",
            (event.stack_id, _dump(event.__dict__)),
        )

    def events(self, stack_id: str) -> list[Event]:
        """The stack's events, newest first (as DescribeStackEvents lists them)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM events WHERE stack_id = ? ORDER BY seq DESC", (stack_id,)
            ).fetchall()
        return [Event(**json.loads(row[0])) for row in rows]

    # --- change sets ----------------------------------------------------------------------

    def put_change_set(self, change_set: ChangeSet) -> None:
        self._write(
            "INSERT OR REPLACE INTO change_sets (change_set_id, stack_id, name, created, doc) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                change_set.change_set_id,
                change_set.stack_id,
                change_set.name,
                change_set.created,
                _dump(change_set.to_dict()),
            ),
        )

    def change_set(self, change_set_id: str) -> ChangeSet | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM change_sets WHERE change_set_id = ?", (change_set_id,)
            ).fetchone()
        return ChangeSet.from_dict(json.loads(row[0])) if row else None

    def change_sets(self, stack_id: str) -> list[ChangeSet]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM change_sets WHERE stack_id = ? ORDER BY created",
                (stack_id,),
            ).fetchall()
        return [ChangeSet.from_dict(json.loads(row[0])) for row in rows]

    def delete_change_set(self, change_set_id: str) -> None:
        self._write("DELETE FROM change_sets WHERE change_set_id = ?", (change_set_id,))

    def delete_change_sets(self, stack_id: str) -> None:
        self._write("DELETE FROM change_sets WHERE stack_id = ?", (stack_id,))


def _dump(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)
