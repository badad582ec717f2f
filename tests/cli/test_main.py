"""The `overcast` entry point: parsing, where clients point, and how failures are reported."""

from __future__ import annotations

import subprocess
import sys

import pytest
from botocore.exceptions import EndpointConnectionError, WaiterError

from overcast.aws.root_key import load_or_create
from overcast.cli.client import resolve_endpoint, resolve_region, signing_credentials
from overcast.cli.errors import CommandError
from overcast.cli.main import build_parser, describe

from .stubs import Clients, StubLambda, not_found, run

ENDPOINT = "http://127.0.0.1:9000"


def test_help_lists_every_command(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--help"])
    assert exited.value.code == 0
    help_text = capsys.readouterr().out
    for command in ("server", "deploy", "invoke", "ls", "logs", "rm"):
        assert command in help_text


def test_help_does_not_import_boto3() -> None:
    # `overcast --help` must start fast; boto3 alone costs a few hundred milliseconds.
    code = (
        "import sys\n"
        "from overcast.cli.main import build_parser\n"
        "build_parser().format_help()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert output.stdout.strip() == "[]", output.stderr


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture) -> None:
    # (`overcast deploy` alone is the current folder, as `serverless deploy` is)
    for argv in ([], ["nope"], ["deploy", "a", "b"], ["server", "--port", "x"]):
        with pytest.raises(SystemExit) as exited:
            build_parser().parse_args(argv)
        assert exited.value.code == 2, argv
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "environ", "expected"),
    [
        (None, {}, ENDPOINT),
        (None, {"AWS_ENDPOINT_URL": "http://aws-env:1"}, "http://aws-env:1"),
        (
            None,
            {"AWS_ENDPOINT_URL": "http://aws-env:1", "OVERCAST_ENDPOINT": "http://oc:2/"},
            "http://oc:2",
        ),
        ("http://flag:3", {"OVERCAST_ENDPOINT": "http://oc:2"}, "http://flag:3"),
    ],
)
def test_endpoint_resolution(given: str | None, environ: dict, expected: str) -> None:
    assert resolve_endpoint(given, environ) == expected


def test_region_resolution() -> None:
    assert resolve_region(None, {}) == "us-east-1"
    assert resolve_region(None, {"AWS_DEFAULT_REGION": "eu-west-1"}) == "eu-west-1"
    assert resolve_region(None, {"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "x"}) == (
        "ap-south-1"
    )
    assert resolve_region("us-west-2", {"AWS_REGION": "ap-south-1"}) == "us-west-2"


def test_the_cli_signs_with_the_data_dir_s_root_key_over_another_account_s(tmp_path) -> None:
    root = load_or_create(tmp_path / "data", "000000000000").key
    data = {"OVERCAST_DATA_DIR": str(tmp_path / "data")}
    root_key = {
        "aws_access_key_id": root.access_key_id,
        "aws_secret_access_key": root.secret_access_key,
    }
    real_aws = {"AWS_ACCESS_KEY_ID": "AKIAREALAWSACCOUNT00", "AWS_SECRET_ACCESS_KEY": "s"}
    # Credentials in the environment without AWS_ENDPOINT_URL are for AWS itself.
    assert signing_credentials({**data, **real_aws}) == root_key
    assert signing_credentials({**data, "AWS_PROFILE": "work"}) == root_key
    # `eval "$(overcast env)"` (or any key a user gives with an endpoint) is used as given.
    pointed = {**data, **real_aws, "AWS_ENDPOINT_URL": "http://127.0.0.1:9000"}
    assert signing_credentials(pointed) == {}
    # No root key here (a server elsewhere): the environment's, else any key (--auth off).
    elsewhere = {"OVERCAST_DATA_DIR": str(tmp_path / "none")}
    assert signing_credentials({**elsewhere, **real_aws}) == {}
    assert signing_credentials(elsewhere) == {
        "aws_access_key_id": "overcast",
        "aws_secret_access_key": "overcast",
    }


def test_connection_options_before_or_after_the_command(monkeypatch) -> None:
    monkeypatch.delenv("OVERCAST_ENDPOINT", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for argv in (
        ["--endpoint-url", "http://before:1", "--region", "eu-west-1", "ls"],
        ["ls", "--endpoint-url", "http://before:1", "--region", "eu-west-1"],
    ):
        clients = Clients()
        assert run(argv, clients).code == 0
        assert clients.made == [("lambda", "http://before:1", "eu-west-1")]


def test_a_client_error_is_one_line_with_code_and_message() -> None:
    result = run(["rm", "ghost"], Clients(StubLambda()))
    assert result.code == 1
    assert result.err == (
        "error: ResourceNotFoundException: Function not found: "
        "arn:aws:lambda:us-east-1:000000000000:function:ghost\n"
    )


def test_describe_failures() -> None:
    assert describe(CommandError("x is missing"), ENDPOINT) == "x is missing"
    unreachable = EndpointConnectionError(endpoint_url=ENDPOINT)
    assert describe(unreachable, ENDPOINT) == (
        f"cannot reach Overcast at {ENDPOINT} (is 'overcast server' running?)"
    )
    waited = WaiterError(name="FunctionActiveV2", reason="Max attempts exceeded", last_response={})
    assert "Max attempts exceeded" in describe(waited, ENDPOINT)
    assert describe(not_found("f"), ENDPOINT).startswith("ResourceNotFoundException: ")
    assert describe(RuntimeError("boom"), ENDPOINT) == "RuntimeError: boom"


def test_an_unexpected_error_never_prints_a_traceback() -> None:
    class Broken(Clients):
        def __call__(self, service: str, endpoint_url: str, region: str):
            raise RuntimeError("wires crossed")

    result = run(["ls"], Broken())
    assert (result.code, result.err) == (1, "error: RuntimeError: wires crossed\n")


def test_an_unreachable_server_end_to_end() -> None:
    """The real command, real boto3, against a port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}"
    completed = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", "ls", "--endpoint-url", url],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 1
    assert (
        completed.stderr
        == f"error: cannot reach Overcast at {url} (is 'overcast server' running?)\n"
    )
    assert completed.stdout == ""
