"""`overcast server`: its options become Settings (running it is the server fixture's job)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from overcast.cli.main import build_parser
from overcast.cli.server import build_settings


def settings_for(argv: list[str], environ: dict | None = None):
    return build_settings(build_parser().parse_args(["server", *argv]), environ or {})


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = settings_for([])
    assert (settings.host, settings.port, settings.keep_alive_s) == ("127.0.0.1", 9000, 600.0)
    assert settings.data_dir == tmp_path / ".overcast"
    assert settings.interpreters["python3.12"] == sys.executable


def test_options(tmp_path: Path) -> None:
    argv = ["--host", "0.0.0.0", "--port", "9123", "--data-dir", str(tmp_path / "d")]
    argv += ["--keep-alive", "30", "--python", "python3.12=/opt/py312/bin/python,python3.9=/p9"]

    settings = settings_for(argv)

    assert (settings.host, settings.port, settings.keep_alive_s) == ("0.0.0.0", 9123, 30.0)
    assert settings.data_dir == tmp_path / "d"
    assert settings.interpreters["python3.12"] == "/opt/py312/bin/python"
    assert settings.interpreters["python3.9"] == "/p9"


def test_data_dir_and_python_from_the_environment(tmp_path: Path) -> None:
    environ = {"OVERCAST_DATA_DIR": str(tmp_path / "env"), "OVERCAST_PYTHON": "python3.11=/p"}
    settings = settings_for([], environ)
    assert settings.data_dir == tmp_path / "env"
    assert settings.interpreters["python3.11"] == "/p"
    # the flag wins over the environment
    assert settings_for(["--data-dir", str(tmp_path / "f")], environ).data_dir == tmp_path / "f"


@pytest.mark.parametrize("spec", ["python3.12", "python3.12=", "ruby3.2=/usr/bin/ruby"])
def test_a_malformed_python_option_is_a_usage_error(
    spec: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["server", "--python", spec])
    assert exited.value.code == 2


def test_account_id_from_flag_or_environment() -> None:
    assert settings_for(["--account-id", "123456789012"]).account_id == "123456789012"
    assert settings_for([], {"OVERCAST_ACCOUNT_ID": "210987654321"}).account_id == "210987654321"
    assert settings_for([]).account_id == "000000000000"


def test_account_id_must_be_twelve_digits() -> None:
    with pytest.raises(SystemExit):
        settings_for(["--account-id", "12"])


def test_node_binaries_from_flag_or_environment() -> None:
    assert settings_for(["--node", "nodejs22.x=/opt/n22"]).node_binaries["nodejs22.x"] == "/opt/n22"
    from_env = settings_for([], {"OVERCAST_NODE": "nodejs18.x=/opt/n18"})
    assert from_env.node_binaries["nodejs18.x"] == "/opt/n18"
    with pytest.raises(SystemExit):
        settings_for(["--node", "python3.12=/x"])


def test_connection_and_logging_options() -> None:
    defaults = settings_for([])
    assert (defaults.head_timeout_s, defaults.idle_timeout_s) == (20.0, 75.0)
    assert (defaults.max_connections, defaults.log_level) == (None, "info")
    argv = ["--head-timeout", "1.5", "--idle-timeout", "30", "--max-connections", "64"]
    settings = settings_for([*argv, "--log-level", "info"])
    assert (settings.head_timeout_s, settings.idle_timeout_s) == (1.5, 30.0)
    assert (settings.max_connections, settings.log_level) == (64, "info")


@pytest.mark.parametrize(
    "argv",
    [
        ["--head-timeout", "0"],
        ["--head-timeout", "nan"],
        ["--idle-timeout", "-1"],
        ["--max-connections", "0"],
        ["--max-connections", "many"],
        ["--log-level", "loud"],
        ["--code-storage-limit", "0"],
        ["--code-grace", "nan"],
        ["--code-grace", "-1"],
        ["--port", "65536"],
        ["--port", "-1"],
    ],
)
def test_bad_connection_options_are_usage_errors(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["server", *argv])
    assert exited.value.code == 2


def test_help_says_what_the_access_log_writes(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["server", "--help"])
    help_text = "default info: an access log line per request, at most 20 a second; warning: none"
    assert help_text in " ".join(capsys.readouterr().out.split())


def test_the_https_port_is_the_port_plus_443_unless_chosen() -> None:
    assert settings_for([]).tls_port == 9443
    assert settings_for(["--port", "9100"]).tls_port == 9543
    assert settings_for(["--port", "0"]).tls_port == 0  # any free one, as the port's
    assert settings_for(["--port", "65500"]).tls_port == 0
    assert settings_for(["--tls-port", "8443"]).tls_port == 8443
    assert settings_for(["--tls-port", "off"]).tls_port is None


@pytest.mark.parametrize("value", ["on", "-1", "65536", ""])
def test_a_bad_https_port_is_a_usage_error(value: str) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["server", "--tls-port", value])
    assert exited.value.code == 2


def test_the_https_authority_functions_reach() -> None:
    assert settings_for(["--host", "0.0.0.0", "--tls-port", "8443"]).tls_authority == (
        "127.0.0.1:8443"
    )
    assert settings_for(["--host", "::1", "--tls-port", "8443"]).tls_authority == "[::1]:8443"
    assert settings_for(["--tls-port", "off"]).tls_authority is None
