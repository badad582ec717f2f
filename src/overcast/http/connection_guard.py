"""Deadlines for every HTTP connection, and a cap on how many are open, so that no client can
hold the server.

uvicorn's httptools protocol keeps a connection for as long as the client does: one that sends
half a request head and waits holds a file descriptor for ever, and some 25,000 of them took a
server to its file limit, after which no one else was answered. As nginx does
(client_header_timeout, client_body_timeout, keepalive_timeout), each connection here gets:

- `head_timeout_s` for a request head, from its first byte (or from the connection opening);
- `head_timeout_s` between two pieces of a body, unless the server itself is not reading;
- `idle_timeout_s` between requests on a kept-alive connection;
- `send_timeout_s` while a response waits for its client to take any of it (the transport's
  buffer stays full): then the connection is dropped with what is buffered for it (nginx's
  send_timeout), so a client that never reads holds no task and no buffer for ever.

A request that runs out of time is answered 408 and closed; an idle connection is closed
quietly. Past `max_connections`, a new connection is answered 503 at once and let go.

A body cut short (its client went silent, or half-closed the connection) is handed to the
application instead where the application asked for it (BODY_CUT_ANSWERED in its scope): the
body ends there, the scope's BODY_CUT says why, and the application answers before the
connection closes (S3 answers such a body with its own XML error). Bytes that cannot start a
request behind one still being answered (a body longer than its Content-Length) do not cut
that answer off: it goes out, then the connection closes.

Cost: one timer per connection, which fires at most once per timeout and re-arms itself for
what is left; a request only stores a deadline read off the loop's clock. uvicorn's own
keep-alive timer, armed and cancelled on every response, is not used.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from dataclasses import dataclass

log = logging.getLogger("overcast.http")

DEFAULT_MAX_CONNECTIONS = 10_000
REFUSAL_LINGER_S = 1.0  # how long a refused client may take to read the 503 and hang up
REFUSAL_WARNING_EVERY_S = 60.0

_REFUSAL_BODY = b'{"message":"Too many connections: try again later"}'
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: application/json\r\n"
    b"content-length: %d\r\n"
    b"retry-after: 1\r\n"
    b"connection: close\r\n\r\n" % len(_REFUSAL_BODY)
) + _REFUSAL_BODY
# Set in an ASGI scope by an application that answers a body cut short itself.
BODY_CUT_ANSWERED = "overcast.body_cut_answered"
# Set in that scope when the body was cut short: "timeout" (the client went silent) or "eof".
BODY_CUT = "overcast.body_cut"
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


@dataclass(frozen=True)
class ConnectionLimits:
    head_timeout_s: float = 20.0
    idle_timeout_s: float = 75.0  # longer than any client's idle poll (boto3 waiters: 5 s)
    send_timeout_s: float = 60.0  # nginx's send_timeout
    max_connections: int = DEFAULT_MAX_CONNECTIONS


def default_max_connections(file_limit: int) -> int:
    """Half the process's file limit, at most 10,000: the other half stays for execution
    environments (a few descriptors each), databases, logs and code."""
    return max(1, min(DEFAULT_MAX_CONNECTIONS, file_limit // 2))


class Phase(enum.Enum):
    """What a connection waits for from its client."""

    IDLE = "idle"  # a first request, or the next one on a kept-alive connection
    HEAD = "head"  # the rest of a request head
    BODY = "body"  # the rest of a request body
    BUSY = "busy"  # nothing: the server is answering


IDLE, HEAD, BODY, BUSY = Phase.IDLE, Phase.HEAD, Phase.BODY, Phase.BUSY


class ConnectionGuard:
    """Mixed in ahead of uvicorn's HttpToolsProtocol (fast_http.protocol_for does): its parser
    callbacks move the connection from phase to phase, and one timer checks the deadline."""

    limits: ConnectionLimits = ConnectionLimits()  # protocol_for sets the server's
    _timer: asyncio.TimerHandle | None = None
    _send_timer: asyncio.TimerHandle | None = None  # armed while writing is paused
    _phase: Phase = IDLE
    _deadline: float = 0.0
    _complete: object = None  # the cycle whose request was read whole, until answered

    def connection_made(self, transport: asyncio.Transport) -> None:
        if len(self.connections) >= self.limits.max_connections:
            _refuse(transport, self.loop, len(self.connections))
            return
        super().connection_made(transport)
        self._expect(IDLE, self.limits.head_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._stop_send_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.limits.send_timeout_s, self._stalled)

    def resume_writing(self) -> None:
        self._stop_send_timer()
        super().resume_writing()

    def _stop_send_timer(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _stalled(self) -> None:
        """The client took none of the response for send_timeout_s: drop the connection and
        what is buffered for it (close would wait to send it)."""
        self._send_timer = None
        if self.transport.get_protocol() is self:  # not once upgraded to a WebSocket
            self.transport.abort()

    def on_message_begin(self) -> None:
        self._expect(HEAD, self.limits.head_timeout_s)
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._phase = BODY
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._deadline = self.loop.time() + self.limits.head_timeout_s
        super().on_body(body)

    def on_message_complete(self) -> None:
        cycle = self.cycle
        if cycle is not None and cycle.response_complete and self._phase is BODY:
            # Answered before its body ended: the connection waits for the next request now.
            self._expect(IDLE, self.limits.idle_timeout_s)
        else:
            self._phase = BUSY
        self._complete = cycle
        super().on_message_complete()

    def eof_received(self) -> bool | None:
        if self._cut_body("eof"):
            return True  # half-closed: the transport stays open for the answer
        return super().eof_received()

    def send_400_response(self, msg: str) -> None:
        cycle = self.cycle
        if cycle is not None and cycle is self._complete and not cycle.response_complete:
            # Unparsable bytes behind a request read whole (a body longer than its declared
            # length): that request is answered first, then the connection closes unread.
            cycle.keep_alive = False
            self.flow.pause_reading()
            self._phase = BUSY
            return
        super().send_400_response(msg)

    def on_response_complete(self) -> None:
        # uvicorn's, less its keep-alive timer: this connection's one timer covers idleness.
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        elif self._phase is BUSY:
            self._expect(IDLE, self.limits.idle_timeout_s)

    def _expect(self, phase: Phase, seconds: float) -> None:
        self._phase = phase
        self._deadline = self.loop.time() + seconds
        if self._timer is None:
            self._timer = self.loop.call_later(seconds, self._on_deadline)

    def _on_deadline(self) -> None:
        self._timer = None
        if self._phase is BUSY or self.transport.is_closing():
            return  # the next phase arms the timer again
        if self.transport.get_protocol() is not self:
            return  # upgraded to a WebSocket: its own protocol watches it now
        now = self.loop.time()
        if self._deadline > now:
            self._timer = self.loop.call_later(self._deadline - now, self._on_deadline)
        elif self._waiting_on_server():
            self._expect(self._phase, self.limits.head_timeout_s)
        else:
            self._time_out()

    def _waiting_on_server(self) -> bool:
        """Whether the client is silent because the server is: it has stopped reading (a
        pipelined request, a body the application has not taken yet), it has not answered
        `Expect: 100-continue` yet, or a response ahead of this request is still going out."""
        cycle = self.cycle
        if self.flow.read_paused or getattr(cycle, "waiting_for_100_continue", False):
            return True
        return self._phase is HEAD and cycle is not None and not cycle.response_complete

    def _cut_body(self, reason: str) -> bool:
        """End a body cut short where the application answers that itself."""
        cycle = self.cycle
        scope = getattr(cycle, "scope", None)
        if self._phase is not BODY or not scope or not scope.get(BODY_CUT_ANSWERED):
            return False
        if BODY_CUT in scope or cycle.response_started or cycle.response_complete:
            return False
        scope[BODY_CUT] = reason
        cycle.more_body = False
        cycle.keep_alive = False
        cycle.message_event.set()
        # Still BODY: should the application not answer in time, the connection is closed.
        self._deadline = self.loop.time() + self.limits.head_timeout_s
        return True

    def _time_out(self) -> None:
        if self._cut_body("timeout"):
            self._expect(BODY, self.limits.head_timeout_s)
            return
        if self._phase is HEAD or (
            self._phase is BODY and not getattr(self.cycle, "response_started", False)
        ):
            self.transport.write(TIMED_OUT)
        self.transport.close()


def _refuse(transport: asyncio.Transport, loop: asyncio.AbstractEventLoop, open_: int) -> None:
    """Answer 503 before reading anything, then read and drop what the client sends until it
    hangs up (or briefly): closing with its request unread would reset the connection, and
    the reset could overtake the answer."""
    transport.set_protocol(_Refused(loop.call_later(REFUSAL_LINGER_S, transport.close)))
    transport.write(REFUSAL)
    if transport.can_write_eof():
        transport.write_eof()
    _warn_refusing(open_)


class _Refused(asyncio.Protocol):
    def __init__(self, linger: asyncio.TimerHandle) -> None:
        self.linger = linger

    def data_received(self, data: bytes) -> None:
        pass

    def eof_received(self) -> bool:
        return False  # the transport closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.linger.cancel()


_last_warning = -REFUSAL_WARNING_EVERY_S


def _warn_refusing(open_: int) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= REFUSAL_WARNING_EVERY_S:
        _last_warning = now
        log.warning(
            "refusing new connections with 503: %d are open (the limit; see --max-connections)",
            open_,
        )
