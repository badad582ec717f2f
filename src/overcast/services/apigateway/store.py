"""API Gateway's (REST APIs) state on disk: `<data dir>/apigateway.db`, one JSON document per
thing kept: each REST API (with its resources, methods, deployments, stages, ...), each API
key, usage plan and domain name, and each region's account settings.

A file of its own: nothing else writes it, and a REST API with its deployment snapshots can
be large.
"""

from __future__ import annotations

import json
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL, id TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (kind, id));
"""


class SqliteRestApiStore(Database):
    """`DocumentStore` (registry.py) on SQLite. Pass ":memory:" in tests."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load(self) -> list[tuple[str, str, str, dict]]:
        """Every document kept: (kind, id, region, document)."""
        with self._lock:
            rows = self._db.execute("SELECT kind, id, region, doc FROM documents").fetchall()
        return [(kind, id_, region, json.loads(doc)) for kind, id_, region, doc in rows]

    def put(self, kind: str, id_: str, region: str, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
            (kind, id_, region, json.dumps(doc)),
        )

    def delete(self, kind: str, id_: str) -> None:
        self._write("DELETE FROM documents WHERE kind=? AND id=?", (kind, id_))
