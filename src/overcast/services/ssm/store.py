"""Parameter Store's state on disk: one JSON document per parameter (its versions, newest
last, and its tags) in `ssm_parameters` of `<data_dir>/overcast.db`, a file only its owner may
read. SecureString values are in it only as KMS ciphertext (parameters.py seals them)."""

from __future__ import annotations

import json
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS ssm_parameters (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
"""


class SqliteParameterStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def get(self, region: str, name: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM ssm_parameters WHERE region = ? AND name = ?", (region, name)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, region: str, name: str, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO ssm_parameters (region, name, doc) VALUES (?, ?, ?)",
            (region, name, json.dumps(doc)),
        )

    def delete(self, region: str, name: str) -> bool:
        return (
            self._write(
                "DELETE FROM ssm_parameters WHERE region = ? AND name = ?", (region, name)
            ).rowcount
            > 0
        )

    def all(self, region: str) -> list[tuple[str, dict]]:
        """Every parameter of the region, by name."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, doc FROM ssm_parameters WHERE region = ? ORDER BY name", (region,)
            ).fetchall()
        return [(name, json.loads(doc)) for name, doc in rows]
