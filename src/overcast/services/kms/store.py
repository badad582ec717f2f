"""KMS's keys and aliases in SQLite (the data dir's kms.db).

A key's row holds its metadata as JSON and its material sealed under the master key: the
database never holds material in clear.
"""

from __future__ import annotations

from pathlib import Path

from overcast.services.kms.model import Alias, Key
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS kms_keys (
    region TEXT NOT NULL, key_id TEXT NOT NULL, doc TEXT NOT NULL, material BLOB NOT NULL,
    PRIMARY KEY (region, key_id));
CREATE TABLE IF NOT EXISTS kms_aliases (
    region TEXT NOT NULL, name TEXT NOT NULL, key_id TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL, account_id TEXT NOT NULL,
    PRIMARY KEY (region, name));
"""


class SqliteKeyStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load(self) -> tuple[list[tuple[Key, bytes]], list[Alias]]:
        with self._lock:
            keys = self._db.execute("SELECT doc, material FROM kms_keys").fetchall()
            aliases = self._db.execute(
                "SELECT region, account_id, name, key_id, created, updated FROM kms_aliases"
            ).fetchall()
        return [(Key.from_record(doc), bytes(sealed)) for doc, sealed in keys], [
            Alias(*row) for row in aliases
        ]

    def put_key(self, key: Key, sealed: bytes | None = None) -> None:
        """Write the key's metadata; its sealed material too when given (at creation)."""
        if sealed is not None:
            self._write(
                "INSERT INTO kms_keys VALUES (?, ?, ?, ?)",
                (key.region, key.key_id, key.to_record(), sealed),
            )
        else:
            self._write(
                "UPDATE kms_keys SET doc=? WHERE region=? AND key_id=?",
                (key.to_record(), key.region, key.key_id),
            )

    def put_alias(self, alias: Alias) -> None:
        self._write(
            "INSERT OR REPLACE INTO kms_aliases VALUES (?, ?, ?, ?, ?, ?)",
            (
                alias.region,
                alias.name,
                alias.key_id,
                alias.created,
                alias.updated,
                alias.account_id,
            ),
        )

    def delete_alias(self, region: str, name: str) -> None:
        self._write("DELETE FROM kms_aliases WHERE region=? AND name=?", (region, name))
