"""The Runtime API's result posts in-process: read up to Lambda's limit and no further."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest

from overcast.runtimes import runtime_api
from overcast.runtimes.python import protocol

LIMIT = protocol.RESPONSE_LIMIT
TOO_LARGE = "Response payload size exceeded maximum allowed payload size (6291556 bytes)."


class Control:
    """The engine's end of the control socket: keeps the frames the Runtime API sends."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, dict, bytes]] = []
        self._reader = protocol.FrameReader()

    def send(self, data: bytes) -> None:
        self.frames += self._reader.feed(data)


@pytest.fixture
def api() -> Iterator[tuple[runtime_api._State, int]]:
    state = runtime_api._State(Control(), None)
    server = runtime_api._Server(("127.0.0.1", 0), runtime_api._Handler)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, server.server_address[1]
    server.shutdown()
    server.server_close()


def post(port: int, request_id: str, body, chunked: bool = False) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    path = f"/2018-06-01/runtime/invocation/{request_id}/response"
    connection.request("POST", path, body=body, encode_chunked=chunked)
    answer = connection.getresponse()
    result = answer.status, json.loads(answer.read())
    connection.close()
    return result


@pytest.mark.parametrize("chunked", [False, True])
def test_a_result_over_the_limit_fails_the_invocation_and_gets_413(api, chunked) -> None:
    state, port = api
    state.request_id = "r-1"
    body = b"x" * (20 * 1024 * 1024)
    sent = iter([body[:LIMIT], body[LIMIT:]]) if chunked else body
    status, answer = post(port, "r-1", sent, chunked)
    assert (status, answer) == (
        413,
        {
            "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
            "errorType": "RequestEntityTooLarge",
        },
    )
    [(kind, meta, error)] = state.control.frames
    assert kind == protocol.ERROR and meta["error_type"] == "Function.ResponseSizeTooLarge"
    assert json.loads(error) == {
        "errorMessage": TOO_LARGE,
        "errorType": "Function.ResponseSizeTooLarge",
    }


def test_a_result_of_exactly_the_limit_is_the_response(api) -> None:
    state, port = api
    state.request_id = "r-1"
    assert post(port, "r-1", b"x" * LIMIT) == (202, {"status": "OK"})
    [(kind, _, body)] = state.control.frames
    assert kind == protocol.RESPONSE and len(body) == LIMIT
