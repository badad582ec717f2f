"""HTTP/2 connections (http/http2.py): streams served by an ASGI app, in-process, driven by
`h2` as a client over a loopback socket; and the sniffing of a connection's first bytes."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.errors
import h2.events
from hyperframe.frame import GoAwayFrame

from overcast.http.connection_guard import ConnectionLimits
from overcast.http.http2 import MAX_CONCURRENT_STREAMS, PREFACE, Http2Connection, PriorKnowledge

App = Callable[[dict, Callable, Callable], Awaitable[None]]


@dataclass
class ServerState:  # what Http2Connection reads of uvicorn's ServerState
    connections: set = field(default_factory=set)
    tasks: set = field(default_factory=set)
    default_headers: list = field(default_factory=lambda: [(b"date", b"today")])
    total_requests: int = 0


async def echo(scope: dict, receive: Callable, send: Callable) -> None:
    """Answers with what it was asked: method, path, query, headers and body."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = {
        "method": scope["method"],
        "path": scope["path"],
        "query": scope["query_string"].decode(),
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "version": scope["http_version"],
        "body": body.decode(),
        "size": len(body),
    }
    data = json.dumps(answer).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
    await send({"type": "http.response.body", "body": data})


class Client:
    """An HTTP/2 client (prior knowledge) on a loopback connection to a served app."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h2 = h2.connection.H2Connection()
        self.h2.initiate_connection()
        self.responses: dict[int, dict] = {}
        self.closed = False

    def request(self, method: str, path: str, body: bytes | None = b"", **headers: str) -> int:
        """A request's stream; with `body` None, it stays open for the body to come."""
        stream_id = self.h2.get_next_available_stream_id()
        fields = [(":method", method), (":path", path), (":scheme", "http")]
        fields += [(":authority", "example.test"), *headers.items()]
        self.h2.send_headers(stream_id, fields, end_stream=body == b"")
        if body:
            self.h2.send_data(stream_id, body, end_stream=True)
        self.writer.write(self.h2.data_to_send())
        self.responses[stream_id] = {"body": b"", "done": False}
        return stream_id

    async def until(self, done: Callable[[], bool]) -> None:
        while not done():
            data = await asyncio.wait_for(self.reader.read(65536), 10)
            if not data:
                self.closed = True
                return
            for event in self.h2.receive_data(data):
                self._on(event)
            self.writer.write(self.h2.data_to_send())

    def _on(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.InformationalResponseReceived):
            self.responses[event.stream_id]["interim"] = dict(event.headers)
        elif isinstance(event, h2.events.ResponseReceived):
            self.responses[event.stream_id]["headers"] = dict(event.headers)
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id]["body"] += event.data
            self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id]["done"] = True
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.closed = True

    async def answer(self, stream_id: int) -> tuple[dict, bytes]:
        await self.until(lambda: self.responses[stream_id]["done"] or self.closed)
        response = self.responses[stream_id]
        return response.get("headers", {}), response["body"]


def serve(app: App, test: Callable[[Client, ServerState], Awaitable[None]], **limits) -> None:
    async def run() -> None:
        state = ServerState()
        server = await asyncio.get_running_loop().create_server(
            lambda: Http2Connection(app, state, {}, ConnectionLimits(**limits)), "127.0.0.1", 0
        )
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await test(Client(reader, writer), state)
        finally:
            writer.close()
            server.close()

    asyncio.run(run())


def test_requests_on_one_connection_are_answered_each_on_its_stream() -> None:
    async def test(client: Client, state: ServerState) -> None:
        first = client.request("GET", "/a%20b?x=1", **{"x-amz-target": "T"})
        second = client.request("POST", "/p", b"hello", **{"content-type": "text/plain"})
        head, body = await client.answer(first)
        assert head[b":status"] == b"200" and head[b"x-a"] == b"1"
        answer = json.loads(body)
        assert answer["path"] == "/a b" and answer["query"] == "x=1"
        assert answer["headers"]["host"] == "example.test"
        assert answer["headers"]["x-amz-target"] == "T" and answer["version"] == "2"
        _, body = await client.answer(second)
        assert json.loads(body)["body"] == "hello"
        third = client.request("GET", "/again")
        _, body = await client.answer(third)
        assert json.loads(body)["path"] == "/again"
        assert state.total_requests == 3

    serve(echo, test)


