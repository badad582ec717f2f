"""The WebSocket front door in-process, over a fake ASGI connection: the idle and duration
limits, the message size quota, and unrouted messages (no function involved)."""

from __future__ import annotations

import asyncio
import json

from overcast.services.apigatewayv2.model.websocket_api import (
    SelectionExpression,
    ServedSocketApi,
    ServedSocketStage,
)
from overcast.services.apigatewayv2.websocket.endpoint import WebSocketApis
from support import StubPermissions

API_ID = "a1b2c3d4e5"
STAGE = ServedSocketStage("prod", {}, {}, {}, frozenset())
API = ServedSocketApi(
    API_ID, "us-east-1", False, SelectionExpression("$request.body.action"), {"prod": STAGE}
)


def door(**limits: float) -> WebSocketApis:
    served = {API_ID: API}.get
    return WebSocketApis(served, None, None, "000000000000", StubPermissions(), **limits)


def scope(path: str = f"/execute-api/{API_ID}/prod") -> dict:
    return {
        "type": "websocket",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:9000"), (b"user-agent", b"test")],
        "client": ("127.0.0.1", 5000),
    }


async def converse(sockets: WebSocketApis, incoming: list[dict], path: str | None = None):
    """Run one connection: `incoming` are the client's ASGI messages after the connect (the
    connection then waits); answers what the door sent."""
    queue: asyncio.Queue = asyncio.Queue()
    for message in [{"type": "websocket.connect"}, *incoming]:
        queue.put_nowait(message)
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    request = scope(path) if path else scope()
    assert sockets.match(request)
    await asyncio.wait_for(sockets(request, queue.get, send), 10)
    return sent


def test_an_idle_connection_is_closed_going_away() -> None:
    sent = asyncio.run(converse(door(idle_timeout_s=0.05), []))
    assert sent[0]["type"] == "websocket.accept"
    assert sent[-1] == {"type": "websocket.close", "code": 1001, "reason": "Going away"}


def test_every_connection_ends_at_the_duration_limit() -> None:
    sockets = door(max_duration_s=0.05)
    sent = asyncio.run(converse(sockets, [{"type": "websocket.receive", "text": "{}"}]))
    assert sent[-1]["code"] == 1001
    assert len(sockets.connections) == 0


def test_a_message_over_128_kb_closes_the_connection() -> None:
    big = {"type": "websocket.receive", "bytes": b"x" * (128 * 1024 + 1)}
    sent = asyncio.run(converse(door(), [big]))
    assert sent[-1] == {"type": "websocket.close", "code": 1009, "reason": "Message too big"}


def test_an_unrouted_message_is_answered_forbidden() -> None:
    messages = [
        {"type": "websocket.receive", "text": '{"action": "nothing"}'},
        {"type": "websocket.disconnect", "code": 1000},
    ]
    sent = asyncio.run(converse(door(), messages))
    answer = json.loads(sent[1]["text"])
    assert answer["message"] == "Forbidden"
    assert sent[1]["text"].startswith('{"message": "Forbidden", "connectionId":"')


def test_a_stage_that_does_not_exist_refuses_the_handshake() -> None:
    sent = asyncio.run(converse(door(), [], f"/execute-api/{API_ID}/nope"))
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_http_apis_and_unknown_apis_are_not_claimed() -> None:
    assert door().match(scope("/execute-api/zzzzzzzzzz/prod")) is None
    assert door().match(scope("/2015-03-31/functions")) is None
