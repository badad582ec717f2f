"""Functions reach Overcast's endpoint and the outside network, not the host's other services."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from overcast.sandbox import loopback_guard
from overcast.sandbox.loopback_guard import LoopbackGuard, ruleset
from support import RunningServer, deploy

PROBE = """
import json, os, socket, urllib.request

def connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return "connected"
    except OSError as exc:
        return type(exc).__name__

def handler(event, context):
    own = socket.socket()
    own.bind(("127.0.0.1", 0))
    own.listen()  # a server of the function's own, as Lambda Web Adapter runs one
    url = os.environ["AWS_ENDPOINT_URL"] + "/_overcast/health"
    return {
        "host": connect(event["port"]),
        "own": connect(own.getsockname()[1]),
        "endpoint": urllib.request.urlopen(url, timeout=5).status,
    }
"""


def enforced() -> None:
    if os.geteuid() != 0:
        pytest.skip("environments have uids of their own only as root")
    works, why = loopback_guard.available()
    if not works:
        pytest.skip(f"the loopback rules cannot be applied here: {why}")


def test_a_function_reaches_the_endpoint_and_its_own_ports_not_the_hosts(
    server: RunningServer, lambda_client, function_name
) -> None:
    enforced()
    deploy(lambda_client, function_name, PROBE)
    with socket.create_server(("127.0.0.1", 0)) as listener:  # the host's own service
        payload = json.dumps({"port": listener.getsockname()[1]}).encode()
        answer = lambda_client.invoke(FunctionName=function_name, Payload=payload)
        seen = json.loads(answer["Payload"].read())
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # no connection ever reached it
    assert seen == {"host": "ConnectionRefusedError", "own": "connected", "endpoint": 200}


def test_the_rules_allow_every_running_servers_port_and_the_environments_uids() -> None:
    script = ruleset([9000, 4566, 9000], first=20000, count=40000)
    assert "add element inet overcast_loopback endpoints { 4566, 9000 }" in script
    assert "meta skuid 20000-59999 jump sent" in script
    assert "add element" not in ruleset([])  # no server running: no port open


def test_a_dead_servers_port_is_dropped_and_a_live_ones_kept(tmp_path: Path) -> None:
    registry = tmp_path / "endpoints"
    registry.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (registry / f"{dead.pid}.9100").write_text("1 9100\n")
    me = loopback_guard._start_time(os.getpid())
    (registry / f"{os.getpid()}.9200").write_text(f"{me} 9200\n")
    (registry / "1.9300").write_text("0 9300\n")  # pid 1 started at another time: a reused pid
    assert LoopbackGuard(9200, registry)._live_ports() == {9200}
    assert sorted(p.name for p in registry.iterdir()) == [f"{os.getpid()}.9200"]


def test_a_server_that_cannot_close_the_loopback_says_so_at_start(launch, tmp_path) -> None:
    output = tmp_path / "server.out"
    launch(tmp_path / "data", "--no-isolation", output=output)
    said = output.read_text()
    assert "off  host's own ports (loopback and its addresses) closed" in said
    assert "functions can reach every service on the host's loopback" in said


def test_a_servers_other_ports_are_entries_older_servers_read(tmp_path: Path) -> None:
    """A port a server serves environments on (Parameters and Secrets' 2773) is one more
    entry of the `start port` form every server reads; peers are the other servers' API ports."""
    registry = tmp_path / "endpoints"
    registry.mkdir()
    me = loopback_guard._start_time(os.getpid())
    (registry / f"{os.getpid()}.9200").write_text(f"{me} 9200\n")
    peer = subprocess.Popen(["sleep", "30"])
    try:
        started = loopback_guard._start_time(peer.pid)
        (registry / f"{peer.pid}.9300").write_text(f"{started} 9300\n")
        (registry / f"{peer.pid}.9300.2773").write_text(f"{started} 2773\n")
        guard = LoopbackGuard(9200, registry)
        applied: list[set[int]] = []
        guard._apply = applied.append  # type: ignore[method-assign]
        guard.allow(2774)
        assert (registry / f"{os.getpid()}.9200.2774").read_text() == f"{me} 2774\n"
        assert applied == [{9200, 9300, 2773, 2774}]
        assert guard.peers() == [9300]
        guard.remove()
        assert sorted(p.name for p in registry.iterdir() if p.name != ".lock") == [
            f"{peer.pid}.9300",
            f"{peer.pid}.9300.2773",
        ]
    finally:
        peer.kill()
        peer.wait()
