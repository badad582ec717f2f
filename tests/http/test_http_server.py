"""The `overcast server` process around uvicorn (http/server.py): its listening socket,
its file limit, its access log and its shutdown."""

from __future__ import annotations

import logging
import os
import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from overcast.cli.errors import PortUnavailable
from overcast.http.server import AccessLogBudget, listen, raise_file_limit
from support import http_call, signed, wait_for


def test_a_busy_port_is_said_plainly() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortUnavailable) as refused:
            listen("127.0.0.1", port)
    assert str(refused.value) == f"port {port} is in use: stop the other server or pass --port"


def test_an_unknown_host_is_said_plainly() -> None:
    with pytest.raises(PortUnavailable, match="pass --host"):
        listen("no-such-host.invalid", 0)


def test_listening_sockets_are_ready_before_the_server_starts() -> None:
    sockets = listen("127.0.0.1", 0)
    try:
        port = sockets[0].getsockname()[1]
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # in the backlog
    finally:
        for sock in sockets:
            sock.close()


def test_the_soft_file_limit_is_raised_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard < 256:
        pytest.skip("needs a finite hard RLIMIT_NOFILE of at least 256")
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, hard))
    try:
        assert raise_file_limit() == hard
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_cli_says_only_that_the_port_is_busy(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "overcast.cli.main", "server", "--port", str(port)]
            + ["--data-dir", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == ""  # no "serving on ..." first
    assert result.stderr == f"error: port {port} is in use: stop the other server or pass --port\n"


INVOKE_MISSING = "/2015-03-31/functions/no-such-function/invocations"


def invoke_missing(server):
    url = f"{server.endpoint}{INVOKE_MISSING}"
    return http_call(url, "POST", b"{}", signed(url, "POST", b"{}", service="lambda"))


def test_log_level_info_writes_a_line_per_request(launch, tmp_path: Path) -> None:
    output = tmp_path / "server.out"
    server = launch(tmp_path / "data", "--log-level", "info", output=output)
    http_call(f"{server.endpoint}/_overcast/health")  # answered through ASGI
    status, _, _ = invoke_missing(server)  # off ASGI
    assert status == 404

    def logged() -> list[str]:
        lines = output.read_text().splitlines()
        return [line for line in lines if " INFO 127.0.0.1:" in line]

    # Wait for the invoke's own line: the server's set-up calls (its test role) log lines too.
    invoked = f'"POST {INVOKE_MISSING} HTTP/1.1" 404'
    lines = wait_for(lambda: any(line.endswith(invoked) for line in logged()) and logged())
    assert any(line.endswith('"GET /_overcast/health HTTP/1.1" 200') for line in lines)


def test_log_level_warning_writes_no_access_log(launch, tmp_path: Path) -> None:
    output = tmp_path / "server.out"
    server = launch(tmp_path / "data", "--log-level", "warning", output=output)
    http_call(f"{server.endpoint}/_overcast/health")
    invoke_missing(server)
    server.stop()
    text = output.read_text()
    assert "_overcast/health" not in text and INVOKE_MISSING not in text


def test_the_access_log_writes_at_most_its_budget_a_second_and_counts_the_rest(caplog) -> None:
    now = [100.0]
    budget = AccessLogBudget(per_second=3, clock=lambda: now[0])
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "line", (), None)
    assert [budget.filter(record) for _ in range(5)] == [True, True, True, False, False]
    assert not budget.wanted()  # the shortcut asks first: a sixth request, not logged either
    caplog.set_level(logging.INFO, logger="overcast.access")
    now[0] += 1.0
    assert budget.filter(record)
    assert caplog.messages == ["3 more requests were not logged (over 3 a second)"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_server_says_so_and_exits_0(launch, tmp_path: Path, stop: int) -> None:
    output = tmp_path / "server.out"
    server = launch(tmp_path / "data", output=output)
    os.kill(server.process.pid, stop)
    assert server.process.wait(timeout=30) == 0
    lines = output.read_text().splitlines()
    name = signal.Signals(stop).name
    assert f"Overcast is stopping ({name}): finishing the requests in progress" in lines
    assert lines[-1] == "Overcast stopped."


def test_the_cli_says_only_that_the_https_port_is_busy(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "overcast.cli.main", "server", "--port", "0"]
            + ["--tls-port", str(port), "--data-dir", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: port {port} is in use: stop the other server or pass --tls-port (off: none)\n"
    )
