"""DynamoDB's state on disk: `<data dir>/dynamodb.db`, its own SQLite file, WAL with
synchronous=NORMAL as every store here (store/database.py): a write DynamoDB acknowledged
survives the server being killed (`kill -9`); a power cut may undo the last commits, which is
out of scope (an fsync per commit, synchronous=FULL, cost most of a PutItem's time).

- `ddb_tables`: each table's definition (schema.Table as JSON), by region and name.
- `ddb_items`: items by (table id, key_bytes(hash), key_bytes(range)) in a WITHOUT ROWID table,
  so the rows of one partition are contiguous and in DynamoDB's order: a Query is an index
  range scan. A table without a range key stores b"" as the range.
- `ddb_index_rows`: each secondary index's projected items and their sizes, by (table id,
  index, index hash, index range, base hash, base range): a GSI Query is a range scan too.
- Both keep each row's `bucket` (segments.bucket_of its hash) once its table has had a
  parallel Scan (`ddb_segmented` lists those tables): a segment is then one range of a partial
  index by bucket, so it reads its own rows only; the writes of other tables pay nothing for
  it (the column stays NULL, outside the index).
- `ddb_stats`: item count and bytes per table ('' index) and per index, kept with each write.
- `ddb_streams` / `stream_records`: each stream's metadata and its records, written in the
  same transaction as the item change (DynamoDB Streams, Part C, reads them).
- `ddb_tokens`: TransactWriteItems' ClientRequestTokens (a digest of the request they came
  with), written in the transaction they made, kept 10 minutes.

Items are kept as their wire JSON text (compact), so a Query page without a filter or a
projection is answered with the stored text as it is (wire.py).

A page is read by one SELECT in key order, under the lock, as far as its reader takes it (1 MB
at most: `read_rows`). A Query fixes the hash: its reader continues with bounds on the columns
after it, never a row value that repeats the fixed hash, which SQLite would answer by sorting
the rest of the partition (reads.py; tests/services/dynamodb/test_dynamodb_plans.py checks the
plans).

Every change of an item, its index rows, its stats and its stream record is one transaction.
Once a transaction that appended stream records commits, `on_records` is told each stream's
ARN (the kernels' `shards.Arrivals`, so Lambda's stream pollers wake instead of polling).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from overcast.services.dynamodb.segments import bucket_of
from overcast.services.dynamodb.store_upgrade import upgrade
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_tables (
    region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (region, name));
CREATE TABLE IF NOT EXISTS ddb_items (
    table_id TEXT NOT NULL, hash BLOB NOT NULL, range BLOB NOT NULL, item TEXT NOT NULL,
    size INTEGER NOT NULL, expires INTEGER, bucket INTEGER,
    PRIMARY KEY (table_id, hash, range)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ddb_items_expiry ON ddb_items (expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS ddb_index_rows (
    table_id TEXT NOT NULL, index_name TEXT NOT NULL, hash BLOB NOT NULL, range BLOB NOT NULL,
    base_hash BLOB NOT NULL, base_range BLOB NOT NULL, item TEXT NOT NULL, size INTEGER,
    bucket INTEGER,
    PRIMARY KEY (table_id, index_name, hash, range, base_hash, base_range)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_stats (
    table_id TEXT NOT NULL, index_name TEXT NOT NULL, count INTEGER NOT NULL,
    bytes INTEGER NOT NULL, PRIMARY KEY (table_id, index_name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_streams (
    stream_arn TEXT PRIMARY KEY, table_arn TEXT NOT NULL, table_id TEXT NOT NULL,
    view_type TEXT NOT NULL, label TEXT NOT NULL, created_ms INTEGER NOT NULL,
    disabled_ms INTEGER, last_seq INTEGER NOT NULL DEFAULT 0, key_schema TEXT);
CREATE TABLE IF NOT EXISTS stream_records (
    stream_arn TEXT NOT NULL, seq INTEGER NOT NULL, created_ms INTEGER NOT NULL,
    event_name TEXT NOT NULL, record TEXT NOT NULL, user_identity TEXT,
    PRIMARY KEY (stream_arn, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_segmented (table_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ddb_tokens (
    region TEXT NOT NULL, token TEXT NOT NULL, digest TEXT NOT NULL, created_ms INTEGER NOT NULL,
    PRIMARY KEY (region, token)) WITHOUT ROWID;
"""

