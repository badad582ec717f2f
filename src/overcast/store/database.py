"""One SQLite file in WAL mode, shared by threads behind a lock: what every store builds on.

WAL with synchronous=NORMAL: a commit survives the process being killed (`kill -9`); only a
power loss can undo the last commits, the trade SQLite recommends for WAL.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Database:
    """Subclasses pass their schema; `transaction()` groups writes (nested ones join the
    outermost), `_write` is one statement in its own transaction. ":memory:" for tests."""

    def __init__(self, path: Path | str, schema: str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _owner_only(Path(path))
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")  # another connection may hold the file
        self._db.executescript(schema)

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
        with self._lock:
            self._db.close()


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
