"""The data dir (store/data_dir.py): one server at a time, private to its user, and still the
source of every function's code."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from overcast.cli.errors import DataDirInUse
from overcast.sandbox.uids import FIRST_UID
from overcast.store.data_dir import LOCK_NAME, claim, share_code
from support import deploy


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_is_private_and_locked(tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "data"
    lock = claim(data_dir)
    try:
        assert mode(data_dir) == 0o700
        assert mode(data_dir / LOCK_NAME) == 0o600
        assert (data_dir / LOCK_NAME).read_text() == f"{os.getpid()}\n"
        assert lock.warning is None
    finally:
        lock.release()


def test_a_second_claim_is_refused_naming_the_holder(tmp_path: Path) -> None:
    first = claim(tmp_path / "data")
    try:
        with pytest.raises(DataDirInUse) as refused:
            claim(tmp_path / "data")
        assert f"another Overcast server (PID {os.getpid()}) is using the data dir" in str(
            refused.value
        )
    finally:
        first.release()
    claim(tmp_path / "data").release()  # free again once released


def test_an_empty_folder_or_one_overcast_opened_is_made_private(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o755)
    claim(empty).release()
    assert mode(empty) == 0o700
    empty.chmod(0o711)  # as share_code leaves it
    claim(empty).release()
    assert mode(empty) == 0o700


def test_a_shared_folder_keeps_its_mode_with_a_warning(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    (shared / "someone-elses-file").write_text("x")
    lock = claim(shared)
    lock.release()
    assert mode(shared) == 0o755
    assert lock.warning is not None and "chmod 700" in lock.warning


def test_share_code_opens_code_and_trust_and_nothing_else(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    claim(data_dir).release()
    for name in ("code", "trust", "tls", "logs", "s3"):
        (data_dir / name).mkdir(mode=0o755)
    share_code(data_dir)
    assert mode(data_dir) == mode(data_dir / "code") == mode(data_dir / "trust") == 0o711
    assert mode(data_dir / "logs") == mode(data_dir / "s3") == mode(data_dir / "tls") == 0o700


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every uid can reach (pytest's tmp_path is under a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="overcast-data-dir-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="runs a process as another uid")
def test_another_uid_reads_shared_code_but_nothing_else(open_folder: Path) -> None:
    data_dir = open_folder / "data"
    claim(data_dir).release()
    (data_dir / "code" / "abc").mkdir(parents=True, mode=0o755)
    (data_dir / "code" / "abc" / "app.py").write_text("code")
    (data_dir / "code" / "abc" / "app.py").chmod(0o644)
    (data_dir / "logs").mkdir(mode=0o755)
    (data_dir / "logs" / "events").write_text("secret")
    (data_dir / "logs" / "events").chmod(0o644)
    share_code(data_dir)
    probe = (
        "import os, sys, json\n"
        "os.setgid(int(sys.argv[2])); os.setuid(int(sys.argv[2]))\n"
        "def attempt(f):\n"
        "    try:\n        f(); return True\n    except PermissionError:\n        return False\n"
        "d = sys.argv[1]\n"
        "print(json.dumps([attempt(lambda: open(d + '/code/abc/app.py').read()),\n"
        "    attempt(lambda: os.listdir(d)), attempt(lambda: os.listdir(d + '/code')),\n"
        "    attempt(lambda: open(d + '/logs/events').read())]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(data_dir), str(FIRST_UID)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    read_code, list_data_dir, list_code, read_logs = json.loads(result.stdout)
    assert read_code and not (list_data_dir or list_code or read_logs)


def test_a_running_server_keeps_its_data_private_and_functions_run(
    launch, tmp_path: Path, function_name: str
) -> None:
    data_dir = tmp_path / "data"
    server = launch(data_dir)  # isolation on, as by default
    client = server.client()
    deploy(
        client,
        function_name,
        "import os\ndef handler(event, context):\n"
        "    return {'uid': os.getuid(), 'code': open(__file__).read()[:9]}\n",
        Environment={"Variables": {"SECRET": "s3cr3t"}},
    )
    answer = json.loads(client.invoke(FunctionName=function_name)["Payload"].read())
    assert answer["code"] == "import os"
    assert answer["uid"] != os.getuid()  # isolation on: the function ran as a uid of its own
    assert mode(data_dir) == 0o700
    databases = [p for p in data_dir.iterdir() if ".db" in p.name]
    assert {p.name for p in databases} >= {"overcast.db", "overcast.db-wal", "overcast.db-shm"}
    assert {mode(p) for p in databases} == {0o600}


def test_a_second_server_on_the_same_data_dir_is_refused(launch, tmp_path: Path) -> None:
    server = launch(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", "server", "--port", "0"]
        + ["--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: another Overcast server (PID {server.process.pid}) is using the data dir "
        f"{tmp_path / 'data'}: stop it, or give this one another --data-dir\n"
    )
