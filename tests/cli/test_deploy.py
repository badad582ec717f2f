"""`overcast deploy`: packaging, and create-or-update against a stub Lambda client."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from overcast.cli.default_role import BASIC_EXECUTION
from overcast.cli.errors import CommandError
from overcast.deploy.builds.zips import package, zip_directory

from .stubs import Clients, StubLambda, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "pkg" / "__pycache__").mkdir(parents=True)
    (root / "app.py").write_text("def handler(event, context):\n    return event\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (root / "bootstrap").write_text("#!/bin/sh\n")
    (root / "bootstrap").chmod(0o755)
    return root


def entries(data: bytes) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: info for info in archive.infolist()}


def test_zip_is_deterministic_and_keeps_modes(project: Path) -> None:
    first = zip_directory(project)
    os.utime(project / "app.py", (0, 2_000_000_000))  # a new mtime must not change the bytes
    second = zip_directory(project)

    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    infos = entries(first)
    assert list(infos) == ["app.py", "bootstrap", "pkg/__init__.py"]  # sorted, no __pycache__
    assert stat.S_IMODE(infos["bootstrap"].external_attr >> 16) == 0o755
    assert stat.S_IMODE(infos["app.py"].external_attr >> 16) == 0o644 & ~_umask()
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos.values())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_zip_follows_symlinks_without_looping(project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "lib.py").write_text("X = 1\n")
    (project / "shared").symlink_to(shared)
    (project / "shared" / "loop").symlink_to(project)

    names = list(entries(zip_directory(project)))

    assert "shared/lib.py" in names
    assert not any(name.startswith("shared/loop/shared") for name in names)


def test_package_takes_a_zip_as_is(project: Path, tmp_path: Path) -> None:
    archive = tmp_path / "code.zip"
    archive.write_bytes(zip_directory(project))
    assert package(archive) == archive.read_bytes()


def test_package_refuses_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="neither a directory nor a .zip"):
        package(tmp_path / "notes.txt")
    with pytest.raises(CommandError, match="no such file"):
        package(tmp_path / "missing")


def test_deploy_creates_a_function(project: Path) -> None:
    clients = Clients()
    argv = ["deploy", str(project), "--name", "hello", "--runtime", "python3.12"]
    argv += ["--handler", "app.handler", "--env", "A=1", "--env", "B=x=y", "--timeout", "10"]

    result = run(argv, clients)

    assert result.code == 0, result.err
    calls = clients.lambda_.calls
    [created] = [kwargs for name, kwargs in calls if name == "create_function"]
    assert created["Runtime"] == "python3.12" and created["Handler"] == "app.handler"
    assert created["Environment"] == {"Variables": {"A": "1", "B": "x=y"}}
    role = "arn:aws:iam::000000000000:role/overcast-function"
    assert (created["MemorySize"], created["Timeout"], created["Role"]) == (128, 10, role)
    # The default role is made as SAM makes one: trusted by Lambda, basic execution only.
    trust = json.loads(clients.iam.roles["overcast-function"]["Trust"])
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert clients.iam.attached == {"overcast-function": [BASIC_EXECUTION]}
    assert created["Code"]["ZipFile"] == zip_directory(project)
    assert "wait:function_active_v2" in [name for name, _ in calls]
    assert result.out.splitlines() == [
        "created hello",
        "  arn:        arn:aws:lambda:us-east-1:000000000000:function:hello",
        "  version:    $LATEST",
        "  codeSha256: c29tZS1zaGE=",
        "  state:      Active",
    ]


def test_creating_needs_runtime_and_handler(project: Path) -> None:
    result = run(["deploy", str(project), "--name", "hello"], Clients())
    assert result.code == 1
    assert result.err == "error: --runtime and --handler are required to create hello\n"


def test_deploy_updates_only_what_was_given_then_the_code(project: Path) -> None:
    clients = Clients()
    run(
        ["deploy", str(project), "--name", "f", "--runtime", "python3.12", "--handler", "a.b"],
        clients,
    )
    clients.lambda_.calls.clear()

    result = run(["deploy", str(project), "--name", "f", "--memory", "256", "--publish"], clients)

    assert result.code == 0, result.err
    names = [name for name, _ in clients.lambda_.calls]
    assert names == [
        "get_function_configuration",
        "update_function_configuration",
        "wait:function_updated_v2",
        "update_function_code",
        "wait:function_updated_v2",
        "get_function_configuration",
    ]
    calls = dict(clients.lambda_.calls)
    assert calls["update_function_configuration"] == {"FunctionName": "f", "MemorySize": 256}
    assert calls["update_function_code"]["Publish"] is True
    assert result.out.splitlines()[0] == "updated f"
    assert "  version:    2" in result.out
    assert "function:f:2" in result.out  # the published version's ARN


def test_redeploying_code_alone_leaves_configuration_alone(project: Path) -> None:
    lambda_ = StubLambda()
    clients = Clients(lambda_)
    run(
        ["deploy", str(project), "--name", "f", "--runtime", "python3.12", "--handler", "a.b"],
        clients,
    )
    lambda_.calls.clear()

    assert run(["deploy", str(project), "--name", "f"], clients).code == 0
    assert "update_function_configuration" not in [name for name, _ in lambda_.calls]


def test_a_malformed_env_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        run(["deploy", str(project), "--name", "f", "--env", "NOEQUALS"])
    assert exited.value.code == 2
    assert "expected K=V" in capsys.readouterr().err


def test_the_default_role_is_reused_and_a_given_role_is_used_as_is(project: Path) -> None:
    clients = Clients()
    base = ["deploy", str(project), "--runtime", "python3.12", "--handler", "app.handler"]
    assert run([*base, "--name", "one"], clients).code == 0
    assert run([*base, "--name", "two"], clients).code == 0
    assert run([*base, "--name", "three", "--role", "arn:aws:iam::1:role/mine"], clients).code == 0
    roles = [kw["Role"] for name, kw in clients.lambda_.calls if name == "create_function"]
    default = "arn:aws:iam::000000000000:role/overcast-function"
    assert roles == [default, default, "arn:aws:iam::1:role/mine"]
    assert clients.iam.attached == {"overcast-function": [BASIC_EXECUTION]}
