"""Slow and idle clients are let go, and connections beyond the cap are answered 503, while
every other client is still answered (http/connection_guard.py, through a real server)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from overcast.http.connection_guard import default_max_connections
from support import RunningServer, http_call, start_server, wait_for

DEADLINE_S = 20.0  # for the server to act on a 1-second timeout on a busy machine
HEALTH = b"GET /_overcast/health HTTP/1.1\r\nHost: test\r\n\r\n"


def connect(server: RunningServer) -> socket.socket:
    host, port = server.endpoint.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.settimeout(DEADLINE_S)
    return sock


def everything_until_closed(sock: socket.socket) -> bytes:
    """What the server sends until it closes the connection (recv fails at the deadline)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def one_response(sock: socket.socket) -> bytes:
    """The head of one response to a body-less request on a kept-alive connection."""
    data = b""
    while not data.endswith(b'{"status":"ok"}'):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    return data


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the module's timeout tests, each on connections of its own."""
    running = start_server(
        tmp_path_factory.mktemp("quick"),
        "--keep-alive",
        "30",
        "--head-timeout",
        "1",
        "--idle-timeout",
        "1",
        "--send-timeout",
        "1",
    )
    yield running
    running.stop()


def test_a_partial_request_head_is_answered_408_and_closed(quick: RunningServer) -> None:
    with connect(quick) as sock:
        sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: te")
        answer = everything_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"connection: close\r\n" in answer


def test_a_connection_that_sends_nothing_is_closed_quietly(quick: RunningServer) -> None:
    with connect(quick) as sock:
        assert everything_until_closed(sock) == b""


def test_a_stalled_body_is_answered_408_and_closed(quick: RunningServer) -> None:
    head = b"POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: t\r\nContent-Length: 10"
    with connect(quick) as sock:
        sock.sendall(head + b"\r\n\r\n{}")
        assert everything_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_an_idle_kept_alive_connection_is_closed_after_its_answers(
    quick: RunningServer,
) -> None:
    with connect(quick) as sock:
        for _ in range(2):  # the deadline starts again after each answer
            sock.sendall(HEALTH)
            assert one_response(sock).startswith(b"HTTP/1.1 200 ")
        assert everything_until_closed(sock) == b""


def test_a_client_that_takes_none_of_a_response_is_dropped(quick: RunningServer) -> None:
    """A response larger than the socket buffers, to a client that reads none of it: after
    send_timeout_s with the buffer full, the connection is dropped with what was held for it."""
    s3 = quick.client("s3")
    s3.create_bucket(Bucket="send-timeout")
    size = 64 * 1024 * 1024
    s3.put_object(Bucket="send-timeout", Key="big", Body=b"x" * size)
    url = s3.generate_presigned_url("get_object", {"Bucket": "send-timeout", "Key": "big"})
    target = url.removeprefix(quick.endpoint)
    with connect(quick) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        time.sleep(4)  # the send timeout (1 s) passes while nothing is read
        received = 0
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
    assert received < size  # cut off: the whole body never came
    with connect(quick) as sock:  # and the server answers others
        sock.sendall(HEALTH)
        assert one_response(sock).startswith(b"HTTP/1.1 200 ")


@pytest.fixture
def capped(launch, tmp_path: Path) -> RunningServer:
    return launch(tmp_path / "data", "--max-connections", "3")


def test_connections_beyond_the_cap_are_answered_503_and_others_still_are(
    capped: RunningServer,
) -> None:
    slow = [connect(capped) for _ in range(3)]
    try:
        for sock in slow:  # each is open and counted: it was answered, and kept alive
            sock.sendall(HEALTH)
            one_response(sock)
            sock.sendall(b"GET /_overcast/health HTTP/1.1\r\n")  # then dawdles
        with connect(capped) as extra:
            answer = everything_until_closed(extra)
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert b"retry-after: 1\r\n" in answer
    finally:
        for sock in slow:
            sock.close()
    # Once the slow ones are gone (the server notices at once, but asynchronously), a new
    # client is answered.
    assert wait_for(lambda: http_call(f"{capped.endpoint}/_overcast/health")[0] == 200)


@pytest.mark.parametrize(
    ("file_limit", "cap"), [(1024, 512), (20_000, 10_000), (1 << 20, 10_000), (1, 1)]
)
def test_the_default_cap_is_half_the_file_limit_at_most_ten_thousand(
    file_limit: int, cap: int
) -> None:
    assert default_max_connections(file_limit) == cap
