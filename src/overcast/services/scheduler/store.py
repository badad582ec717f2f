"""EventBridge Scheduler's state on disk, in `<data_dir>/overcast.db`: one JSON document per
schedule group and per schedule (the fields GetScheduleGroup and GetSchedule answer, in the
API's own member names), and each schedule's last firing, so that a restart neither fires a
schedule twice nor forgets one that fell due while the server was down."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS scheduler_groups (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS scheduler_schedules (
    region TEXT NOT NULL, grp TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    fired TEXT, PRIMARY KEY (region, grp, name));
"""

Key = tuple[str, str, str]  # region, group, name


class SqliteSchedulerStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    # --- groups -------------------------------------------------------------------------

    def put_group(self, region: str, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO scheduler_groups (region, name, doc) VALUES (?, ?, ?)",
            (region, doc["Name"], json.dumps(doc)),
        )

    def group(self, region: str, name: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM scheduler_groups WHERE region = ? AND name = ?", (region, name)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def groups(self, region: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM scheduler_groups WHERE region = ? ORDER BY name", (region,)
            ).fetchall()
        return [json.loads(doc) for (doc,) in rows]

    def delete_group(self, region: str, name: str) -> None:
        """The group and every schedule in it ("Deleting a schedule group deletes the
        schedules in it")."""
        with self.transaction():
            self._db.execute(
                "DELETE FROM scheduler_schedules WHERE region = ? AND grp = ?", (region, name)
            )
            self._db.execute(
                "DELETE FROM scheduler_groups WHERE region = ? AND name = ?", (region, name)
            )

    # --- schedules ----------------------------------------------------------------------

    def put_schedule(self, region: str, doc: dict) -> None:
        """Writes the schedule; a changed schedule starts afresh (no firing recorded)."""
        self._write(
            "INSERT OR REPLACE INTO scheduler_schedules (region, grp, name, doc, fired)"
            " VALUES (?, ?, ?, ?, NULL)",
            (region, doc["GroupName"], doc["Name"], json.dumps(doc)),
        )

    def schedule(self, region: str, group: str, name: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM scheduler_schedules WHERE region = ? AND grp = ? AND name = ?",
                (region, group, name),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def schedules(self, region: str | None = None) -> list[tuple[str, dict]]:
        """(region, schedule) for every schedule, or every one of `region`, by group, name."""
        sql = "SELECT region, doc FROM scheduler_schedules"
        args: tuple = ()
        if region is not None:
            sql, args = sql + " WHERE region = ?", (region,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY grp, name", args).fetchall()
        return [(r, json.loads(doc)) for r, doc in rows]

    def delete_schedule(self, region: str, group: str, name: str) -> bool:
        cursor = self._write(
            "DELETE FROM scheduler_schedules WHERE region = ? AND grp = ? AND name = ?",
            (region, group, name),
        )
        return cursor.rowcount > 0

    def put_firing(self, key: Key, fired: datetime) -> None:
        self._write(
            "UPDATE scheduler_schedules SET fired = ? WHERE region = ? AND grp = ? AND name = ?",
            (fired.isoformat(), *key),
        )

    def firings(self) -> dict[Key, datetime]:
        with self._lock:
            rows = self._db.execute(
                "SELECT region, grp, name, fired FROM scheduler_schedules WHERE fired IS NOT NULL"
            ).fetchall()
        return {(r, g, n): datetime.fromisoformat(f) for r, g, n, f in rows}
