"""The master key in process: made once 0600, never in the data dir, exactly 32 bytes."""

from __future__ import annotations

import base64
import stat

import pytest
from cryptography.exceptions import InvalidTag

from overcast.services.kms.master_key import MasterKey, MasterKeyError


def test_made_once_and_reused(tmp_path) -> None:
    key_file = tmp_path / "conf" / "master.key"
    first = MasterKey(key_file, tmp_path / "data", {})
    sealed = first.seal(b"material", b"us-east-1/k")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = MasterKey(key_file, tmp_path / "data", {})
    assert again.open(sealed, b"us-east-1/k") == b"material"
    with pytest.raises(InvalidTag):  # bound to its key's name: another row cannot use it
        again.open(sealed, b"us-east-1/other")


def test_refuses_a_key_file_in_the_data_dir(tmp_path) -> None:
    inside = MasterKey(tmp_path / "data" / "master.key", tmp_path / "data", {})
    with pytest.raises(MasterKeyError):
        inside.seal(b"x", b"k")
    assert not (tmp_path / "data" / "master.key").exists()


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_refuses_a_bad_environment_key(tmp_path, value: str) -> None:
    master = MasterKey(tmp_path / "k", tmp_path / "data", {"OVERCAST_MASTER_KEY": value})
    with pytest.raises(MasterKeyError):
        master.seal(b"x", b"k")
