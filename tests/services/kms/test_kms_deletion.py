"""Keys pending deletion are deleted once their deletion date comes, on a clock the test moves:
never before it, with their material and aliases, and for good (a restart does not bring
them back)."""

from __future__ import annotations

import sqlite3

import pytest

from overcast.services.kms.aliases import AliasService
from overcast.services.kms.errors import KMSInvalidStateException, NotFoundException
from overcast.services.kms.keys import DAY_S, KeyService
from overcast.services.kms.master_key import MasterKey
from overcast.services.kms.registry import KeyRegistry
from overcast.services.kms.store import SqliteKeyStore

REGION = "us-east-1"
START = 1_700_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def kms_at(tmp_path, clock: Clock) -> tuple[KeyService, AliasService, SqliteKeyStore]:
    store = SqliteKeyStore(tmp_path / "data" / "kms.db")
    master = MasterKey(tmp_path / "keys" / "master.key", tmp_path / "data", {})
    registry = KeyRegistry(store, master, "000000000000", clock)
    registry.load()
    keys = KeyService(registry)
    return keys, AliasService(registry, keys), store


def test_deleted_at_its_date_never_before(tmp_path, clock: Clock) -> None:
    keys, aliases, store = kms_at(tmp_path, clock)
    doomed = keys.create(REGION, "doomed", None, {})
    kept = keys.create(REGION, "kept", None, {})
    aliases.create(REGION, "alias/doomed", doomed.key_id)
    scheduled = keys.schedule_deletion(REGION, doomed.key_id, 7)
    assert scheduled.deletion_date == START + 7 * DAY_S

    clock.now = START + 7 * DAY_S - 1  # one second early: still there, still refusing use
    assert keys.describe(REGION, doomed.key_id).state.value == "PendingDeletion"
    with pytest.raises(KMSInvalidStateException):
        keys.enable(REGION, doomed.key_id)
    assert [a.name for a in aliases.listed(REGION, None)] == ["alias/doomed"]

    clock.now = START + 7 * DAY_S
    with pytest.raises(NotFoundException) as caught:
        keys.describe(REGION, doomed.key_id)
    assert caught.value.message == f"Key '{doomed.arn}' does not exist"
    with pytest.raises(NotFoundException):
        keys.describe(REGION, "alias/doomed")
    assert [key.key_id for key in keys.registry.keys(REGION)] == [kept.key_id]
    assert aliases.listed(REGION, None) == []
    with sqlite3.connect(tmp_path / "data" / "kms.db") as db:
        rows = db.execute("SELECT key_id FROM kms_keys").fetchall()
        assert rows == [(kept.key_id,)]  # its sealed material went with its row
        assert db.execute("SELECT * FROM kms_aliases").fetchall() == []
    store.close()

    again, _, store = kms_at(tmp_path, clock)
    assert [key.key_id for key in again.registry.keys(REGION)] == [kept.key_id]
    store.close()


def test_deleted_at_start_and_cancelled_deletion_kept(tmp_path, clock: Clock) -> None:
    keys, _, store = kms_at(tmp_path, clock)
    doomed = keys.create(REGION, "", None, {})
    spared = keys.create(REGION, "", None, {})
    keys.schedule_deletion(REGION, doomed.key_id, 30)
    keys.schedule_deletion(REGION, spared.key_id, 7)
    keys.cancel_deletion(REGION, spared.key_id)
    store.close()

    clock.now = START + 31 * DAY_S  # the server was down when the date came
    _, _, store = kms_at(tmp_path, clock)
    with sqlite3.connect(tmp_path / "data" / "kms.db") as db:
        assert db.execute("SELECT key_id FROM kms_keys").fetchall() == [(spared.key_id,)]
    store.close()