def test_bodies_larger_than_the_windows_go_both_ways() -> None:
    big = bytes(range(256)) * 12_000  # ~3 MB: past the client's 64 KB and the server's 1 MB

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        body = b""
        while True:
            message = await receive()
            body += message["body"]
            if not message["more_body"]:
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": body[::-1]})

    async def test(client: Client, state: ServerState) -> None:
        stream = client.request("PUT", "/big", None)
        await send_all(client, stream, big)
        head, body = await client.answer(stream)
        assert head[b":status"] == b"200" and body == big + big[::-1]

    serve(app, test)


async def send_all(client: Client, stream_id: int, data: bytes) -> None:
    """Send `data` within the server's flow-control windows, then end the stream."""
    while data:
        window = min(client.h2.local_flow_control_window(stream_id), 16384)
        if window == 0:
            await client.until(lambda: client.h2.local_flow_control_window(stream_id) > 0)
            continue
        client.h2.send_data(stream_id, data[:window])
        data = data[window:]
        client.writer.write(client.h2.data_to_send())
    client.h2.end_stream(stream_id)
    client.writer.write(client.h2.data_to_send())


def test_an_app_that_fails_answers_500_and_the_connection_goes_on() -> None:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["path"] == "/fail":
            raise RuntimeError("the app failed")
        await echo(scope, receive, send)

    async def test(client: Client, state: ServerState) -> None:
        head, body = await client.answer(client.request("GET", "/fail"))
        assert head[b":status"] == b"500" and body == b"Internal Server Error"
        head, body = await client.answer(client.request("GET", "/fine"))
        assert head[b":status"] == b"200" and json.loads(body)["path"] == "/fine"

    serve(app, test)


def test_an_unread_body_gives_its_window_back_to_the_connection() -> None:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["path"] == "/ignore":  # answers without reading what was sent
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await echo(scope, receive, send)

    async def test(client: Client, state: ServerState) -> None:
        for _ in range(3):  # 3 x 900 KB unread: past the connection's 1 MB window
            stream = client.request("POST", "/ignore", None)
            await send_all(client, stream, b"x" * 900_000)
            head, _ = await client.answer(stream)
            assert head[b":status"] == b"204"
        _, body = await client.answer(client.request("POST", "/read", b"still open"))
        assert json.loads(body)["body"] == "still open"

    async def large_windows(client: Client, state: ServerState) -> None:
        await client.until(lambda: client.h2.remote_settings.initial_window_size > 65535)
        await test(client, state)

    serve(app, large_windows)


def test_an_idle_connection_is_sent_goaway_and_closed() -> None:
    async def test(client: Client, state: ServerState) -> None:
        _, body = await client.answer(client.request("GET", "/one"))
        assert json.loads(body)["path"] == "/one"
        await client.until(lambda: client.closed)
        assert client.closed and not state.connections

    serve(echo, test, idle_timeout_s=0.2)


def test_shutdown_lets_open_streams_finish_and_refuses_new_ones() -> None:
    release = asyncio.Event()

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        await release.wait()
        await echo(scope, receive, send)

    async def test(client: Client, state: ServerState) -> None:
        stream = client.request("GET", "/slow")
        await client.until(lambda: bool(state.tasks))
        (connection,) = state.connections
        connection.shutdown()
        release.set()
        _, body = await client.answer(stream)
        assert json.loads(body)["path"] == "/slow"
        await client.until(lambda: client.closed)

    serve(app, test)


