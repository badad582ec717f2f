"""The real `overcast` command, as a user runs it, against a real server (the `server` fixture)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

DEADLINE_S = 20.0
# `overcast ...` with Ctrl-C working as in a terminal, however pytest was started: a shell
# starts a background job (`pytest &`) with SIGINT ignored, and an ignored signal stays
# ignored in every child, so Python would never raise KeyboardInterrupt.
WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('overcast.cli.main', run_name='__main__')"
)
APP = """\
import os

def handler(event, context):
    print("hello from", context.function_name, event.get("marker"))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": event, "greeting": os.environ.get("GREETING")}
"""


def cli_env(server, **extra: str) -> dict[str, str]:
    """The environment of a user who exported what `overcast server` said (its endpoint and
    data dir, whose root key the CLI signs with)."""
    given = {"OVERCAST_ENDPOINT": server.endpoint, "OVERCAST_DATA_DIR": str(server.data_dir)}
    return {**os.environ, **given, **extra}


def overcast(server, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(server),
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


@pytest.fixture
def deployed(server, project: Path, function_name: str) -> str:
    result = overcast(
        server, "deploy", str(project), "--name", function_name, "--runtime", "python3.12",
        "--handler", "app.handler", "--env", "GREETING=hi",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    yield function_name
    overcast(server, "rm", function_name)


def test_deploy_ls_invoke_rm(server, project: Path, function_name: str) -> None:
    deploy = ["deploy", str(project), "--name", function_name, "--runtime", "python3.12"]
    created = overcast(server, *deploy, "--handler", "app.handler", "--env", "GREETING=hi")
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert lines[0] == f"created {function_name}"
    assert f"function:{function_name}" in lines[1]
    assert lines[4].split() == ["state:", "Active"]

    listing = overcast(server, "ls")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[0].split() == [
        "NAME", "RUNTIME", "HANDLER", "MEMORY", "TIMEOUT", "LAST", "MODIFIED",
    ]  # fmt: skip
    [row] = [line for line in listing.stdout.splitlines() if line.startswith(function_name)]
    assert row.split()[1:6] == ["python3.12", "app.handler", "128", "MB", "3"]

    invoked = overcast(server, "invoke", function_name, "--payload", '{"marker": "m1"}')
    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(invoked.stdout) == {"echo": {"marker": "m1"}, "greeting": "hi"}

    updated = overcast(server, *deploy, "--memory", "256", "--publish")
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.splitlines()[0] == f"updated {function_name}"
    assert updated.stdout.splitlines()[2].split() == ["version:", "1"]
    listing = overcast(server, "ls")
    [row] = [line for line in listing.stdout.splitlines() if line.startswith(function_name)]
    assert row.split()[3] == "256"

    removed = overcast(server, "rm", function_name)
    assert (removed.returncode, removed.stdout) == (0, f"deleted {function_name}\n")
    again = overcast(server, "rm", function_name)
    assert again.returncode == 1
    assert again.stderr.startswith("error: ResourceNotFoundException: Function not found: ")
    assert again.stderr.count("\n") == 1 and "Traceback" not in again.stderr


def test_deploy_a_zip(server, project: Path, tmp_path: Path, function_name: str) -> None:
    from overcast.deploy.builds.zips import zip_directory

    archive = tmp_path / "code.zip"
    archive.write_bytes(zip_directory(project))
    argv = ["deploy", str(archive), "--name", function_name, "--runtime", "python3.12"]
    result = overcast(server, *argv, "--handler", "app.handler")
    try:
        assert result.returncode == 0, result.stderr
    finally:
        overcast(server, "rm", function_name)


def test_invoke_a_failing_function(server, deployed: str) -> None:
    result = overcast(server, "invoke", deployed, "--payload", '{"fail": true}')

    assert result.returncode == 1
    assert json.loads(result.stdout)["errorType"] == "ValueError"
    assert result.stderr == "error: function failed (Unhandled): ValueError: asked to fail\n"


def test_invoke_with_the_log_tail(server, deployed: str) -> None:
    result = overcast(server, "invoke", deployed, "--logs", "--payload", '{"marker": "tail"}')

    assert result.returncode == 0, result.stderr
    assert "START RequestId:" in result.stderr
    assert f"hello from {deployed} tail" in result.stderr
    assert "REPORT RequestId:" in result.stderr


def test_invoke_async(server, deployed: str) -> None:
    result = overcast(server, "invoke", deployed, "--async", "--payload", '{"marker": "a"}')
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == f"queued {deployed} (StatusCode 202)\n"


def test_invoke_a_missing_function(server, function_name: str) -> None:
    result = overcast(server, "invoke", function_name)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ResourceNotFoundException: Function not found: ")


def test_logs_prints_the_invocation_s_lines(server, deployed: str) -> None:
    assert overcast(server, "invoke", deployed, "--payload", '{"marker": "m2"}').returncode == 0

    result = overcast(server, "logs", deployed, "--since", "10m")

    assert result.returncode == 0, result.stderr
    messages = [line.split(" ", 1)[1] for line in result.stdout.splitlines()]
    start = next(i for i, m in enumerate(messages) if m.startswith("START RequestId:"))
    hello = messages.index(f"hello from {deployed} m2")
    end = next(i for i, m in enumerate(messages) if m.startswith("END RequestId:"))
    assert start < hello < end
    assert any(m.startswith("REPORT RequestId:") for m in messages)


def test_logs_follow_prints_new_lines_until_ctrl_c(server, deployed: str) -> None:
    follower = subprocess.Popen(
        [sys.executable, "-c", WITH_CTRL_C, "logs", deployed, "--follow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(server),
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in follower.stdout], daemon=True)\
        .start()  # fmt: skip
    try:
        invoked = overcast(server, "invoke", deployed, "--payload", '{"marker": "followed"}')
        assert invoked.returncode == 0, invoked.stderr
        wanted = f"hello from {deployed} followed"
        deadline = time.monotonic() + DEADLINE_S
        while True:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line.rstrip("\n").endswith(wanted):
                break
    finally:
        follower.send_signal(signal.SIGINT)
        _, stderr = follower.communicate(timeout=DEADLINE_S)
    assert follower.returncode == 0
    assert "Traceback" not in stderr


def test_the_cli_signs_with_the_data_dir_s_key_though_aws_s_are_set(server) -> None:
    # A user with a real AWS account's keys in the environment: they are not Overcast's.
    aws_keys = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalr"}
    listing = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", "ls"],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(server, **aws_keys),
    )
    assert listing.returncode == 0, listing.stderr


def test_the_cli_signs_with_the_keys_overcast_env_exports(server, tmp_path: Path) -> None:
    env_flags = ["--data-dir", str(server.data_dir), "--port", server.endpoint.rsplit(":", 1)[1]]
    exports = overcast(server, "env", *env_flags)
    assert exports.returncode == 0, exports.stderr
    script = f"{exports.stdout}\nexec {sys.executable} -m overcast.cli.main ls\n"
    # Only what `overcast env` exported: no OVERCAST_* and a data dir without a root key.
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OVERCAST_", "AWS_"))}
    listing = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environ, "OVERCAST_DATA_DIR": str(tmp_path / "none")},
    )
    assert listing.returncode == 0, listing.stderr

    wrong = subprocess.run(
        ["bash", "-c", script.replace("export AWS_SECRET_ACCESS_KEY=", "export IGNORED=")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environ, "OVERCAST_DATA_DIR": str(tmp_path / "none"), "AWS_SECRET_ACCESS_KEY": "x"},
    )
    assert wrong.stderr.startswith("error: InvalidSignatureException: "), wrong.stderr
