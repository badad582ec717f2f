"""uvicorn's httptools protocol with one shortcut: Lambda's Invoke skips ASGI.

A warm invoke is the benchmarked hot path, and most of its cost on the server was the ASGI
machinery around it (a request cycle, its event, the app's routing, Starlette's request and
response objects, a socket write for the head and another for the body). Here an Invoke
request is recognised when its head is parsed, its body collected, and its answer written in
one piece; everything else — every other route, Expect: 100-continue, upgrades, pipelined
requests — takes uvicorn's ordinary path unchanged.
"""

from __future__ import annotations

import re
import urllib.parse
from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from overcast.api.invoke import Answer, InvokeCall, InvokeEndpoint
from overcast.api.protocol import header_size

INVOKE_URL = re.compile(rb"/2015-03-31/functions/([^/?]+)/invocations/?(?:\?(.*))?")
MAX_BODY_BYTES = 7 * 1024 * 1024  # above Lambda's 6 MB: the endpoint answers the refusal


def protocol_for(endpoint: InvokeEndpoint) -> type[HttpToolsProtocol]:
    """The protocol class to give uvicorn (`Config(http=...)`), answering Invoke itself."""

    class InvokeProtocol(FastInvokeProtocol):
        invoke = endpoint

    return InvokeProtocol


class FastInvokeProtocol(HttpToolsProtocol):
    invoke: InvokeEndpoint
    _call: InvokeCall | None = None

    def on_message_begin(self) -> None:
        self._call = None
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        match = INVOKE_URL.fullmatch(self.url) if self.parser.get_method() == b"POST" else None
        busy = self.cycle is not None and not self.cycle.response_complete
        if match is None or busy or self.expect_100_continue or self.parser.should_upgrade():
            super().on_headers_complete()
            return
        query = urllib.parse.parse_qs((match[2] or b"").decode("latin-1"))
        self._call = InvokeCall(
            function_name=urllib.parse.unquote(match[1].decode("latin-1")),
            qualifier=query["Qualifier"][0] if "Qualifier" in query else None,
            headers={n.decode("latin-1"): v.decode("latin-1") for n, v in self.headers},
            body=b"",
            header_bytes=header_size(self.headers),
        )
        self._chunks: list[bytes] = []
        self._body_size = 0
        # Stands in for uvicorn's request cycle, so a request pipelined behind this one
        # queues as it would behind any other.
        self.cycle = _FastCycle()

    def on_body(self, body: bytes) -> None:
        if self._call is None:
            super().on_body(body)
        elif self._body_size <= MAX_BODY_BYTES:
            self._chunks.append(body)
            self._body_size += len(body)

    def on_message_complete(self) -> None:
        call = self._call
        if call is None:
            super().on_message_complete()
            return
        self._call = None
        call.body = b"".join(self._chunks)
        self._chunks = []
        self.cycle.keep_alive &= self.parser.should_keep_alive()
        self.flow.pause_reading()  # nothing more is read until this is answered
        task = self.loop.create_task(self._answer(call, self.cycle))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    async def _answer(self, call: InvokeCall, cycle: _FastCycle) -> None:
        answer = await self.invoke.answer(call)
        cycle.response_complete = True
        if cycle.disconnected or self.transport.is_closing():
            return
        self.transport.write(_encode(answer, cycle.keep_alive))
        if cycle.keep_alive:
            # Resumes reading, then starts a queued request or the keep-alive timeout.
            self.on_response_complete()
        else:
            self.transport.close()


class _FastCycle:
    """What uvicorn's protocol reads of a request cycle while a fast answer is pending."""

    def __init__(self) -> None:
        self.response_complete = False
        self.disconnected = False
        self.keep_alive = True
        self.message_event = self  # connection_lost sets it

    def set(self) -> None:
        pass


def _encode(answer: Answer, keep_alive: bool) -> bytes:
    phrase = HTTPStatus(answer.status).phrase
    head = [f"HTTP/1.1 {answer.status} {phrase}\r\n"]
    head += [f"{name}: {value}\r\n" for name, value in answer.headers]
    head.append(f"content-length: {len(answer.body)}\r\n")
    if not keep_alive:
        head.append("connection: close\r\n")
    head.append("\r\n")
    return "".join(head).encode("latin-1") + answer.body