class Recorder:
    """Stands in for uvicorn's HTTP/1.1 protocol (and its transport) behind PriorKnowledge."""

    def __init__(self) -> None:
        self.http1: list[bytes] = []
        self.handed: list[bytes] = []
        self.transport = self
        self.protocol_set = 0

    def data_received(self, data: bytes) -> None:
        self.http1.append(data)

    def set_protocol(self, protocol: object) -> None:
        self.protocol_set += 1  # uvloop looks up data_received again


class Sniffer(PriorKnowledge, Recorder):
    def _hand_over(self, data: bytes) -> None:
        self.handed.append(data)


def test_only_a_connection_opening_with_the_preface_is_handed_to_http2() -> None:
    http1 = Sniffer()
    for chunk in (b"P", b"OST / HTTP/1.1\r\n", PREFACE):
        http1.data_received(chunk)
    assert http1.http1 == [b"POST / HTTP/1.1\r\n", PREFACE] and not http1.handed
    # From then on the class's own data_received, looked up again by the transport.
    assert "data_received" not in vars(http1) and http1.protocol_set == 1

    at_once = Sniffer()
    at_once.data_received(b"GET / HTTP/1.1\r\n\r\n")
    assert at_once.http1 == [b"GET / HTTP/1.1\r\n\r\n"] and "data_received" not in vars(at_once)

    http2 = Sniffer()
    for chunk in (PREFACE[:5], PREFACE[5:]):
        http2.data_received(chunk)
    assert http2.handed == [PREFACE] and http2.http1 == []


def test_a_client_goaway_lets_a_response_larger_than_its_window_finish() -> None:
    """The JavaScript SDK's Kinesis client closes its session (GOAWAY) once a response's
    headers arrive; the body still has to come whole, then the connection closes."""
    big = b"r" * 500_000  # past the client's 64 KB window

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": big})

    async def test(client: Client, state: ServerState) -> None:
        stream = client.request("GET", "/records")
        await client.until(lambda: "headers" in client.responses[stream])
        # Written by hand: h2 as a client would no longer read after its own GOAWAY.
        client.writer.write(GoAwayFrame(0, last_stream_id=0).serialize())
        _, body = await client.answer(stream)
        assert body == big
        await client.until(lambda: client.closed)

    serve(app, test)


def test_expect_100_continue_is_answered_when_the_app_reads_the_body() -> None:
    async def test(client: Client, state: ServerState) -> None:
        stream = client.request("PUT", "/upload", None, expect="100-continue")
        await client.until(lambda: "interim" in client.responses[stream])
        assert client.responses[stream]["interim"][b":status"] == b"100"
        await send_all(client, stream, b"the body")
        _, body = await client.answer(stream)
        assert json.loads(body)["body"] == "the body"

    serve(echo, test)


def test_the_server_serves_http2_and_http1_on_one_port(server) -> None:
    """Prior knowledge through the real server (fast_http's protocol hands the connection
    over): two requests on one HTTP/2 connection, then HTTP/1.1 as ever."""
    host, port = server.endpoint.removeprefix("http://").split(":")

    async def run() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        client = Client(reader, writer)
        try:
            for _ in range(2):
                head, body = await client.answer(client.request("GET", "/_overcast/health"))
                assert head[b":status"] == b"200" and json.loads(body) == {"status": "ok"}
        finally:
            writer.close()

    asyncio.run(run())
    with urllib.request.urlopen(f"{server.endpoint}/_overcast/health", timeout=10) as answer:
        assert answer.status == 200 and answer.version == 11


