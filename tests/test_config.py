"""Where the data dir is: `overcast server` keeps its state there, and `overcast env` and the
CLI's signing read its root key there, so all three must find the same one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from overcast.aws.root_key import load_or_create
from overcast.cli.client import CliContext, local_root_key
from overcast.cli.env import run as env
from overcast.cli.main import build_parser
from overcast.cli.server import build_settings
from overcast.config import data_dir_of


@pytest.mark.parametrize("given", ["flag", "environment", "default"])
def test_server_env_and_the_cli_find_one_data_dir(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OVERCAST_DATA_DIR", raising=False)
    flag = ["--data-dir", str(tmp_path / "flag")] if given == "flag" else []
    environ = {"OVERCAST_DATA_DIR": str(tmp_path / "environment")} if given == "environment" else {}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    expected = {
        "flag": tmp_path / "flag",
        "environment": tmp_path / "environment",
        "default": tmp_path / "home" / ".overcast",
    }[given]
    server = build_settings(build_parser().parse_args(["server", *flag]), environ)
    assert server.data_dir == expected.resolve() == data_dir_of(flag[1] if flag else None)
    expected.mkdir(parents=True)
    root = load_or_create(expected, "000000000000").key
    if not flag:  # the CLI's signing takes no --data-dir
        assert local_root_key(environ) == (root.access_key_id, root.secret_access_key)
    out = io.StringIO()
    env(build_parser().parse_args(["env", *flag]), CliContext("", "us-east-1", out, io.StringIO()))
    assert f"export AWS_ACCESS_KEY_ID={root.access_key_id}\n" in out.getvalue()
