"""uvicorn's httptools protocol with one shortcut: the hot requests skip ASGI.

Lambda's Invoke and the requests of function URLs and HTTP APIs are the benchmarked hot
paths, and most of their cost on the server was the ASGI machinery around them (a request
cycle, its events, the app's routing, Starlette's request and response objects, a socket
write for the head and another for the body). Here such a request is recognised when its
head is parsed, its body collected, and its answer written in one piece. Everything else —
every other route, a RESPONSE_STREAM function URL, Expect: 100-continue, upgrades, requests
pipelined behind a pending one — takes uvicorn's ordinary path unchanged. Every connection
is watched by http/connection_guard.py (deadlines, a cap on connections); one that opens
with HTTP/2's preface is served by http/http2.py instead.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable
from http.client import responses
from typing import Protocol

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from overcast.aws.error_responses import internal_error
from overcast.aws.protocols.rest_json import header_size
from overcast.http.connection_guard import ConnectionGuard, ConnectionLimits
from overcast.http.front_door import Claim, http_request, response_headers
from overcast.http.header_case import UpgradeHeaderCase
from overcast.http.http2 import PriorKnowledge
from overcast.http.invoke_shortcut import Answer, InvokeAnswerer, InvokeCall
from overcast.http.payload_v2 import HttpRequest, HttpResponse
from overcast.http.server import ACCESS_BUDGET

MAX_INVOKE_BODY = 7 * 1024 * 1024  # above Lambda's 6 MB: the endpoint answers the refusal
FRONT_DOOR_FAILURE = HttpResponse(
    500, [("content-type", "application/json")], b'{"message":"Internal Server Error"}'
)

DEFAULT_LIMITS = ConnectionLimits()

# (the body, cut short just past the limit; whether it was over the limit) -> the answer
Respond = Callable[[bytes, bool], Awaitable[Answer | HttpResponse]]


class WholeFrontDoor(Protocol):
    """A front door (function URLs, HTTP APIs) whose requests can be answered whole."""

    body_limit: int

    def claim(self, path: str, host: str) -> Claim | None:
        """The claim if this door answers the request whole; None leaves it to ASGI."""
        ...

    async def respond(self, claim: Claim, request: HttpRequest) -> HttpResponse: ...


def protocol_for(
    endpoint: InvokeAnswerer,
    invoke_url: re.Pattern[bytes],
    doors: tuple[WholeFrontDoor, ...] = (),
    connection_limits: ConnectionLimits = DEFAULT_LIMITS,
) -> type[HttpToolsProtocol]:
    """The protocol class to give uvicorn (`Config(http=...)`): it answers Invoke (requests
    whose raw URL `invoke_url` matches: function name, then query) and the requests `doors`
    claim itself, holds every connection to `connection_limits`, and serves a connection that
    opens with HTTP/2's preface over HTTP/2 (http2.py)."""

    class ShortcutProtocol(PriorKnowledge, ConnectionGuard, UpgradeHeaderCase, FastProtocol):
        invoke = endpoint
        invoke_path = invoke_url
        front_doors = doors
        limits = connection_limits

    return ShortcutProtocol