def test_streams_reset_by_the_client_do_not_start_apps_without_bound() -> None:
    release = asyncio.Event()

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        await release.wait()  # an app that does not notice its client left
        await echo(scope, receive, send)

    async def test(client: Client, state: ServerState) -> None:
        for _ in range(MAX_CONCURRENT_STREAMS + 20):  # open and reset at once: rapid reset
            stream = client.request("GET", "/reset", None)
            client.h2.reset_stream(stream)
            client.writer.write(client.h2.data_to_send())
        refused: list[int] = []
        record = client._on

        def on(event: h2.events.Event) -> None:
            if isinstance(event, h2.events.StreamReset):
                refused.append(event.error_code)
            record(event)

        client._on = on  # type: ignore[method-assign]
        client.request("GET", "/one-more")
        await client.until(lambda: bool(refused))
        assert len(state.tasks) == MAX_CONCURRENT_STREAMS
        assert refused == [h2.errors.ErrorCodes.REFUSED_STREAM]
        release.set()
        await asyncio.sleep(0.1)  # the reset streams' apps return, and free their places
        _, body = await client.answer(client.request("GET", "/after"))
        assert json.loads(body)["path"] == "/after"

    serve(app, test)


def test_a_body_that_stops_coming_is_answered_408() -> None:
    async def test(client: Client, state: ServerState) -> None:
        stream = client.request("POST", "/slow", None)  # headers, then nothing
        client.h2.send_data(stream, b"part")
        client.writer.write(client.h2.data_to_send())
        head, _ = await client.answer(stream)
        assert head[b":status"] == b"408"
        _, body = await client.answer(client.request("POST", "/next", b"whole"))
        assert json.loads(body)["body"] == "whole"

    serve(echo, test, head_timeout_s=0.2)


def test_a_malformed_method_resets_its_stream_and_the_connection_goes_on() -> None:
    """A method that is no token (non-ASCII bytes, a space) makes the request malformed: its
    stream is reset with PROTOCOL_ERROR (RFC 9113 section 8.1.1), the connection serves on."""

    async def test(client: Client, state: ServerState) -> None:
        client.h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(validate_outbound_headers=False)
        )
        client.h2.initiate_connection()
        resets: list[int] = []
        record = client._on

        def on(event: h2.events.Event) -> None:
            if isinstance(event, h2.events.StreamReset):
                resets.append(event.error_code)
                client.responses[event.stream_id]["done"] = True
            record(event)

        client._on = on  # type: ignore[method-assign]
        for method in ("G\u00c9T", "GE T"):
            await client.answer(client.request(method, "/bad"))
        assert resets == [h2.errors.ErrorCodes.PROTOCOL_ERROR] * 2
        _, body = await client.answer(client.request("GET", "/after"))
        assert json.loads(body)["method"] == "GET" and not client.closed

    serve(echo, test)


def test_the_header_list_limit_is_announced() -> None:
    async def test(client: Client, state: ServerState) -> None:
        await client.answer(client.request("GET", "/"))
        limit = client.h2.remote_settings.max_header_list_size
        assert limit == h2.connection.H2Connection.DEFAULT_MAX_HEADER_LIST_SIZE

    serve(echo, test)


def test_a_stream_whose_window_stays_shut_is_reset_after_the_send_timeout() -> None:
    """A client that never opens its window for a response (no WINDOW_UPDATE) loses that
    stream after send_timeout_s (CANCEL); the connection serves on."""

    async def big(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["path"] != "/big":
            await echo(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * 200_000})

    async def test(client: Client, state: ServerState) -> None:
        resets: list[int] = []
        record = client._on

        def on(event: h2.events.Event) -> None:
            if isinstance(event, h2.events.DataReceived):
                client.responses[event.stream_id]["body"] += event.data  # and no ack
            elif isinstance(event, h2.events.StreamReset):
                resets.append(event.error_code)
                client.responses[event.stream_id]["done"] = True
            else:
                record(event)

        client._on = on  # type: ignore[method-assign]
        stream = client.request("GET", "/big")
        await client.answer(stream)
        assert resets == [h2.errors.ErrorCodes.CANCEL]
        assert len(client.responses[stream]["body"]) < 200_000
        client._on = record  # type: ignore[method-assign]
        client.h2.increment_flow_control_window(1 << 20)  # the connection's window again
        _, body = await client.answer(client.request("GET", "/after"))
        assert json.loads(body)["path"] == "/after" and not client.closed

    serve(big, test, send_timeout_s=0.3)