Row = tuple[bytes, bytes, str, int]  # hash, range, item JSON, size
ITEM_COLUMNS = "item, size"  # the columns of a row read `items_only`
# index hash, index range, base hash, base range, projected item JSON, its size
IndexRow = tuple[bytes, bytes, bytes, bytes, str, int]
T = TypeVar("T")


def encoded(item: dict) -> str:
    """An item as it is kept: compact JSON, which is also the wire's form."""
    return json.dumps(item, separators=(",", ":"))


class DynamoDbStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA, checkpoint_aside=True)
        self.on_records: Callable[[str], None] | None = None
        self._appended: set[str] = set()  # streams given records in the open transaction
        with self.transaction():
            upgrade(self._db)
            rows = self._db.execute("SELECT table_id FROM ddb_segmented").fetchall()
        self._segmented = {table_id for (table_id,) in rows}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """`Database.transaction`, then news of the streams it appended to, once committed."""
        with self._lock:
            outermost = self._depth == 0
            try:
                with super().transaction():
                    yield
            except BaseException:
                if outermost:
                    self._appended.clear()
                raise
            if not outermost or not self._appended:
                return
            appended, self._appended = self._appended, set()
        if self.on_records is not None:
            for arn in appended:
                self.on_records(arn)

    # --- tables ---

    def tables(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM ddb_tables").fetchall()
        return [json.loads(doc) for (doc,) in rows]

    def save_table(self, region: str, name: str, doc: dict) -> None:
        self._write(
            "INSERT OR REPLACE INTO ddb_tables (region, name, doc) VALUES (?, ?, ?)",
            (region, name, json.dumps(doc)),
        )

    def drop_table(self, region: str, name: str, table_id: str) -> None:
        """The table and everything in it (its streams' records stay: 24 h, as AWS keeps them)."""
        with self.transaction():
            db = self._db
            db.execute("DELETE FROM ddb_tables WHERE region = ? AND name = ?", (region, name))
            db.execute("DELETE FROM ddb_items WHERE table_id = ?", (table_id,))
            db.execute("DELETE FROM ddb_index_rows WHERE table_id = ?", (table_id,))
            db.execute("DELETE FROM ddb_stats WHERE table_id = ?", (table_id,))
            db.execute("DELETE FROM ddb_segmented WHERE table_id = ?", (table_id,))
            self._segmented.discard(table_id)

    def stats(self, table_id: str) -> dict[str, tuple[int, int]]:
        """Item count and bytes by index name ('' for the table)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT index_name, count, bytes FROM ddb_stats WHERE table_id = ?", (table_id,)
            ).fetchall()
        return {name: (count, size) for name, count, size in rows}

    def add_stats(self, table_id: str, index_name: str, count: int, size: int) -> None:
        self._db.execute(
            "INSERT INTO ddb_stats (table_id, index_name, count, bytes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (table_id, index_name) DO UPDATE SET count = count + excluded.count, "
            "bytes = bytes + excluded.bytes",
            (table_id, index_name, count, size),
        )

    def drop_index(self, table_id: str, index_name: str) -> None:
        with self.transaction():
            self._db.execute(
                "DELETE FROM ddb_index_rows WHERE table_id = ? AND index_name = ?",
                (table_id, index_name),
            )
            self._db.execute(
                "DELETE FROM ddb_stats WHERE table_id = ? AND index_name = ?",
                (table_id, index_name),
            )

    # --- items (call inside `transaction()` when writing) ---

    def item(self, table_id: str, hash_: bytes, range_: bytes) -> tuple[dict, int] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT item, size FROM ddb_items WHERE table_id = ? AND hash = ? AND range = ?",
                (table_id, hash_, range_),
            ).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def put_item(
        self, table_id: str, hash_: bytes, range_: bytes, item: dict, size: int, expires: int | None
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO ddb_items (table_id, hash, range, item, size, expires, "
            "bucket) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (table_id, hash_, range_, encoded(item), size, expires, self._bucket(table_id, hash_)),
        )

    def _bucket(self, table_id: str, hash_: bytes) -> int | None:
        return bucket_of(hash_) if table_id in self._segmented else None

    def segment(self, table_id: str) -> None:
        """Give the table's rows their buckets, and its later writes too (before its first
        parallel Scan). Under the transaction's lock, so no write falls between the rows
        filled and the writes that fill their own."""
        if table_id in self._segmented:
            return
        with self.transaction():
            db = self._db
            for rows in ("ddb_items", "ddb_index_rows"):
                db.execute(
                    f"UPDATE {rows} SET bucket = bucket_of(hash) WHERE table_id = ?", (table_id,)
                )
            db.execute("INSERT OR IGNORE INTO ddb_segmented (table_id) VALUES (?)", (table_id,))
            self._segmented.add(table_id)

    def delete_item(self, table_id: str, hash_: bytes, range_: bytes) -> None:
        self._db.execute(
            "DELETE FROM ddb_items WHERE table_id = ? AND hash = ? AND range = ?",
            (table_id, hash_, range_),
        )

    def put_index_row(
        self, table_id: str, index: str, key: tuple, base: tuple, item: dict, size: int
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO ddb_index_rows (table_id, index_name, hash, range, "
            "base_hash, base_range, item, size, bucket) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (table_id, index, *key, *base, encoded(item), size, self._bucket(table_id, key[0])),
        )

    def delete_index_row(self, table_id: str, index: str, key: tuple, base: tuple) -> None:
        self._db.execute(
            "DELETE FROM ddb_index_rows WHERE table_id = ? AND index_name = ? AND hash = ? "
            "AND range = ? AND base_hash = ? AND base_range = ?",
            (table_id, index, *key, *base),
        )

    def set_expiry(self, table_id: str, hash_: bytes, range_: bytes, expires: int | None) -> None:
        self._db.execute(
            "UPDATE ddb_items SET expires = ? WHERE table_id = ? AND hash = ? AND range = ?",
            (expires, table_id, hash_, range_),
        )

    def index_row_exists(self, table_id: str, index: str, key: tuple, base: tuple) -> bool:
        with self._lock:
            found = self._db.execute(
                "SELECT 1 FROM ddb_index_rows WHERE table_id = ? AND index_name = ? AND hash = ? "
                "AND range = ? AND base_hash = ? AND base_range = ?",
                (table_id, index, *key, *base),
            ).fetchone()
        return found is not None

    def expired(self, now: int, limit: int) -> list[tuple[str, bytes, bytes]]:
        """Items whose TTL attribute is before `now` (epoch seconds), oldest first."""
        with self._lock:
            return self._db.execute(
                "SELECT table_id, hash, range FROM ddb_items WHERE expires IS NOT NULL AND "
                "expires < ? ORDER BY expires LIMIT ?",
                (now, limit),
            ).fetchall()

    def collection_size(self, table_id: str, hash_: bytes, local_indexes: list[str]) -> int:
        """The bytes of an item collection: the items of partition `hash_` and their rows in
        the local secondary indexes named (item_collections.py)."""
        marks = ", ".join("?" * len(local_indexes))
        with self._lock:
            (items,) = self._db.execute(
                "SELECT COALESCE(SUM(size), 0) FROM ddb_items WHERE table_id = ? AND hash = ?",
                (table_id, hash_),
            ).fetchone()
            (rows,) = self._db.execute(
                "SELECT COALESCE(SUM(size), 0) FROM ddb_index_rows WHERE table_id = ? AND "
                f"index_name IN ({marks}) AND hash = ?",
                (table_id, *local_indexes, hash_),
            ).fetchone()
        return items + rows

    # --- reads in key order ---

    def read_rows(
        self,
        table_id: str,
        where: str,
        args: tuple,
        descending: bool,
        consume: Callable[[Iterable[Row]], T],
        by_bucket: bool = False,
        items_only: bool = False,
    ) -> T:
        """`consume(rows)`: the table's rows matching `where` (over `hash` and `range`, and
        `bucket`) in key order, or in bucket then key order (`by_bucket`: a parallel Scan's
        segment), read by one statement under the lock, as far as `consume` iterates.
        `items_only`: each row is (item JSON, size) alone, which a page of a Query or Scan
        needs: the key columns' blobs copied into Python for every row took a quarter to a
        third of a 1 MB page's read."""
        order = "DESC" if descending else "ASC"
        first = f"bucket {order}, " if by_bucket else ""
        columns = ITEM_COLUMNS if items_only else "hash, range, item, size"
        sql = (
            f"SELECT {columns} FROM ddb_items WHERE table_id = ? AND {where} "
            f"ORDER BY {first}hash {order}, range {order}"
        )
        return self._read(sql, (table_id, *args), consume)

    def read_index_rows(
        self,
        table_id: str,
        index: str,
        where: str,
        args: tuple,
        descending: bool,
        consume: Callable[[Iterable[IndexRow]], T],
        by_bucket: bool = False,
        items_only: bool = False,
    ) -> T:
        """`read_rows` of an index's rows (`where` over `hash`, `range`, `base_hash`,
        `base_range`, and `bucket`)."""
        order = "DESC" if descending else "ASC"
        first = f"bucket {order}, " if by_bucket else ""
        columns = ITEM_COLUMNS if items_only else "hash, range, base_hash, base_range, item, size"
        sql = (
            f"SELECT {columns} FROM ddb_index_rows WHERE "
            f"table_id = ? AND index_name = ? AND {where} ORDER BY {first}hash {order}, "
            f"range {order}, base_hash {order}, base_range {order}"
        )
        return self._read(sql, (table_id, index, *args), consume)

    def _read(self, sql: str, args: tuple, consume: Callable[[Iterable], T]) -> T:
        with self._lock:
            cursor = self._db.execute(sql, args)
            try:
                return consume(cursor)
            finally:
                cursor.close()

    def table_rows(self, table_id: str) -> Iterator[Row]:
        """Every row of the table in key order, fetched 256 at a time (each batch under the
        lock, so writers interleave between batches): for walks of a whole table."""
        sql = (
            "SELECT hash, range, item, size FROM ddb_items WHERE table_id = ? {after}"
            "ORDER BY hash, range LIMIT 256"
        )
        after: tuple = ()
        while True:
            query = sql.format(after="AND (hash, range) > (?, ?) " if after else "")
            with self._lock:
                batch = self._db.execute(query, (table_id, *after)).fetchall()
            yield from batch
            if len(batch) < 256:
                return
            after = tuple(batch[-1][:2])

    # --- transactions' client request tokens ---

    def token(self, region: str, token: str, since_ms: int) -> str | None:
        """The digest of the request a token came with, if used since `since_ms`."""
        with self._lock:
            row = self._db.execute(
                "SELECT digest FROM ddb_tokens WHERE region = ? AND token = ? AND created_ms >= ?",
                (region, token, since_ms),
            ).fetchone()
        return row[0] if row else None

    def save_token(self, region: str, token: str, digest: str, now_ms: int, since_ms: int) -> None:
        """Record a token (inside its transaction), forgetting those used before `since_ms`."""
        self._db.execute("DELETE FROM ddb_tokens WHERE created_ms < ?", (since_ms,))
        self._db.execute(
            "INSERT OR REPLACE INTO ddb_tokens (region, token, digest, created_ms) "
            "VALUES (?, ?, ?, ?)",
            (region, token, digest, now_ms),
        )

    # --- streams ---

    def add_stream(
        self,
        arn: str,
        table_arn: str,
        table_id: str,
        view_type: str,
        label: str,
        now_ms: int,
        key_schema: list[dict],
    ) -> None:
        """`key_schema`: the table's KeySchema as the wire has it (DescribeStream answers it,
        after the table is deleted too)."""
        self._db.execute(
            "INSERT INTO ddb_streams (stream_arn, table_arn, table_id, view_type, label, "
            "created_ms, key_schema) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (arn, table_arn, table_id, view_type, label, now_ms, json.dumps(key_schema)),
        )

    def disable_stream(self, arn: str, now_ms: int) -> None:
        self._db.execute(
            "UPDATE ddb_streams SET disabled_ms = ? WHERE stream_arn = ? AND disabled_ms IS NULL",
            (now_ms, arn),
        )

    def add_record(
        self, arn: str, now_ms: int, event: str, record: dict, identity: dict | None
    ) -> int:
        """Append a record to the stream (inside the item's transaction); its sequence number."""
        seq = self._db.execute(
            "UPDATE ddb_streams SET last_seq = last_seq + 1 WHERE stream_arn = ? "
            "RETURNING last_seq",
            (arn,),
        ).fetchone()[0]
        record["SequenceNumber"] = f"{seq:021d}"
        self._db.execute(
            "INSERT INTO stream_records (stream_arn, seq, created_ms, event_name, record, "
            "user_identity) VALUES (?, ?, ?, ?, ?, ?)",
            (
                arn, seq, now_ms, event, json.dumps(record),
                json.dumps(identity) if identity else None,
            ),
        )  # fmt: skip
        self._appended.add(arn)
        return seq

    def trim_streams(self, before_ms: int) -> None:
        """Records older than 24 hours, and streams disabled for longer, are gone (as on AWS)."""
        with self.transaction():
            self._db.execute("DELETE FROM stream_records WHERE created_ms < ?", (before_ms,))
            self._db.execute(
                "DELETE FROM ddb_streams WHERE disabled_ms IS NOT NULL AND disabled_ms < ?",
                (before_ms,),
            )
