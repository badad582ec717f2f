"""IAM on disk: `<data_dir>/iam.db`, one JSON document per entity.

IAM's state is small (AWS's quotas: 5,000 users, 1,000 roles by default), so the directory
keeps it all in memory and writes each change through here; this is read once, at start.
"""

from __future__ import annotations

import json
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, key));
"""


class SqliteIamStore(Database):
    """Pass ":memory:" for a throwaway store in tests."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load(self) -> list[tuple[str, str, dict]]:
        """Every entity as (kind, key, record), in the order they were first written."""
        with self._lock:
            rows = self._db.execute("SELECT kind, key, doc FROM entities ORDER BY rowid")
            return [(kind, key, json.loads(doc)) for kind, key, doc in rows.fetchall()]

    def put(self, kind: str, key: str, record: dict) -> None:
        self._write(
            "INSERT INTO entities (kind, key, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc",
            (kind, key, json.dumps(record)),
        )

    def delete(self, kind: str, key: str) -> None:
        self._write("DELETE FROM entities WHERE kind=? AND key=?", (kind, key))
