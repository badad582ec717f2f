"""The SQLite base every store builds on (store/database.py): files its owner alone reads."""

from __future__ import annotations

import stat
from pathlib import Path

from overcast.store.database import Database

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
