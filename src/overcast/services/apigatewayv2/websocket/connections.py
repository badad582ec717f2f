"""The open WebSocket connections of this server, by connection id.

A connection is registered once its `$connect` has let it in, and forgotten when it closes
(whoever closed it). The `@connections` management API sends to it, reads it and closes it
from any request on the same event loop; sends are serialised per connection so that two
PostToConnection calls never interleave their frames.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

_random = random.Random()

# ASGI's websocket.send / websocket.close as the front door hands them over
Send = Callable[[dict], Awaitable[None]]


def new_connection_id() -> str:
    """API Gateway's connection ids look like `L0SM9cOFvHcCIhw=`: 11 random bytes, base64."""
    return base64.b64encode(_random.getrandbits(88).to_bytes(11, "big")).decode()


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Connection:
    """One client's WebSocket: where it came in, and how to write to it."""

    connection_id: str
    api_id: str
    stage: str
    source_ip: str
    user_agent: str | None
    connected_at: int  # epoch milliseconds
    send_message: Send
    last_active: int = 0  # epoch milliseconds of the last message either way
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_code: int | None = None  # set when the server closes it (DeleteConnection, limits)
    # What `$connect` authorization found: requestContext.authorizer (a Lambda authorizer's
    # principalId and context) and the IAM caller's requestContext.identity members.
    authorizer: dict | None = None
    caller: dict = field(default_factory=dict)
    _sending: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.last_active = self.last_active or self.connected_at

    async def send(self, data: bytes) -> None:
        """Send `data` as a text frame when it is UTF-8 text, else as a binary frame."""
        try:
            message = {"type": "websocket.send", "text": data.decode("utf-8")}
        except UnicodeDecodeError:
            message = {"type": "websocket.send", "bytes": data}
        async with self._sending:
            if self.closed.is_set():
                return
            await self.send_message(message)
        self.last_active = now_ms()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close from the server's side; the front door then runs `$disconnect`."""
        async with self._sending:
            if self.closed.is_set():
                return
            self.close_code = code
            self.closed.set()
            await self.send_message({"type": "websocket.close", "code": code, "reason": reason})


class Connections:
    """Every open connection, by id. Touched only from the event loop: no lock."""

    def __init__(self) -> None:
        self._open: dict[str, Connection] = {}

    def add(self, connection: Connection) -> None:
        self._open[connection.connection_id] = connection

    def remove(self, connection_id: str) -> None:
        self._open.pop(connection_id, None)

    def get(self, connection_id: str) -> Connection | None:
        return self._open.get(connection_id)

    def __len__(self) -> int:
        return len(self._open)

    async def close_all(self) -> None:
        """The server is stopping: every client is told (1001, going away)."""
        for connection in list(self._open.values()):
            try:
                await connection.close(1001, "Going away")
            except Exception:  # a client already gone: nothing left to tell it
                pass
