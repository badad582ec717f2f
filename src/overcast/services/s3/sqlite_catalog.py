"""S3's catalog in SQLite, `<data_dir>/s3.db` (the Protocol and its values: catalog.py).

An object's row and the events it causes are written in one transaction, before the client
hears success; the events leave the outbox once delivered (see notifier.py).

Each row of `objects` is one version of a key (the layout, and how an older file is brought
up to it: sqlite_schema.py).
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
from overcast.services.s3.sqlite_schema import (
    INDEXES,
    OBJECT_COLUMNS,
    SCHEMA,
    acl_of,
    json_of,
    object_of,
    row_of,
    tags_of,
    upgrade,
)
from overcast.store.database import Database


class SqliteCatalog(Database):
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
                "public_access FROM buckets"
            ).fetchall()
        return {
            name: BucketSettings(
                json_of(tags),
                json_of(notes),
                policy,
                json_of(cors),
                json_of(versioning),
                json_of(acl),
                ownership,
                None if public_access is None else json.loads(public_access),
            )
            for name, tags, notes, policy, cors, versioning, acl, ownership, public_access in rows
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

    # --- objects ----------------------------------------------------------------------------

    def get(self, bucket: str, key: str, version_id: str | None = None) -> StoredObject | None:
        """The key's latest version (which may be a delete marker), or the version named."""
        which, args = ("latest=1", ()) if version_id is None else ("version=?", (version_id,))
        with self._lock:
            row = self._db.execute(
                f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket=? AND key=? AND {which}",
                (bucket, key, *args),
            ).fetchone()
        return None if row is None else object_of(row)

    def put(
        self, item: StoredObject, notices: list[Notice], check: Check | None = None
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Store an object as its key's latest version, with its events; a `null` version
        replaces the key's `null` version, wherever it stands. Returns the version replaced
        and the events as kept (with their ids). `check` sees the key's current object (None
        where there is none, or a delete marker is latest) and may refuse the write."""
        with self.transaction():
            self._require_bucket(item.bucket)
            if check is not None:
                latest = self.get(item.bucket, item.key)
                check(None if latest is None or latest.delete_marker else latest)
            previous = self.get(item.bucket, item.key, item.version_id)
            self._forget_completions(item.bucket, item.key)
            if previous is not None:
                self._remove_version(previous)
            self._add_latest(item)
            kept = self._keep(notices)
        return previous, kept

    def set_object_tags(
        self,
        bucket: str,
        key: str,
        tags: tuple[tuple[str, str], ...],
        version_id: str | None = None,
    ) -> StoredObject | None:
        """Replace the tag set of the key's latest version (or the version named), its bytes
        and everything else unchanged; returns it as tagged, None if there is no such
        version or it is a delete marker."""
        which, args = ("latest=1", ()) if version_id is None else ("version=?", (version_id,))
        with self.transaction():
            cursor = self._db.execute(
                f"UPDATE objects SET tags=? WHERE bucket=? AND key=? AND marker=0 AND {which}",
                (json.dumps(tags) if tags else None, bucket, key, *args),
            )
            return self.get(bucket, key, version_id) if cursor.rowcount else None

    def set_object_acl(
        self,
        bucket: str,
        key: str,
        acl: tuple[tuple[str, str, str], ...] | None,
        version_id: str | None = None,
    ) -> StoredObject | None:
        """Replace the ACL of the key's latest version (or the version named), as
        set_object_tags replaces its tags."""
        which, args = ("latest=1", ()) if version_id is None else ("version=?", (version_id,))
        with self.transaction():
            cursor = self._db.execute(
                f"UPDATE objects SET acl=? WHERE bucket=? AND key=? AND marker=0 AND {which}",
                (json.dumps(acl) if acl is not None else None, bucket, key, *args),
            )
            return self.get(bucket, key, version_id) if cursor.rowcount else None

    def delete(
        self,
        bucket: str,
        key: str,
        version_id: str | None,
        marker: StoredObject | None,
        notices: Callable[[StoredObject | None], list[Notice]],
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Remove the version `version_id` of a key for good (when named), then add `marker`
        (a delete marker) as its latest version (when given); keep the events `notices`
        makes of the version removed, unless nothing changed. Returns the version removed.
        Raises LookupError if a marker is added to a bucket that is gone."""
        with self.transaction():
            removed = self.get(bucket, key, version_id) if version_id is not None else None
            if removed is None and marker is None:
                return None, []
            if removed is not None:
                self._remove_version(removed)
            if marker is not None:
                self._require_bucket(bucket)
                self._add_latest(marker)
            elif removed is not None and removed.latest:
                self._db.execute(  # the next newest version becomes the latest
                    "UPDATE objects SET latest=1 WHERE bucket=? AND key=? AND seq="
                    "(SELECT MAX(seq) FROM objects WHERE bucket=? AND key=?)",
                    (bucket, key, bucket, key),
                )
            self._forget_completions(bucket, key)
            kept = self._keep(notices(removed))
        return removed, kept

    def page(self, bucket: str, after: str, low: str, high: str | None, limit: int) -> list:
        """Up to `limit` current objects (latest versions that are not delete markers) with
        keys > `after`, >= `low` and < `high` (a prefix's range), in key order (UTF-8 byte
        order, which is S3's)."""
        sql = (
            f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket=? AND key>? AND key>=? "
            "AND latest=1 AND marker=0"
        )
        args: tuple = (bucket, after, low)
        if high is not None:
            sql += " AND key<?"
            args += (high,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY key LIMIT ?", (*args, limit)).fetchall()
        return [object_of(row) for row in rows]

    def version_page(
        self,
        bucket: str,
        after: tuple[str, str | None],
        low: str,
        high: str | None,
        limit: int,
    ) -> list[StoredObject]:
        """Up to `limit` versions (delete markers among them), by key and then newest first,
        after `after`: (key, version id) resumes after that version of the key, (key, None)
        after all of the key's versions (as does a version id the key does not have)."""
        after_key, after_version = after
        with self._lock:
            found = None
            if after_version is not None:
                found = self._db.execute(
                    "SELECT seq FROM objects WHERE bucket=? AND key=? AND version=?",
                    (bucket, after_key, after_version),
                ).fetchone()
            sql = f"SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket=? AND key>=? AND key>=?"
            args: tuple = (bucket, after_key, low)
            if found is None:
                sql += " AND key>?"
                args += (after_key,)
            else:
                sql += " AND (key>? OR seq<?)"
                args += (after_key, found[0])
            if high is not None:
                sql += " AND key<?"
                args += (high,)
            sql += " ORDER BY key, seq DESC LIMIT ?"
            rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [object_of(row) for row in rows]

    def _require_bucket(self, name: str) -> None:
        if self._db.execute("SELECT 1 FROM buckets WHERE name=?", (name,)).fetchone() is None:
            raise LookupError(name)

    def _remove_version(self, item: StoredObject) -> None:
        self._db.execute(
            "DELETE FROM objects WHERE bucket=? AND key=? AND version=?",
            (item.bucket, item.key, item.version_id),
        )

    def _add_latest(self, item: StoredObject) -> None:
        """The version on top of its key's others (which are then not the latest)."""
        self._db.execute(
            "UPDATE objects SET latest=0 WHERE bucket=? AND key=? AND latest=1",
            (item.bucket, item.key),
        )
        (seq,) = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM objects WHERE bucket=? AND key=?",
            (item.bucket, item.key),
        ).fetchone()
        self._db.execute(
            f"INSERT INTO objects ({OBJECT_COLUMNS}, seq) VALUES ({', '.join('?' * 17)})",
            (*row_of(item), seq),
        )

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
