"""The objects table of S3's SQLite catalog (sqlite_catalog.py): every version of every key,
read and written in the catalog's transactions. A mixin of SqliteCatalog, which gives it
its connection and lock (Database), and the outbox and completions it writes along with an
object (`_keep`, `_forget_completions`). The layout: sqlite_schema.py.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from overcast.services.s3.catalog import Check, Notice, StoredObject
from overcast.services.s3.sqlite_schema import OBJECT_COLUMNS, object_of, row_of


class VersionTable:
    _db: sqlite3.Connection
    _lock: threading.RLock
    transaction: Callable[[], AbstractContextManager[None]]
    _keep: Callable[[list[Notice]], list[Notice]]
    _forget_completions: Callable[[str, str], None]

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
        latest: StoredObject | None = None,
        check: Check | None = None,
    ) -> tuple[StoredObject | None, list[Notice]]:
        """Remove the version `version_id` of a key for good (when named), then add `marker`
        (a delete marker) as its latest version (when given); keep the events `notices`
        makes of the version removed, unless nothing changed. With `latest`, nothing is done
        unless the key's latest version is still that one (id, blob, time). `check` is
        given the key's current object (None if none) first, in the same transaction, and
        may refuse the deletion by raising. Returns the version removed. Raises LookupError
        if a marker is added to a bucket that is gone."""
        with self.transaction():
            if latest is not None and not _same(self.get(bucket, key), latest):
                return None, []
            if check is not None:
                current = self.get(bucket, key)
                check(None if current is None or current.delete_marker else current)
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


def _same(found: StoredObject | None, expected: StoredObject) -> bool:
    """The same version: a `null` version replaced keeps its id, not its blob or time."""
    return found is not None and (found.version_id, found.blob, found.modified_ms) == (
        expected.version_id,
        expected.blob,
        expected.modified_ms,
    )
