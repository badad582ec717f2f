"""HTTP/2 on the HTTP/1.1 port: connections that open with HTTP/2's preface are served by
the same ASGI app over `h2` (the sans-I/O HTTP/2 library that hypercorn and httpx use).

The AWS SDK for JavaScript v3 sends some services' requests over HTTP/2 by default: the
Kinesis client's request handler is NodeHttp2Handler. Given an http:// endpoint, Node's
`http2.connect` opens a plain TCP connection and starts with the HTTP/2 preface at once
("prior knowledge", RFC 9113 section 3.3: no Upgrade, no ALPN). uvicorn speaks HTTP/1.1 only,
and answered that with 400. So the first bytes of every connection are looked at: the
preface hands the connection to Http2Connection; anything else stays with uvicorn's protocol
(and its shortcuts, fast_http.py) as before, at no cost to its later requests (PriorKnowledge).

Every request of an HTTP/2 connection takes the ASGI path (no Invoke shortcut): the clients
that speak it (the JavaScript SDK's Kinesis, and its event-stream operations) call AWS APIs.
An idle connection (no stream open) is closed after the server's idle timeout, as its
HTTP/1.1 connections are (connection_guard.py); its GOAWAY tells the client why.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from typing import Any

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from h2.connection import ConnectionState
from h2.errors import ErrorCodes
from h2.settings import SettingCodes
from hyperframe.frame import GoAwayFrame
from uvicorn.protocols.utils import get_local_addr, get_remote_addr, is_ssl

from overcast.http.connection_guard import ConnectionLimits
from overcast.http.header_case import NAMES_AS_SENT
from overcast.http.http2_stream import Http2Stream

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# What a client may send ahead of the app reading it: per stream, and per connection (so a
# connection holds at most this much unread body). Larger than HTTP/2's 64 KB default, so a
# Kinesis PutRecords of a few MB needs few window updates.
RECEIVE_WINDOW = 1 << 20
MAX_CONCURRENT_STREAMS = 100  # the value most servers advertise (nginx's, h2o's)
MAX_HEADER_LIST_SIZE = h2.connection.H2Connection.DEFAULT_MAX_HEADER_LIST_SIZE  # 64 KiB
# RFC 9110's token characters: what a method may be made of (RFC 9110 section 9.1)
TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class PriorKnowledge:
    """Mixed in ahead of uvicorn's HttpToolsProtocol (fast_http.protocol_for does): a
    connection whose first bytes are HTTP/2's preface is handed to Http2Connection.

    Only the first bytes are looked at, and the requests after them pay nothing for it: until
    they come, `data_received` is an instance attribute (`_first_bytes`) in front of the
    class's method. uvloop keeps the bound method it finds when it makes the transport, so
    once the bytes are known to be HTTP/1.1's the attribute goes and `set_protocol` has the
    transport look again (asyncio's own transports look it up on every read)."""

    _held = b""  # a first chunk shorter than the preface, that may yet become it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data_received = self._first_bytes

    def _first_bytes(self, data: bytes) -> None:
        data = self._held + data
        if not PREFACE.startswith(data[: len(PREFACE)]):
            del self.data_received
            self._held = b""
            http1: Any = self
            http1.transport.set_protocol(self)
            http1.data_received(data)
        elif len(data) < len(PREFACE):
            self._held = data
        else:
            self._hand_over(data)

    def _hand_over(self, data: bytes) -> None:
        http1: Any = self
        http1.connections.discard(http1)  # its connection_lost will not come
        connection = Http2Connection(
            http1.app, http1.server_state, http1.app_state, http1.limits, http1.access_log
        )
        http1.transport.set_protocol(connection)
        connection.connection_made(http1.transport)
        connection.data_received(data)


class Http2Connection(asyncio.Protocol):
    """One HTTP/2 connection: each stream is one ASGI `http` request to `app`."""

    def __init__(
        self,
        app: Any,
        server_state: Any,
        app_state: dict,
        limits: ConnectionLimits,
        log_access: bool = False,
    ) -> None:
        self.app, self.server_state, self.app_state = app, server_state, app_state
        self.limits, self.log_access = limits, log_access
        self.loop = asyncio.get_running_loop()
        self.h2 = _Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.streams: dict[int, Http2Stream] = {}
        self.writable = asyncio.Event()
        self.writable.set()
        self.closing = False
        self._idle: asyncio.TimerHandle | None = None
        self._idle_since = 0.0

    # -- the transport's side ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.server_state.connections.add(self)
        self.client, self.server = get_remote_addr(transport), get_local_addr(transport)
        self.scheme = "https" if is_ssl(transport) else "http"
        # Set before the first SETTINGS frame, which announces them (h2's documented way).
        self.h2.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                SettingCodes.INITIAL_WINDOW_SIZE: RECEIVE_WINDOW,
                SettingCodes.MAX_CONCURRENT_STREAMS: MAX_CONCURRENT_STREAMS,
                # The limit h2's decoder holds every header block to anyway: announced, so
                # a client knows it before it sends more (RFC 9113 section 6.5.2)
                SettingCodes.MAX_HEADER_LIST_SIZE: MAX_HEADER_LIST_SIZE,
            },
        )
        self.h2.initiate_connection()
        self.h2.increment_flow_control_window(RECEIVE_WINDOW - 65535)
        self.flush()
        self._went_idle()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.flush()  # h2 has queued its GOAWAY
            self.transport.close()
            return
        for event in events:
            self._on_event(event)
        self.flush()

    def eof_received(self) -> bool | None:
        return None  # the transport closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        for stream in self.streams.values():
            stream.disconnect()
        self.writable.set()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    def stalled(self, stream: Http2Stream) -> None:
        """`stream`'s client took none of its response for send_timeout_s (nginx's
        send_timeout): one that reads nothing at all loses the connection; one that keeps
        its window for the stream shut, the stream (reset with CANCEL)."""
        if not self.writable.is_set():
            self.transport.abort()  # what is buffered for it goes too
            return
        self._refuse(stream.stream_id, ErrorCodes.CANCEL)
        stream.disconnect()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: new streams are refused (REFUSED_STREAM: a client may
        retry them elsewhere), the open ones finish, then GOAWAY and close. (GOAWAY goes last:
        once it is sent, h2 sends nothing more on the connection.)"""
        self.closing = True
        if not self.streams:
            self.close()

    def close(self) -> None:
        if self.h2.state_machine.state is not ConnectionState.CLOSED:
            self.h2.close_connection()
            self.flush()
        self.transport.close()

    def acknowledge(self, size: int, stream_id: int) -> None:
        """Give `size` bytes of body back to the client's windows (h2 skips a closed
        stream's own and keeps the connection's)."""
        if self.h2.state_machine.state is not ConnectionState.CLOSED:
            self.h2.acknowledge_received_data(size, stream_id)
            self.flush()

    def flush(self) -> None:
        data = self.h2.data_to_send()
        if data and not self.transport.is_closing():
            self.transport.write(data)

    # -- frames in -------------------------------------------------------------------------

    def _on_event(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            self._start(event.stream_id, event.headers)
        elif isinstance(event, h2.events.DataReceived):
            stream = self.streams.get(event.stream_id)
            if stream is None:  # the body of a stream already answered
                self.acknowledge(event.flow_controlled_length, event.stream_id)
            else:
                stream.receive_data(event.data, event.flow_controlled_length)
        elif isinstance(event, h2.events.StreamEnded):
            if (stream := self.streams.get(event.stream_id)) is not None:
                stream.end()
        elif isinstance(event, h2.events.StreamReset):
            if (stream := self.streams.get(event.stream_id)) is not None:
                stream.disconnect()
        elif isinstance(event, h2.events.WindowUpdated):
            for stream in self.streams.values():
                stream.window_opened()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._on_goaway(event.error_code)

    def _on_goaway(self, error_code: ErrorCodes | int) -> None:
        if error_code != ErrorCodes.NO_ERROR:
            self.transport.close()
            return
        self.closing = True  # the client's GOAWAY: the open streams are still answered
        if not self.streams:
            self.close()

    def _start(self, stream_id: int, headers: list[tuple[bytes, bytes]]) -> None:
        # h2 bounds the streams open in HTTP/2's sense, but one the client resets is closed
        # there at once while its app task runs on: opening and resetting streams in a loop
        # ("rapid reset", CVE-2023-44487) would start tasks without bound. So the tasks are
        # counted here, and a stream past the bound is refused as one past h2's would be.
        if self.closing or len(self.streams) >= MAX_CONCURRENT_STREAMS:
            self._refuse(stream_id, ErrorCodes.REFUSED_STREAM)
            return
        scope = self._scope(headers)
        if scope is None:  # malformed, or CONNECT: no tunnels here
            self._refuse(stream_id, ErrorCodes.PROTOCOL_ERROR)
            return
        stream = Http2Stream(self, stream_id, scope)
        self.streams[stream_id] = stream
        task = self.loop.create_task(stream.run(self.app))
        self.server_state.tasks.add(task)
        task.add_done_callback(self.server_state.tasks.discard)

    def _refuse(self, stream_id: int, error_code: ErrorCodes) -> None:
        try:
            self.h2.reset_stream(stream_id, error_code)
        except h2.exceptions.StreamClosedError:
            pass  # the client reset it already, in the same read as its headers

    def _scope(self, fields: list[tuple[bytes, bytes]]) -> dict | None:
        """The ASGI scope of a request, as uvicorn builds one for HTTP/1.1: `host` from
        `:authority`, cookie fields joined again (RFC 9113 section 8.2.3)."""
        pseudo: dict[bytes, bytes] = {}
        headers: list[tuple[bytes, bytes]] = []
        cookies: list[bytes] = []
        for name, value in fields:
            if name.startswith(b":"):
                pseudo[name] = value
            elif name == b"cookie":
                cookies.append(value)
            else:
                headers.append((name, value))
        method = pseudo.get(b":method", b"")
        # Malformed (no path, a method that is no token) or CONNECT: the stream is reset,
        # the connection goes on (RFC 9113 section 8.1.1).
        if b":path" not in pseudo or method == b"CONNECT" or not TOKEN.fullmatch(method):
            return None
        if cookies:
            headers.append((b"cookie", b"; ".join(cookies)))
        if b":authority" in pseudo and not any(name == b"host" for name, _ in headers):
            headers.insert(0, (b"host", pseudo[b":authority"]))
        raw_path, _, query = pseudo[b":path"].partition(b"?")
        path = raw_path.decode("ascii", "surrogateescape")
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "2",
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme,
            "method": method.decode("ascii"),
            "root_path": "",
            "path": urllib.parse.unquote(path) if "%" in path else path,
            "raw_path": raw_path,
            "query_string": query,
            "headers": headers,
            "state": self.app_state.copy(),
            NAMES_AS_SENT: [name for name, _ in headers],  # HTTP/2's are lower-case
        }

    # -- streams ending, idleness ----------------------------------------------------------

    def finished(self, stream: Http2Stream) -> None:
        self.streams.pop(stream.stream_id, None)
        self.server_state.total_requests += 1
        # What the client sent that the app left unread goes back to the connection's window.
        if stream.unacknowledged:
            self.acknowledge(stream.unacknowledged, stream.stream_id)
            stream.unacknowledged = 0
        if not self.streams:
            if self.closing:
                self.close()
            else:
                self._went_idle()

    def _went_idle(self) -> None:
        self._idle_since = self.loop.time()
        if self._idle is None:
            self._idle = self.loop.call_later(self.limits.idle_timeout_s, self._on_idle)

    def _on_idle(self) -> None:
        self._idle = None
        if self.transport.is_closing() or self.streams:
            return  # the next idle period arms the timer again
        left = self._idle_since + self.limits.idle_timeout_s - self.loop.time()
        if left > 0:
            self._idle = self.loop.call_later(left, self._on_idle)
            return
        self.close()


class _Connection(h2.connection.H2Connection):
    """h2's connection, but that a GOAWAY received leaves the streams already open to be
    answered, as RFC 9113 section 6.8 says ("... allows an endpoint to gracefully stop
    accepting new streams while still finishing processing of previously established
    streams"). h2 closes the whole connection on it instead, and sends nothing after. The
    JavaScript SDK's Kinesis client closes its session (a GOAWAY) as soon as a response's
    headers arrive, so a response larger than the client's window would be cut short."""

    def _receive_goaway_frame(self, frame: GoAwayFrame) -> tuple[list, list]:
        event = h2.events.ConnectionTerminated()
        try:
            event.error_code = ErrorCodes(frame.error_code)
        except ValueError:
            event.error_code = frame.error_code
        event.last_stream_id = frame.last_stream_id
        event.additional_data = frame.additional_data or None
        return [], [event]
