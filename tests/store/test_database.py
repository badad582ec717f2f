"""The SQLite base every store builds on (store/database.py): files its owner alone reads."""

from __future__ import annotations

import sqlite3
import stat
import struct
from pathlib import Path

from overcast.store.database import CHECKPOINT_EVERY, Database

SCHEMA = "CREATE TABLE IF NOT EXISTS t (v TEXT);"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    database = Database(tmp_path / "x.db", SCHEMA)
    database._write("INSERT INTO t VALUES (?)", ("secret",))
    try:
        names = ("x.db", "x.db-wal", "x.db-shm")
        assert {mode(tmp_path / name) for name in names} == {0o600}
    finally:
        database.close()


def test_files_from_before_are_narrowed(tmp_path: Path) -> None:
    Database(tmp_path / "x.db", SCHEMA).close()
    for name in ("x.db", "x.db-wal", "x.db-shm"):
        (tmp_path / name).touch()
        (tmp_path / name).chmod(0o644)
    database = Database(tmp_path / "x.db", SCHEMA)
    try:
        assert {mode(tmp_path / n) for n in ("x.db", "x.db-wal", "x.db-shm")} == {0o600}
    finally:
        database.close()


def test_checkpoint_aside_copies_the_wal_back_in_a_thread_not_in_the_commit(tmp_path: Path) -> None:
    # A store whose commits may run on the event loop: SQLite's automatic checkpoint is off,
    # and every CHECKPOINT_EVERY commits a thread of its own copies the WAL back.
    db = Database(tmp_path / "aside.db", SCHEMA, checkpoint_aside=True)
    assert db._db.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    for n in range(CHECKPOINT_EVERY - 1):
        db._write("INSERT INTO t (v) VALUES (?)", (str(n),))
    assert _wal_frames(tmp_path / "aside.db") == ("some", "none copied")
    db._write("INSERT INTO t (v) VALUES (?)", ("last",))
    db._checkpoints.close()  # waits for the checkpoint the last commit started
    assert _wal_frames(tmp_path / "aside.db") == ("some", "all copied")
    db.close()
    reopened = sqlite3.connect(tmp_path / "aside.db")
    assert reopened.execute("SELECT count(*) FROM t").fetchone() == (CHECKPOINT_EVERY,)
    reopened.close()


def _wal_frames(path: Path) -> tuple[str, str]:
    """Frames in the WAL, and how many are copied back, from the wal-index header in -shm
    (sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, native order); a
    look that copies nothing, as a checkpoint to ask would."""
    header = (path.parent / f"{path.name}-shm").read_bytes()[:136]
    (frames,) = struct.unpack_from("=I", header, 16)
    (copied,) = struct.unpack_from("=I", header, 96)
    copied_text = "all copied" if copied == frames else "none copied" if not copied else "partly"
    return ("some" if frames else "none", copied_text)