class FastProtocol(HttpToolsProtocol):
    invoke: InvokeAnswerer
    invoke_path: re.Pattern[bytes]
    front_doors: tuple[WholeFrontDoor, ...]
    _respond: Respond | None = None  # set while a request taking the shortcut is read

    def on_message_begin(self) -> None:
        self._respond = None
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        busy = self.cycle is not None and not self.cycle.response_complete
        if not (busy or self.expect_100_continue or self.parser.should_upgrade()):
            self._respond, self._limit = self._shortcut()
        if self._respond is None:
            super().on_headers_complete()
            return
        self._chunks: list[bytes] = []
        self._body_size = 0
        # Stands in for uvicorn's request cycle, so a request pipelined behind this one
        # queues as it would behind any other.
        self.cycle = _FastCycle()

    def _shortcut(self) -> tuple[Respond | None, int]:
        """How to answer this request off ASGI, and the largest body it takes."""
        method = self.parser.get_method()
        if method == b"POST":
            match = self.invoke_path.fullmatch(self.url)
            if match is not None:
                return self._invoke_call(match).respond, MAX_INVOKE_BODY
        if not self.front_doors:
            return None, 0
        url = httptools.parse_url(self.url)
        path = url.path.decode("latin-1")
        host = next((v.decode("latin-1") for n, v in self.headers if n == b"host"), "")
        for door in self.front_doors:
            claim = door.claim(path, host)
            if claim is not None:
                call = _DoorCall(door, claim, method.decode("ascii"), url.query or b"", self)
                return call.respond, door.body_limit
        return None, 0

    def _invoke_call(self, match: re.Match) -> _InvokeCall:
        query = urllib.parse.parse_qs((match[2] or b"").decode("latin-1"))
        call = InvokeCall(
            function_name=urllib.parse.unquote(match[1].decode("latin-1")),
            qualifier=query["Qualifier"][0] if "Qualifier" in query else None,
            headers={n.decode("latin-1"): v.decode("latin-1") for n, v in self.headers},
            body=b"",
            header_bytes=header_size(self.headers),
            path=self.url.partition(b"?")[0].decode("latin-1"),
            query=(match[2] or b"").decode("latin-1"),
        )
        return _InvokeCall(self.invoke, call)

    def on_body(self, body: bytes) -> None:
        if self._respond is None:
            super().on_body(body)
        elif self._body_size <= self._limit:
            self._chunks.append(body)
            self._body_size += len(body)

    def on_message_complete(self) -> None:
        respond = self._respond
        if respond is None:
            super().on_message_complete()
            return
        self._respond = None
        body, oversized = b"".join(self._chunks), self._body_size > self._limit
        self._chunks = []
        head_only = self.parser.get_method() == b"HEAD"
        self.cycle.keep_alive &= self.parser.should_keep_alive()
        if self.access_log and ACCESS_BUDGET.wanted():
            self.cycle.request_line = self._request_line()
        answering = respond(body, oversized)
        task = self.loop.create_task(self._answer(answering, self.cycle, head_only))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    async def _answer(
        self, answering: Awaitable[Answer | HttpResponse], cycle: _FastCycle, head_only: bool
    ) -> None:
        answer = await answering
        cycle.response_complete = True
        if cycle.disconnected or self.transport.is_closing():
            return
        defaults = self.server_state.default_headers  # Date, kept current by uvicorn
        try:
            data = _encode(answer, defaults, cycle.keep_alive, head_only)
        except UnicodeEncodeError as exc:  # front doors refuse such headers: never left hanging
            internal_error(exc, "a response's headers")
            answer = FRONT_DOOR_FAILURE
            data = _encode(answer, defaults, cycle.keep_alive, head_only)
        self.transport.write(data)
        if cycle.request_line:
            # The line uvicorn's access log writes for the requests it answers.
            client = f"{self.client[0]}:{self.client[1]}" if self.client else ""
            self.access_logger.info('%s - "%s" %d', client, cycle.request_line, answer.status)
        if cycle.keep_alive:
            # Resumes reading, then starts a queued request or the keep-alive timeout.
            self.on_response_complete()
        else:
            self.transport.close()

    def _request_line(self) -> str:
        method = self.parser.get_method().decode("ascii")
        target = self.url.decode("ascii", "backslashreplace")
        return f"{method} {target} HTTP/{self.parser.get_http_version()}"


class _InvokeCall:
    def __init__(self, endpoint: InvokeAnswerer, call: InvokeCall) -> None:
        self.endpoint, self.call = endpoint, call

    async def respond(self, body: bytes, oversized: bool) -> Answer:
        # Cut short or not, a body over the shortcut's limit is over Lambda's: the endpoint
        # refuses it as too large.
        self.call.body = body
        return await self.endpoint.answer(self.call)


class _DoorCall:
    def __init__(
        self, door: WholeFrontDoor, claim: Claim, method: str, query: bytes, http: FastProtocol
    ) -> None:
        self.door, self.claim, self.method, self.query = door, claim, method, query
        self.headers, self.client = http.headers, http.client
        self.version = http.parser.get_http_version()
        self.names = getattr(http, "_names_as_sent", None)  # http/header_case.py records them

    async def respond(self, body: bytes, oversized: bool) -> HttpResponse:
        request = http_request(
            self.method,
            self.claim.raw_path,
            self.query,
            self.headers,
            None if oversized else body,
            self.client,
            self.version,
            self.names,
        )
        try:
            response = await self.door.respond(self.claim, request)
        except Exception as exc:
            internal_error(exc, f"{self.method} {self.claim.raw_path}")
            return FRONT_DOOR_FAILURE
        return HttpResponse(response.status, response_headers(response), response.body)


class _FastCycle:
    """What uvicorn's protocol reads of a request cycle while a fast answer is pending."""

    request_line = ""  # "POST /path HTTP/1.1", kept for the access log when it is on

    def __init__(self) -> None:
        self.response_complete = False
        self.disconnected = False
        self.keep_alive = True
        self.message_event = self  # connection_lost sets it

    def set(self) -> None:
        pass


def _encode(
    answer: Answer | HttpResponse,
    default_headers: list[tuple[bytes, bytes]],
    keep_alive: bool,
    head_only: bool,
) -> bytes:
    phrase = responses.get(answer.status, "")
    head = [f"HTTP/1.1 {answer.status} {phrase}\r\n".encode()]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head += [f"{name}: {value}\r\n".encode("latin-1") for name, value in answer.headers]
    head.append(b"content-length: %d\r\n" % len(answer.body))
    if not keep_alive:
        head.append(b"connection: close\r\n")
    head.append(b"\r\n")
    if not head_only:
        head.append(answer.body)
    return b"".join(head)
