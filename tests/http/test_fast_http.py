"""The shortcut past ASGI (http/fast_http.py), for Invoke and for function URLs, keeps
HTTP/1.1's rules: answers in order on a connection, keep-alive and close, pipelined requests
of any kind, bodies split across packets, Expect: 100-continue, HEAD; and whatever a function
answers, the connection stays usable."""

from __future__ import annotations

import json
import socket
import time

import pytest

from support import allow_public_url, deploy, signed

ECHO = "def handler(event, context):\n    return event\n"


def invoke_request(server, name: str, body: bytes, *extra: str) -> bytes:
    """Invoke's raw request, signed by the server's root key as botocore signs it (Host, date
    and body hash; `extra` headers are sent unsigned, as Expect and Connection are by SDKs)."""
    path = f"/2015-03-31/functions/{name}/invocations"
    signature = signed(f"{server.endpoint}{path}", "POST", body, service="lambda")
    host = server.endpoint.removeprefix("http://")
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        *(f"{k}: {v}" for k, v in signature.items()),
        f"Content-Length: {len(body)}",
        *extra,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def read_responses(sock: socket.socket, count: int) -> list[tuple[int, dict, bytes]]:
    """Read `count` Content-Length-framed responses."""
    data, answers = b"", []
    sock.settimeout(20)
    while len(answers) < count:
        while b"\r\n\r\n" not in data:
            data += received(sock)
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
        length = int(headers.get("content-length", 0))
        while len(data) < length:
            data += received(sock)
        answers.append((int(lines[0].split()[1]), headers, data[:length]))
        data = data[length:]
    return answers


def received(sock: socket.socket) -> bytes:
    data = sock.recv(65536)
    assert data, "the server closed the connection"
    return data


@pytest.fixture
def echo(lambda_client, function_name) -> str:
    deploy(lambda_client, function_name, ECHO)
    return function_name


def connect(server) -> socket.socket:
    host, port = server.endpoint.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)))


def test_pipelined_invokes_are_answered_in_order(server, echo) -> None:
    with connect(server) as sock:
        requests = [invoke_request(server, echo, json.dumps({"n": n}).encode()) for n in range(5)]
        health = b"GET /_overcast/health HTTP/1.1\r\nHost: test\r\n\r\n"
        sock.sendall(b"".join(requests[:3]) + health + b"".join(requests[3:]))
        answers = read_responses(sock, 6)
    bodies = [json.loads(body) for _, _, body in answers]
    assert [a[0] for a in answers] == [200] * 6
    assert bodies == [{"n": 0}, {"n": 1}, {"n": 2}, {"status": "ok"}, {"n": 3}, {"n": 4}]


def test_body_split_across_packets_and_keep_alive(server, echo) -> None:
    with connect(server) as sock:
        for n in range(3):
            request = invoke_request(server, echo, json.dumps({"n": n}).encode())
            head, body = request.split(b"\r\n\r\n", 1)
            sock.sendall(head + b"\r\n\r\n")
            time.sleep(0.05)
            sock.sendall(body)
            [(status, headers, answer)] = read_responses(sock, 1)
            assert status == 200 and json.loads(answer) == {"n": n}
            assert headers["x-amz-executed-version"] == "$LATEST"
            assert headers["content-type"] == "application/json"


def test_connection_close_and_errors(server, echo) -> None:
    with connect(server) as sock:
        sock.sendall(invoke_request(server, "no-such-function", b"{}", "Connection: close"))
        [(status, headers, body)] = read_responses(sock, 1)
        assert status == 404 and headers["x-amzn-errortype"] == "ResourceNotFoundException"
        assert headers.get("connection") == "close"
        assert sock.recv(10) == b""  # the server closed the connection


