"""S3's catalog in SQLite, `<data_dir>/s3.db` (the Protocol and its values: catalog.py).

An object's row and the events it causes are written in one transaction, before the client
hears success; the events leave the outbox once delivered (see notifier.py).

Each row of `objects` is one version of a key (its rows: sqlite_versions.py; the layout, and
how an older file is brought up to it: sqlite_schema.py).
"""

from __future__ import annotations

import json
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
from overcast.services.s3.sqlite_schema import (
    INDEXES,
    OBJECT_COLUMNS,
    SCHEMA,
    acl_of,
    json_of,
    object_of,
    tags_of,
    upgrade,
)
from overcast.services.s3.sqlite_versions import VersionTable
from overcast.store.database import Database


def _settings(
    tags: str | None,
    notification: str | None,
    policy: str | None,
    cors: str | None,
    versioning: str | None,
    acl: str | None,
    ownership: str | None,
    public_access: str | None,
    lifecycle: str | None,
) -> BucketSettings:
    """A bucket's settings from its row (an empty public access block is one deleted)."""
    return BucketSettings(
        json_of(tags),
        json_of(notification),
        policy,
        json_of(cors),
        json_of(versioning),
        json_of(acl),
        ownership,
        None if public_access is None else json.loads(public_access),
        json_of(lifecycle),
    )


class SqliteCatalog(VersionTable, Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)
        with self.transaction():
            upgrade(self._db)
        self._db.executescript(INDEXES)

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
                "SELECT name, tags, notification, policy, cors, versioning, acl, ownership, "
                "public_access, lifecycle FROM buckets"
            ).fetchall()
        return {name: _settings(*kept) for name, *kept in rows}

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

    def set_versioning(self, name: str, configuration: dict) -> None:
        self._write(
            "UPDATE buckets SET versioning=? WHERE name=?", (json.dumps(configuration), name)
        )

    def set_bucket_acl(self, name: str, acl: list | None) -> None:
        text = json.dumps(acl) if acl is not None else None
        self._write("UPDATE buckets SET acl=? WHERE name=?", (text, name))

    def set_ownership(self, name: str, ownership: str) -> None:
        self._write("UPDATE buckets SET ownership=? WHERE name=?", (ownership, name))

    def set_public_access(self, name: str, configuration: dict) -> None:
        text = json.dumps(configuration)
        self._write("UPDATE buckets SET public_access=? WHERE name=?", (text, name))

    def set_lifecycle(self, name: str, configuration: dict | None) -> None:
        text = json.dumps(configuration) if configuration is not None else None
        self._write("UPDATE buckets SET lifecycle=? WHERE name=?", (text, name))

    # --- multipart uploads ------------------------------------------------------------------

    def add_upload(self, upload: Upload) -> None:
        self._write(
            "INSERT INTO uploads (id, bucket, key, initiated_ms, headers, metadata, "
            "checksum_algorithm, tags, acl) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                upload.id,
                upload.bucket,
                upload.key,
                upload.initiated_ms,
                json.dumps(upload.headers),
                json.dumps(upload.metadata),
                upload.checksum_algorithm,
                json.dumps(upload.tags) if upload.tags else None,
                json.dumps(upload.acl) if upload.acl is not None else None,
            ),
        )

    def upload(self, upload_id: str) -> Upload | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, bucket, key, initiated_ms, headers, metadata, checksum_algorithm, "
                "tags, acl FROM uploads WHERE id=?",
                (upload_id,),
            ).fetchone()
        if row is None:
            return None
        headers, metadata = json.loads(row[4]), json.loads(row[5])
        return Upload(*row[:4], headers, metadata, row[6], tags_of(row[7]), acl_of(row[8]))

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
            made = self._db.execute(
                f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket=? AND key=? AND blob=? "
                "AND marker=0",
                (bucket, key, blob),
            ).fetchone()
        if made is None:
            return None
        item = object_of(made)
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
            rows = self._db.execute(
                "SELECT blob FROM objects WHERE marker=0 UNION SELECT blob FROM parts"
            )
            return {row[0] for row in rows}
