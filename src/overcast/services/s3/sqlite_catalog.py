"""S3's catalog in SQLite, `<data_dir>/s3.db` (the Protocol and its values: catalog.py).

An object's row and the events it causes are written in one transaction, before the client
hears success; the events leave the outbox once delivered (see notifier.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from overcast.services.s3.catalog import (
    Bucket,
    BucketSettings,
    Check,
    Completion,
    Notice,
    Part,
    StoredObject,
    Upload,
)
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL,
    tags TEXT, notification TEXT, policy TEXT, cors TEXT);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL, key TEXT NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, modified_ms INTEGER NOT NULL, headers TEXT NOT NULL,
    metadata TEXT NOT NULL, parts INTEGER, checksum TEXT, part_sizes TEXT, tags TEXT,
    PRIMARY KEY (bucket, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,
    initiated_ms INTEGER NOT NULL, headers TEXT NOT NULL, metadata TEXT NOT NULL,
    checksum_algorithm TEXT, tags TEXT);
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
OBJECT_COLUMNS = (
    "bucket, key, blob, size, etag, modified_ms, headers, metadata, parts, checksum, part_sizes, "
    "tags"
)
# Columns added since the first schema: (table, column, type), added to older files at open.
ADDED_COLUMNS = (
    ("objects", "part_sizes", "TEXT"),
    ("buckets", "policy", "TEXT"),
    ("objects", "tags", "TEXT"),
    ("uploads", "tags", "TEXT"),
    ("buckets", "cors", "TEXT"),
)


def _object(row: tuple) -> StoredObject:
    *head, headers, metadata, parts, checksum, sizes, tags = row
    part_sizes = tuple(json.loads(sizes)) if sizes else None
    return StoredObject(
        *head,
        json.loads(headers),
        json.loads(metadata),
        parts,
        checksum,
        part_sizes,
        _tags(tags),
    )


def _json(text: str | None) -> object:
    return json.loads(text) if text else None


def _tags(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key, value in json.loads(text)) if text else ()


class SqliteCatalog(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)
        self._add_columns()

    def _add_columns(self) -> None:
        """Columns a file made by an earlier version lacks (their rows get NULL)."""
        with self.transaction():
            for table, column, kind in ADDED_COLUMNS:
                present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    # --- buckets ----------------------------------------------------------------------------

    def add_bucket(self, bucket: Bucket) -> bool:
        """False if a bucket of that name exists already."""
        with self.transaction():
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO buckets (name, region, created_ms) VALUES (?,?,?)",
                (bucket.name, bucket.region, bucket.created_ms),
            )
        return cursor.rowcount == 1

    def buckets(self) -> list[Bucket]:
        with self._lock:
            rows = self._db.execute(
                "SELECT name, region, created_ms FROM buckets ORDER BY name"
            ).fetchall()
        return [Bucket(*row) for row in rows]

    def bucket_settings(self) -> dict[str, BucketSettings]:
        """Every bucket's settings, read at start."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, tags, notification, policy, cors FROM buckets"
            ).fetchall()
        return {
            name: BucketSettings(_json(tags), _json(notes), policy, _json(cors))
            for name, tags, notes, policy, cors in rows
        }

    def remove_bucket(self, name: str) -> list[str]:
        """Delete an empty bucket (and its unfinished uploads); returns the blobs of their
        parts. Raises LookupError if the bucket still holds objects."""
        with self.transaction():
            if self._db.execute("SELECT 1 FROM objects WHERE bucket=? LIMIT 1", (name,)).fetchone():
                raise LookupError(name)
            blobs = [
                row[0]
                for row in self._db.execute(
                    "SELECT blob FROM parts WHERE upload IN "
                    "(SELECT id FROM uploads WHERE bucket=?)",
                    (name,),
                )
            ]
            self._db.execute(
                "DELETE FROM parts WHERE upload IN (SELECT id FROM uploads WHERE bucket=?)",
                (name,),
            )
            self._db.execute("DELETE FROM uploads WHERE bucket=?", (name,))
            self._db.execute("DELETE FROM buckets WHERE name=?", (name,))
        return blobs

    def set_tags(self, name: str, tags: list[dict] | None) -> None:
        self._write(
            "UPDATE buckets SET tags=? WHERE name=?",
            (json.dumps(tags) if tags is not None else None, name),
        )

    def set_notification(self, name: str, configuration: dict) -> None:
        self._write(
            "UPDATE buckets SET notification=? WHERE name=?", (json.dumps(configuration), name)
        )

    def set_policy(self, name: str, policy: str | None) -> None:
        self._write("UPDATE buckets SET policy=? WHERE name=?", (policy, name))

    def set_cors(self, name: str, rules: list[dict] | None) -> None:
        text = json.dumps(rules) if rules is not None else None
        self._write("UPDATE buckets SET cors=? WHERE name=?", (text, name))

    # --- objects ----------------------------------------------------------------------------

    def get(self, bucket: str, key: str) -> StoredObject | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket=? AND key=?", (bucket, key)
            ).fetchone()
        return None if row is None else _object(row)

    def put(
        self, item: StoredObject, notices: list[Notice], check: Check | None = None
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Store an object (replacing any of its key) with its events; returns the object
        replaced and the events as kept (with their ids). `check` may refuse the write."""
        with self.transaction():
            if (
                self._db.execute("SELECT 1 FROM buckets WHERE name=?", (item.bucket,)).fetchone()
                is None
            ):
                raise LookupError(item.bucket)
            previous = self.get(item.bucket, item.key)
            if check is not None:
                check(previous)
            self._forget_completions(item.bucket, item.key)
            self._db.execute(
                f"INSERT OR REPLACE INTO objects ({OBJECT_COLUMNS}) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
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
                ),
            )
            kept = self._keep(notices)
        return previous, kept

    def set_object_tags(
        self, bucket: str, key: str, tags: tuple[tuple[str, str], ...]
    ) -> StoredObject | None:
        """Replace an object's tag set (its bytes and everything else unchanged); returns the
        object as tagged, None if there is no such object."""
        with self.transaction():
            self._db.execute(
                "UPDATE objects SET tags=? WHERE bucket=? AND key=?",
                (json.dumps(tags) if tags else None, bucket, key),
            )
            return self.get(bucket, key)

    def delete(
        self, bucket: str, key: str, notices: Callable[[StoredObject], list[Notice]]
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Remove an object and keep the events its removal causes; returns what was removed."""
        with self.transaction():
            previous = self.get(bucket, key)
            if previous is None:
                return None, []
            self._db.execute("DELETE FROM objects WHERE bucket=? AND key=?", (bucket, key))
            self._forget_completions(bucket, key)
            kept = self._keep(notices(previous))
        return previous, kept

    def page(self, bucket: str, after: str, low: str, high: str | None, limit: int) -> list:
        """Up to `limit` objects with keys > `after`, >= `low` and < `high` (a prefix's
        range), in key order (UTF-8 byte order, which is S3's)."""
        sql = f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket=? AND key>? AND key>=?"
        args: tuple = (bucket, after, low)
        if high is not None:
            sql += " AND key<?"
            args += (high,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY key LIMIT ?", (*args, limit)).fetchall()
        return [_object(row) for row in rows]

    # --- multipart uploads ------------------------------------------------------------------

    def add_upload(self, upload: Upload) -> None:
        self._write(
            "INSERT INTO uploads (id, bucket, key, initiated_ms, headers, metadata, "
            "checksum_algorithm, tags) VALUES (?,?,?,?,?,?,?,?)",
            (
                upload.id,
                upload.bucket,
                upload.key,
                upload.initiated_ms,
                json.dumps(upload.headers),
                json.dumps(upload.metadata),
                upload.checksum_algorithm,
                json.dumps(upload.tags) if upload.tags else None,
            ),
        )

    def upload(self, upload_id: str) -> Upload | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, bucket, key, initiated_ms, headers, metadata, checksum_algorithm, "
                "tags FROM uploads WHERE id=?",
                (upload_id,),
            ).fetchone()
        if row is None:
            return None
        return Upload(*row[:4], json.loads(row[4]), json.loads(row[5]), row[6], _tags(row[7]))

    def uploads(self, bucket: str) -> list[Upload]:
        with self._lock:
            ids = self._db.execute(
                "SELECT id FROM uploads WHERE bucket=? ORDER BY key, initiated_ms", (bucket,)
            ).fetchall()
        return [u for (upload_id,) in ids if (u := self.upload(upload_id)) is not None]

    def put_part(self, upload_id: str, part: Part) -> str | None:
        """Keep a part (replacing one of its number); returns the replaced part's blob.
        Raises LookupError if the upload is gone."""
        with self.transaction():
            if (
                self._db.execute("SELECT 1 FROM uploads WHERE id=?", (upload_id,)).fetchone()
                is None
            ):
                raise LookupError(upload_id)
            old = self._db.execute(
                "SELECT blob FROM parts WHERE upload=? AND number=?", (upload_id, part.number)
            ).fetchone()
            self._db.execute(
                "INSERT OR REPLACE INTO parts (upload, number, blob, size, etag, modified_ms, "
                "checksum) VALUES (?,?,?,?,?,?,?)",
                (
                    upload_id,
                    part.number,
                    part.blob,
                    part.size,
                    part.etag,
                    part.modified_ms,
                    part.checksum,
                ),
            )
        return old[0] if old else None

    def parts(self, upload_id: str) -> list[Part]:
        with self._lock:
            rows = self._db.execute(
                "SELECT number, blob, size, etag, modified_ms, checksum FROM parts "
                "WHERE upload=? ORDER BY number",
                (upload_id,),
            ).fetchall()
        return [Part(*row) for row in rows]

    def end_upload(
        self,
        upload_id: str,
        item: StoredObject | None = None,
        notices: list[Notice] | None = None,
        check: Check | None = None,
        completion: Completion | None = None,
    ) -> tuple[StoredObject | None, list[str], list[Notice]]:
        """Finish an upload: with `item`, complete it as that object (and its events, and
        `completion` kept), else abort it. Returns the object replaced, the parts' blobs and
        the events as kept. Raises LookupError if the upload is gone (completed or aborted
        meanwhile)."""
        with self.transaction():
            if (
                self._db.execute("SELECT 1 FROM uploads WHERE id=?", (upload_id,)).fetchone()
                is None
            ):
                raise LookupError(upload_id)
            blobs = [
                r[0]
                for r in self._db.execute("SELECT blob FROM parts WHERE upload=?", (upload_id,))
            ]
            self._db.execute("DELETE FROM parts WHERE upload=?", (upload_id,))
            self._db.execute("DELETE FROM uploads WHERE id=?", (upload_id,))
            previous, kept = (
                self.put(item, notices or [], check) if item is not None else (None, [])
            )
            if item is not None and completion is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO completions (upload, bucket, key, blob, parts) "
                    "VALUES (?,?,?,?,?)",
                    (upload_id, item.bucket, item.key, item.blob, json.dumps(completion.parts)),
                )
        return previous, blobs, kept

    def completion(self, upload_id: str) -> tuple[Completion, StoredObject] | None:
        """The upload's completion and the object it made, while that object stands."""
        with self._lock:
            row = self._db.execute(
                "SELECT bucket, key, blob, parts FROM completions WHERE upload=?", (upload_id,)
            ).fetchone()
            if row is None:
                return None
            bucket, key, blob, parts = row
            item = self.get(bucket, key)
        if item is None or item.blob != blob:
            return None
        named = tuple((int(number), str(etag)) for number, etag in json.loads(parts))
        return Completion(upload_id, bucket, key, named), item

    def _forget_completions(self, bucket: str, key: str) -> None:
        """The object a completion made is replaced or removed: a repeat is no longer one."""
        self._db.execute("DELETE FROM completions WHERE bucket=? AND key=?", (bucket, key))

    # --- the outbox -------------------------------------------------------------------------

    def _keep(self, notices: list[Notice]) -> list[Notice]:
        kept = []
        for notice in notices:
            cursor = self._db.execute(
                "INSERT INTO outbox (target, body, hops) VALUES (?,?,?)",
                (notice.target, notice.body, notice.hops),
            )
            kept.append(Notice(notice.target, notice.body, notice.hops, cursor.lastrowid))
        return kept

    def notices(self) -> list[Notice]:
        with self._lock:
            rows = self._db.execute("SELECT target, body, hops, id FROM outbox ORDER BY id")
            return [Notice(target, bytes(body), hops, id_) for target, body, hops, id_ in rows]

    def delivered(self, notice_ids: list[int]) -> None:
        if notice_ids:
            with self.transaction():
                self._db.executemany("DELETE FROM outbox WHERE id=?", [(i,) for i in notice_ids])

    # --- housekeeping -----------------------------------------------------------------------

    def referenced_blobs(self) -> set[str]:
        with self._lock:
            rows = self._db.execute("SELECT blob FROM objects UNION SELECT blob FROM parts")
            return {row[0] for row in rows}
