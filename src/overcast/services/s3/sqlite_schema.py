"""The layout of S3's SQLite catalog (sqlite_catalog.py), how a file written by an earlier
version is brought up to it at open, and an object's row in and out.

Each row of `objects` is one version of a key: `seq` orders a key's versions (the highest is
the newest), `latest` marks the newest, `marker` a delete marker (its blob is empty). A file
written before versions were kept (one row per key) is rebuilt, each object becoming its
key's `null` version: what S3 makes of objects stored before versioning was enabled.
"""

from __future__ import annotations

import json
import sqlite3

from overcast.services.s3.catalog import StoredObject

# The objects table, by name: the schema's, and the one a file from before versions is
# rebuilt into.
OBJECTS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    bucket TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL DEFAULT 'null',
    seq INTEGER NOT NULL DEFAULT 1, latest INTEGER NOT NULL DEFAULT 1,
    marker INTEGER NOT NULL DEFAULT 0, blob TEXT NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, modified_ms INTEGER NOT NULL, headers TEXT NOT NULL,
    metadata TEXT NOT NULL, parts INTEGER, checksum TEXT, part_sizes TEXT, tags TEXT, acl TEXT,
    PRIMARY KEY (bucket, key, version)) WITHOUT ROWID;
"""
SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS buckets (
    name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL,
    tags TEXT, notification TEXT, policy TEXT, cors TEXT, versioning TEXT, acl TEXT,
    ownership TEXT, public_access TEXT, lifecycle TEXT);
"""
    + OBJECTS_TABLE.format(name="objects")
    + """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,
    initiated_ms INTEGER NOT NULL, headers TEXT NOT NULL, metadata TEXT NOT NULL,
    checksum_algorithm TEXT, tags TEXT, acl TEXT);
CREATE TABLE IF NOT EXISTS parts (
    upload TEXT NOT NULL, number INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, modified_ms INTEGER NOT NULL, checksum TEXT,
    PRIMARY KEY (upload, number)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS completions (
    upload TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, blob TEXT NOT NULL,
    parts TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS completions_by_key ON completions (bucket, key);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, body BLOB NOT NULL,
    hops INTEGER NOT NULL);
"""
)
# Made once the objects table has its versions' columns (after a rebuild, for an old file).
INDEXES = """
CREATE INDEX IF NOT EXISTS objects_current ON objects (bucket, key) WHERE latest=1 AND marker=0;
CREATE INDEX IF NOT EXISTS objects_by_age ON objects (bucket, key, seq);
"""
OBJECT_COLUMNS = (
    "bucket, key, blob, size, etag, modified_ms, headers, metadata, parts, checksum, part_sizes, "
    "tags, version, marker, latest, acl"
)
# Columns added since the first schema: (table, column, type), added to older files at open.
ADDED_COLUMNS = (
    ("objects", "part_sizes", "TEXT"),
    ("buckets", "policy", "TEXT"),
    ("objects", "tags", "TEXT"),
    ("uploads", "tags", "TEXT"),
    ("buckets", "cors", "TEXT"),
    ("buckets", "versioning", "TEXT"),
    ("objects", "acl", "TEXT"),
    ("buckets", "acl", "TEXT"),
    ("buckets", "ownership", "TEXT"),
    ("buckets", "public_access", "TEXT"),
    ("uploads", "acl", "TEXT"),
    ("buckets", "lifecycle", "TEXT"),
)


def object_of(row: tuple) -> StoredObject:
    *head, headers, metadata, parts, checksum, sizes, tags, version, marker, latest, acl = row
    part_sizes = tuple(json.loads(sizes)) if sizes else None
    return StoredObject(
        *head,
        json.loads(headers),
        json.loads(metadata),
        parts,
        checksum,
        part_sizes,
        tags_of(tags),
        version,
        bool(marker),
        bool(latest),
        acl_of(acl),
    )


def row_of(item: StoredObject) -> tuple:
    """An object's values for OBJECT_COLUMNS, as the newest version of its key."""
    return (
        item.bucket,
        item.key,
        item.blob,
        item.size,
        item.etag,
        item.modified_ms,
        json.dumps(item.headers),
        json.dumps(item.metadata),
        item.parts,
        item.checksum,
        json.dumps(item.part_sizes) if item.part_sizes is not None else None,
        json.dumps(item.tags) if item.tags else None,
        item.version_id,
        int(item.delete_marker),
        1,
        json.dumps(item.acl) if item.acl is not None else None,
    )


def acl_of(text: str | None) -> tuple[tuple[str, str, str], ...] | None:
    """An ACL's grants, (kind, grantee, permission) each; None: the owner's alone."""
    return None if text is None else tuple(tuple(grant) for grant in json.loads(text))


def json_of(text: str | None) -> object:
    return json.loads(text) if text else None


def tags_of(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key, value in json.loads(text)) if text else ()


def upgrade(db: sqlite3.Connection) -> None:
    """Bring a file made by an earlier version up to SCHEMA (in the caller's transaction):
    the columns it lacks added (their rows get NULL), its objects made versions."""
    for table, column, kind in ADDED_COLUMNS:
        if column not in _columns(db, table):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    present = _columns(db, "objects")
    if "version" not in present:
        # Rebuilt with the versions' primary key (one cannot be altered in place), every
        # column it had copied; the others take their defaults: the `null` version, latest.
        columns = ", ".join(present)
        db.execute(OBJECTS_TABLE.format(name="objects_versioned"))
        db.execute(f"INSERT INTO objects_versioned ({columns}) SELECT {columns} FROM objects")
        db.execute("DROP TABLE objects")
        db.execute("ALTER TABLE objects_versioned RENAME TO objects")


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
