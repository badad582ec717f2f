"""DynamoDB's store file as an older Overcast left it, brought up to date when it is opened
(store.py): columns added since, filled where they must be, and the indexes over them."""

from __future__ import annotations

import json
import sqlite3

from overcast.services.dynamodb.segments import bucket_of
from overcast.services.dynamodb.types import item_size


def upgrade(db: sqlite3.Connection) -> None:
    """Bring a file an older Overcast wrote up to date (inside a transaction), and register
    the SQL function `bucket_of`."""
    _add_index_sizes(db)
    _add_buckets(db)


def _add_index_sizes(db: sqlite3.Connection) -> None:
    """A file from before index rows kept their sizes: the column added, each row's filled."""
    columns = [row[1] for row in db.execute("PRAGMA table_info(ddb_index_rows)")]
    if "size" in columns:
        return
    db.execute("ALTER TABLE ddb_index_rows ADD COLUMN size INTEGER")
    # One statement over every row, the size worked out by a function SQLite calls per row:
    # no copy of the whole table in memory, no statement per row.
    db.create_function("item_size_of", 1, _item_size_of, deterministic=True)
    db.execute("UPDATE ddb_index_rows SET size = item_size_of(item)")


def _item_size_of(item: str) -> int:
    return item_size(json.loads(item))


def _add_buckets(db: sqlite3.Connection) -> None:
    """The bucket column (NULL: no table of an older file has had a parallel Scan yet), and
    the partial indexes a segment is read by: only rows with a bucket are in them."""
    db.create_function("bucket_of", 1, bucket_of, deterministic=True)
    for table in ("ddb_items", "ddb_index_rows"):
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        if "bucket" not in columns:
            db.execute(f"ALTER TABLE {table} ADD COLUMN bucket INTEGER")
    db.execute(
        "CREATE INDEX IF NOT EXISTS ddb_items_segments ON ddb_items "
        "(table_id, bucket, hash, range) WHERE bucket IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS ddb_index_rows_segments ON ddb_index_rows "
        "(table_id, index_name, bucket, hash, range, base_hash, base_range) "
        "WHERE bucket IS NOT NULL"
    )
