"""Kinesis' state on disk: `<data dir>/kinesis.db`, its own SQLite file, WAL with
synchronous=NORMAL as every store here (store/database.py): a record PutRecord acknowledged
survives the server being killed (`kill -9`); a power cut may undo the last commits, which is
out of scope.

- `kinesis_streams`: each stream's definition (streams.Stream as JSON), by region and name,
  under an id never reused (AUTOINCREMENT), so an iterator of a deleted stream never reads
  a new one of the same name.
- `kinesis_shards`: each shard of a stream (streams.Shard as JSON), open and closed.
- `kinesis_records`: records by (stream id, shard index, position) in a WITHOUT ROWID table:
  a shard's records are contiguous and in sequence order, so GetRecords is a range scan.
- `kinesis_meta`: the key shard iterators are signed with.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS kinesis_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kinesis_streams (
    id INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, name TEXT NOT NULL,
    doc TEXT NOT NULL, UNIQUE (region, name));
CREATE TABLE IF NOT EXISTS kinesis_shards (
    stream INTEGER NOT NULL, shard INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (stream, shard)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kinesis_records (
    stream INTEGER NOT NULL, shard INTEGER NOT NULL, position INTEGER NOT NULL,
    arrival_ms INTEGER NOT NULL, partition_key TEXT NOT NULL, hash_key TEXT,
    data BLOB NOT NULL, PRIMARY KEY (stream, shard, position)) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class StoredRecord:
    position: int
    arrival_ms: int
    partition_key: str
    data: bytes


@dataclass(frozen=True)
class NewRecord:
    shard: int
    position: int
    arrival_ms: int
    partition_key: str
    hash_key: str | None  # the ExplicitHashKey, when the producer gave one
    data: bytes


class KinesisStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def secret(self) -> bytes:
        """The iterators' signing key: made once, kept with the data (iterators outlive a
        restart for their 5 minutes)."""
        with self.transaction():
            sql = "SELECT value FROM kinesis_meta WHERE name = 'secret'"
            row = self._db.execute(sql).fetchone()
            if row is not None:
                return bytes(row[0])
            value = os.urandom(32)
            self._db.execute("INSERT INTO kinesis_meta VALUES ('secret', ?)", (value,))
            return value

    # --- streams and shards (call inside `transaction()` for several writes at once) ---

    def streams(self) -> list[tuple[int, dict, list[dict]]]:
        """Every stream: its id, its document and its shards' documents."""
        with self._lock:
            rows = self._db.execute("SELECT id, doc FROM kinesis_streams").fetchall()
            shards = self._db.execute("SELECT stream, doc FROM kinesis_shards").fetchall()
        by_stream: dict[int, list[dict]] = {}
        for stream, doc in shards:
            by_stream.setdefault(stream, []).append(json.loads(doc))
        return [(id_, json.loads(doc), by_stream.get(id_, [])) for id_, doc in rows]

    def add_stream(self, region: str, name: str, doc: dict) -> int:
        cursor = self._write(
            "INSERT INTO kinesis_streams (region, name, doc) VALUES (?, ?, ?)",
            (region, name, json.dumps(doc)),
        )
        return int(cursor.lastrowid)

    def save_stream(self, stream_id: int, doc: dict) -> None:
        self._write("UPDATE kinesis_streams SET doc = ? WHERE id = ?", (json.dumps(doc), stream_id))

    def save_shard(self, stream_id: int, index: int, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO kinesis_shards (stream, shard, doc) VALUES (?, ?, ?)",
            (stream_id, index, json.dumps(doc)),
        )

    def drop_stream(self, stream_id: int) -> None:
        with self.transaction():
            for table, column in (("kinesis_streams", "id"), ("kinesis_shards", "stream"),
                                  ("kinesis_records", "stream")):  # fmt: skip
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (stream_id,))

    def last_position(self, stream_id: int) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT MAX(position) FROM kinesis_records WHERE stream = ?", (stream_id,)
            ).fetchone()
        return row[0] or 0

    # --- records ---

    def add_records(self, stream_id: int, records: list[NewRecord]) -> None:
        """All of them, in one transaction."""
        with self.transaction():
            self._db.executemany(
                "INSERT INTO kinesis_records (stream, shard, position, arrival_ms, "
                "partition_key, hash_key, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (stream_id, r.shard, r.position, r.arrival_ms, r.partition_key, r.hash_key,
                     r.data)
                    for r in records
                ],
            )  # fmt: skip

    def records(
        self, stream_id: int, shard: int, after: int, since_ms: int, limit: int
    ) -> list[StoredRecord]:
        """Up to `limit` records of the shard past position `after`, none older than
        `since_ms` (the retention horizon), in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT position, arrival_ms, partition_key, data FROM kinesis_records "
                "WHERE stream = ? AND shard = ? AND position > ? AND arrival_ms >= ? "
                "ORDER BY position LIMIT ?",
                (stream_id, shard, after, since_ms, limit),
            ).fetchall()
        return [StoredRecord(p, a, k, bytes(d)) for p, a, k, d in rows]

    def last_record(self, stream_id: int, shard: int) -> tuple[int, int] | None:
        """The position and arrival of the shard's newest record."""
        with self._lock:
            return self._db.execute(
                "SELECT position, arrival_ms FROM kinesis_records WHERE stream = ? AND shard = ? "
                "ORDER BY position DESC LIMIT 1",
                (stream_id, shard),
            ).fetchone()

    def first_at(self, stream_id: int, shard: int, ms: int) -> int | None:
        """The position of the shard's first record that arrived at or after `ms` (arrival
        times never decrease within a stream, so this is a short scan from the shard's start)."""
        with self._lock:
            row = self._db.execute(
                "SELECT position FROM kinesis_records WHERE stream = ? AND shard = ? "
                "AND arrival_ms >= ? ORDER BY position LIMIT 1",
                (stream_id, shard, ms),
            ).fetchone()
        return row[0] if row else None

    def trim(self, stream_id: int, shard: int, before_ms: int) -> int:
        """Delete the shard's records that arrived before `before_ms`; how many."""
        with self.transaction():  # the search too: a record written meanwhile is kept
            keep = self.first_at(stream_id, shard, before_ms)
            if keep is None:
                cursor = self._db.execute(
                    "DELETE FROM kinesis_records WHERE stream = ? AND shard = ?", (stream_id, shard)
                )
            else:
                cursor = self._db.execute(
                    "DELETE FROM kinesis_records WHERE stream = ? AND shard = ? AND position < ?",
                    (stream_id, shard, keep),
                )
        return cursor.rowcount
