"""One SQLite file in WAL mode, shared by threads behind a lock: what every store builds on.

WAL with synchronous=NORMAL: a commit survives the process being killed (`kill -9`); only a
power loss can undo the last commits, the trade SQLite recommends for WAL.

A store whose short writes run on the event loop (DynamoDB's single items) passes
`checkpoint_aside`: the commit that crosses SQLite's automatic checkpoint threshold would copy
the WAL back into the database and fsync both files, milliseconds to seconds on a busy disk,
on the loop. Instead the automatic checkpoint is off and a thread runs a PASSIVE checkpoint on
a connection of its own every `CHECKPOINT_EVERY` commits ("PASSIVE: checkpoint as many frames
as possible without waiting for any database readers or writers to finish", sqlite.org/
pragma.html#pragma_wal_checkpoint), about the 1,000 pages SQLite's default waits for.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHECKPOINT_EVERY = 256  # commits; a single-item write is ~4 pages


class Database:
    """Subclasses pass their schema; `transaction()` groups writes (nested ones join the
    outermost), `_write` is one statement in its own transaction. ":memory:" for tests."""

    def __init__(self, path: Path | str, schema: str, checkpoint_aside: bool = False) -> None:
        on_disk = str(path) != ":memory:"
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _owner_only(Path(path))
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")  # another connection may hold the file
        self._db.executescript(schema)
        self._checkpoints = None
        if checkpoint_aside and on_disk:
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpoints = _Checkpoints(str(path))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._db.execute("COMMIT")
                if self._checkpoints is not None:
                    self._checkpoints.committed()

    @contextmanager
    def free(self) -> Iterator[bool]:
        """Whether no other thread holds the connection, holding it for the block if so: a
        short read may then run on the event loop without ever waiting for a writer."""
        free = self._lock.acquire(blocking=False)
        try:
            yield free
        finally:
            if free:
                self._lock.release()

    def _write(self, sql: str, args: tuple) -> sqlite3.Cursor:
        with self.transaction():
            return self._db.execute(sql, args)

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.close()
        with self._lock:
            self._db.close()  # the last connection: SQLite checkpoints the WAL as it closes


class _Checkpoints:
    """PASSIVE checkpoints of one database's WAL, each in a thread of its own, at most one at
    a time (module docstring)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._commits = 0
        self._running: threading.Thread | None = None

    def committed(self) -> None:
        """One more commit (under the database's lock); every CHECKPOINT_EVERY, a checkpoint
        starts unless one still runs."""
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY or (self._running and self._running.is_alive()):
            return
        self._commits = 0
        self._running = threading.Thread(target=self._checkpoint, name="overcast-checkpoint")
        self._running.start()

    def _checkpoint(self) -> None:
        try:
            db = sqlite3.connect(self._path, isolation_level=None)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                db.close()
        except sqlite3.Error:
            pass  # the next one copies what this one did not; the WAL keeps every commit

    def close(self) -> None:
        if self._running is not None:
            self._running.join()


def _owner_only(path: Path) -> None:
    """The database file, and its -wal and -shm, readable by their owner alone: they hold
    secrets (functions' environment variables). Created 0600 before SQLite opens it, since
    SQLite gives the -wal and -shm files the database's own mode; files from before are
    narrowed."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        try:
            os.chmod(path.with_name(name), 0o600)
        except FileNotFoundError:
            pass