def test_an_unsigned_invoke_is_refused_and_the_connection_goes_on(server, echo) -> None:
    unsigned = (
        f"POST /2015-03-31/functions/{echo}/invocations HTTP/1.1\r\n"
        "Host: test\r\nContent-Length: 2\r\n\r\n{}"
    ).encode()
    with connect(server) as sock:
        sock.sendall(unsigned + invoke_request(server, echo, b'{"n": 1}'))
        answers = read_responses(sock, 2)
    assert answers[0][0] == 403
    assert answers[0][1]["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert answers[1][0] == 200 and json.loads(answers[1][2]) == {"n": 1}


def test_expect_100_continue_takes_the_ordinary_path(server, echo) -> None:
    with connect(server) as sock:
        request = invoke_request(server, echo, b'{"big": true}', "Expect: 100-continue")
        head, body = request.split(b"\r\n\r\n", 1)
        sock.sendall(head + b"\r\n\r\n")
        sock.settimeout(20)
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        [(status, _, answer)] = read_responses(sock, 1)
        assert status == 200 and json.loads(answer) == {"big": True}


WEB = """
def handler(event, context):
    path = event["rawPath"]
    if path == "/odd":
        return {"statusCode": 299, "body": "odd"}
    if path == "/euro":
        return {"statusCode": 200, "headers": {"x-price": "10 \\u20ac"}, "body": "priced"}
    return {"statusCode": 200, "headers": {"content-length": "999"}, "body": path}
"""


@pytest.fixture
def url_path(lambda_client, function_name) -> str:
    name = f"{function_name}-web"
    deploy(lambda_client, name, WEB)
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    allow_public_url(lambda_client, name)
    return "/" + url["FunctionUrl"].split("/", 3)[3].rstrip("/")


def get(path: str, method: str = "GET", *extra: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: test", *extra, "", ""]).encode()


def test_function_url_requests_pipelined_with_invokes(server, echo, url_path) -> None:
    with connect(server) as sock:
        sock.sendall(
            get(url_path + "/a")
            + invoke_request(server, echo, b'{"n": 1}')
            + get(url_path + "/b")
            + get("/_overcast/health")
        )
        answers = read_responses(sock, 4)
    assert [status for status, _, _ in answers] == [200] * 4
    assert [body for _, _, body in answers][:3] == [b"/a", b'{"n": 1}', b"/b"]
    assert json.loads(answers[3][2]) == {"status": "ok"}
    # The function's own Content-Length is passed on renamed, as AWS's front ends do.
    assert answers[0][1]["x-amzn-remapped-content-length"] == "999"
    assert answers[0][1]["content-length"] == "2" and "date" in answers[0][1]


def test_head_odd_statuses_and_unsendable_headers(server, url_path) -> None:
    with connect(server) as sock:
        sock.sendall(get(url_path + "/x", "HEAD"))
        sock.settimeout(20)
        head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n")
        assert b"content-length: 2\r\n" in head  # the body's length, without the body
        sock.sendall(get(url_path + "/odd") + get(url_path + "/euro") + get(url_path + "/ok"))
        answers = read_responses(sock, 3)
    assert answers[0][0] == 299 and answers[0][2] == b"odd"
    # A header value HTTP cannot carry: an invalid response (502), and the connection goes on.
    assert answers[1][0] == 502
    assert answers[2][0] == 200 and answers[2][2] == b"/ok"


def test_oversized_function_url_body_keeps_the_connection(server, url_path) -> None:
    body = b"x" * (6 * 1024 * 1024 + 1)
    with connect(server) as sock:
        sock.sendall(get(url_path + "/big", "POST", f"Content-Length: {len(body)}")[:-2])
        sock.sendall(b"\r\n" + body + get(url_path + "/after"))
        answers = read_responses(sock, 2)
    assert answers[0][0] == 413 and json.loads(answers[0][2]) == {
        "Message": "Request Entity Too Large"
    }
    assert answers[1][0] == 200 and answers[1][2] == b"/after"


def test_invoke_body_past_the_shortcut_limit_is_refused(server, echo) -> None:
    body = b'{"x": "' + b"a" * (8 * 1024 * 1024) + b'"}'
    with connect(server) as sock:
        sock.sendall(invoke_request(server, echo, body) + invoke_request(server, echo, b'{"n": 1}'))
        answers = read_responses(sock, 2)
    assert answers[0][0] == 413
    assert answers[0][1]["x-amzn-errortype"] == "RequestEntityTooLargeException"
    assert answers[1][0] == 200 and json.loads(answers[1][2]) == {"n": 1}
