"""One stream of an HTTP/2 connection (http2.py): the ASGI `receive` and `send` of one
request, with HTTP/2's flow control both ways: the body a client sends is acknowledged (its
window reopened) as the app takes it, and a response goes out no faster than the client's
window and the transport allow."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from h2.errors import ErrorCodes
from h2.exceptions import ProtocolError

from overcast.http.server import ACCESS_BUDGET

if TYPE_CHECKING:
    from overcast.http.http2 import Http2Connection

log = logging.getLogger("uvicorn.error")
access_log = logging.getLogger("uvicorn.access")

# Connection-specific fields that HTTP/2 forbids (RFC 9113 section 8.2.2).
CONNECTION_FIELDS = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"}
)


class Http2Stream:
    """One request and its response: the ASGI `receive` and `send` of one stream."""

    def __init__(self, connection: Http2Connection, stream_id: int, scope: dict) -> None:
        self.connection, self.stream_id, self.scope = connection, stream_id, scope
        self.chunks: deque[bytes] = deque()
        self.unacknowledged = 0  # body bytes received that the app has not taken yet
        self.ended = False  # the client's END_STREAM: the whole body is here
        self.body_taken = False  # the last http.request message went out
        self.disconnected = False
        self.complete = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_sent = False
        self.changed = asyncio.Event()  # body, end, reset, or window: whatever a wait awaits
        self.expects_continue = any(
            name == b"expect" and value.lower() == b"100-continue"
            for name, value in scope["headers"]
        )

    # the connection's side

    def receive_data(self, data: bytes, flow_controlled: int) -> None:
        self.chunks.append(data)
        self.unacknowledged += flow_controlled
        self.changed.set()

    def end(self) -> None:
        self.ended = True
        self.changed.set()

    def disconnect(self) -> None:
        self.disconnected = True
        self.changed.set()

    def window_opened(self) -> None:
        self.changed.set()

    # the app's side

    async def run(self, app: Any) -> None:
        try:
            await app(self.scope, self.receive, self.send)
        except Exception:
            log.exception("Exception in ASGI application\n")
        finally:
            if not self.complete and not self.disconnected:
                try:
                    self._abandon()
                except ProtocolError:  # the connection is gone
                    pass
            self.connection.finished(self)

    def _abandon(self) -> None:
        """The app ended without a whole response: 500 if nothing went out, else a reset."""
        h2conn = self.connection.h2
        if self.headers_sent:
            h2conn.reset_stream(self.stream_id, ErrorCodes.INTERNAL_ERROR)
        else:
            fields = [(b":status", b"500"), (b"content-type", b"text/plain; charset=utf-8")]
            h2conn.send_headers(self.stream_id, fields)
            h2conn.send_data(self.stream_id, b"Internal Server Error", end_stream=True)
        self.complete = True
        self.connection.flush()

    async def receive(self) -> dict:
        if self.expects_continue:
            self._continue()
        while not (self.chunks or self.ended or self.disconnected or self.complete):
            self.changed.clear()
            try:
                # As the HTTP/1.1 connections' body deadline (connection_guard.py): a client
                # that opens a stream and goes silent must not hold it, and its app, for ever.
                async with asyncio.timeout(self.connection.limits.head_timeout_s):
                    await self.changed.wait()
            except TimeoutError:
                self._time_out()
        if self.chunks:
            body = b"".join(self.chunks)
            self.chunks.clear()
            self._acknowledge()
            more = not self.ended
            self.body_taken = not more
            return {"type": "http.request", "body": body, "more_body": more}
        if self.ended and not self.body_taken and not self.disconnected:
            self.body_taken = True
            return {"type": "http.request", "body": b"", "more_body": False}
        while not (self.disconnected or self.complete):
            self.changed.clear()
            await self.changed.wait()
        return {"type": "http.disconnect"}

    def _time_out(self) -> None:
        """408, as an HTTP/1.1 body that stops coming is answered; then the stream is reset
        (RFC 9113 section 8.1: a response ahead of the request's end ends with RST_STREAM
        NO_ERROR), and what the app still sends is dropped."""
        h2conn = self.connection.h2
        try:
            if not self.headers_sent:
                self.headers_sent = True
                fields = [(b":status", b"408"), (b"content-length", b"0")]
                h2conn.send_headers(self.stream_id, fields, end_stream=True)
            h2conn.reset_stream(self.stream_id, ErrorCodes.NO_ERROR)
        except ProtocolError:  # the stream or connection closed meanwhile
            pass
        self.complete = True
        self.connection.flush()

    def _continue(self) -> None:
        """`Expect: 100-continue` (RFC 9110 section 10.1.1), answered when the app first asks
        for the body, as uvicorn does: an interim 100 before the body is sent."""
        self.expects_continue = False
        if not (self.chunks or self.ended or self.disconnected or self.headers_sent):
            self.connection.h2.send_headers(self.stream_id, [(b":status", b"100")])
            self.connection.flush()

    def _acknowledge(self) -> None:
        if self.unacknowledged and not self.disconnected:
            self.connection.acknowledge(self.unacknowledged, self.stream_id)
        self.unacknowledged = 0

    async def send(self, message: dict) -> None:
        if self.disconnected or self.complete:
            return  # as uvicorn: the client is gone, what the app still sends is dropped
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (name.lower(), value)
                for name, value in message.get("headers", ())
                if name.lower() not in CONNECTION_FIELDS
            ]
        elif kind == "http.response.body":
            try:
                await self._send_body(message.get("body", b""), message.get("more_body", False))
            except ProtocolError:  # the stream or connection was closed under it
                self.disconnect()

    async def _send_body(self, body: bytes, more: bool) -> None:
        h2conn, last = self.connection.h2, not more
        if not self.headers_sent:
            self.headers_sent = True
            fields = [(b":status", str(self.status).encode()), *self.headers]
            fields += self.connection.server_state.default_headers  # Date, kept by uvicorn
            h2conn.send_headers(self.stream_id, fields, end_stream=last and not body)
            self._log()
        elif last and not body:
            h2conn.end_stream(self.stream_id)
        view = memoryview(body)
        while view and not self.disconnected:
            window = h2conn.local_flow_control_window(self.stream_id)
            size = min(window, h2conn.max_outbound_frame_size)
            if size <= 0 or not self.connection.writable.is_set():
                self.connection.flush()
                await self._wait_to_write()
                continue
            chunk, view = view[:size], view[size:]
            h2conn.send_data(self.stream_id, bytes(chunk), end_stream=last and not view)
        self.complete = last
        self.connection.flush()

    async def _wait_to_write(self) -> None:
        """Until the client opens its window (WINDOW_UPDATE) or the transport drains; at most
        send_timeout_s (connection_guard.py), after which the connection gives up on it."""
        try:
            async with asyncio.timeout(self.connection.limits.send_timeout_s):
                if not self.connection.writable.is_set():
                    await self.connection.writable.wait()
                    return
                self.changed.clear()
                await self.changed.wait()
        except TimeoutError:
            self.connection.stalled(self)

    def _log(self) -> None:
        if not (self.connection.log_access and ACCESS_BUDGET.wanted()):
            return
        scope = self.scope
        target = scope["raw_path"] + (
            b"?" + scope["query_string"] if scope["query_string"] else b""
        )
        client = f"{scope['client'][0]}:{scope['client'][1]}" if scope["client"] else ""
        line = f"{scope['method']} {target.decode('ascii', 'backslashreplace')} HTTP/2"
        access_log.info('%s - "%s" %d', client, line, self.status)
