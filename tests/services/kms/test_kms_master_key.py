"""The master key in process: made once 0600, never in the data dir, exactly 32 bytes."""

from __future__ import annotations

import base64
import os
import signal
import stat
import subprocess
import sys

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


@pytest.mark.parametrize(
    ("environ", "key_file", "says"),
    [
        ({"OVERCAST_MASTER_KEY": "not base64!"}, "keys/master.key", "is not base64"),
        (
            {"OVERCAST_MASTER_KEY": base64.b64encode(b"short").decode()},
            "keys/master.key",
            "must hold 32 bytes, not 5",
        ),
        ({}, "data/master.key", "is in the data dir"),
        ({}, "short.key", "must hold 32 bytes, not 3"),
    ],
)
def test_a_bad_master_key_stops_the_server_at_start(
    tmp_path, environ: dict[str, str], key_file: str, says: str
) -> None:
    """Said at start (`error: ...`, exit status 1), never a 500 on the first KMS request."""
    (tmp_path / "short.key").write_bytes(b"abc")
    command = [sys.executable, "-m", "overcast.cli.main", "server", "--port", "0"]
    command += ["--data-dir", str(tmp_path / "data")]
    command += ["--master-key-file", str(tmp_path / key_file)]
    env = {k: v for k, v in os.environ.items() if k != "OVERCAST_MASTER_KEY"} | environ
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # it started serving: the check failed
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
    assert process.returncode == 1
    assert err.decode().startswith("error: ") and says in err.decode()
    assert not (tmp_path / "keys").exists() and not (tmp_path / "data" / "master.key").exists()
