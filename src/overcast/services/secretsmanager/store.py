"""Secrets Manager's state on disk: one JSON document per secret (its metadata, tags, policy
and versions) in `secrets` of `<data_dir>/overcast.db`, a file only its owner may read.
Secret values are in it only as KMS ciphertext (secrets.py seals them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets (
    region TEXT NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, arn));
CREATE INDEX IF NOT EXISTS secrets_by_name ON secrets (region, name);
"""


class SqliteSecretStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def put(self, region: str, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO secrets (region, arn, name, doc) VALUES (?, ?, ?, ?)",
            (region, doc["arn"], doc["name"], json.dumps(doc)),
        )

    def delete(self, region: str, arn: str) -> None:
        self._write("DELETE FROM secrets WHERE region = ? AND arn = ?", (region, arn))

    def regions(self) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT region FROM secrets").fetchall()
        return [region for (region,) in rows]

    def all(self, region: str) -> list[dict]:
        """Every secret of the region, by name."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM secrets WHERE region = ? ORDER BY name", (region,)
            ).fetchall()
        return [json.loads(doc) for (doc,) in rows]

    def facts(self, region: str, secret_id: str) -> SecretFacts | None:
        """What authorizing a request needs of the secret `secret_id` names (its name, ARN, or
        ARN without the 7-character `-xxxxxx` suffix): one indexed read, no value opened."""
        with self._lock:
            row = self._db.execute(
                "SELECT arn, json_extract(doc, '$.rotation.lambda_arn'),"
                " json_extract(doc, '$.tags') FROM secrets WHERE region = ?"
                " AND (name = ? OR arn = ? OR (arn > ? AND arn < ? AND length(arn) = ?))"
                " LIMIT 1",
                (
                    region,
                    secret_id,
                    secret_id,
                    secret_id + "-",
                    secret_id + ".",
                    len(secret_id) + 7,
                ),
            ).fetchone()
        if row is None:
            return None
        arn, rotation_lambda, tags = row
        return SecretFacts(arn, rotation_lambda, json.loads(tags) if tags else {})

    def policy(self, region: str, arn: str) -> str | None:
        """The secret's resource policy, by its full ARN."""
        with self._lock:
            row = self._db.execute(
                "SELECT json_extract(doc, '$.policy') FROM secrets WHERE region = ? AND arn = ?",
                (region, arn),
            ).fetchone()
        return row[0] if row is not None else None


@dataclass(frozen=True)
class SecretFacts:
    arn: str
    rotation_lambda: str | None
    tags: dict[str, str]
