"""The floor of any design that runs each function in a process of its own: a minimal uvloop +
httptools HTTP server that hands every request, as JSON, to an idle worker process over a
Unix socket and answers with what the worker returns. No routing, no limits, no logs, no
isolation: only the process boundary every Lambda-like platform must cross. Benchmarks run it
beside the bare asyncio server to show how much of a gap that boundary alone makes.

The Lambda-shaped floor (`LAMBDA_FLOOR_SERVER`, run by `floor_server`) is the same server
doing, with Overcast's own functions, only the per-request work a function URL's semantics
require: the payload 2.0 event with its request id and trace id, the environment's frame
protocol and Python runtime loop (context object, handler, result, peak memory), a timeout
timer, the log pipe's read, the structured response's parsing, and START, END and REPORT
written to a log file in batches. Still no routing, concurrency accounting, pools or
isolation: a design in Python cannot do a function URL request for less.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager

from _harness import free_port

FLOOR_SERVER = r"""
import asyncio, json, os, socket, sys
import httptools, uvloop

def worker(sock):
    handler = lambda event, context: {"ok": True}
    while True:
        data = sock.recv(65536)
        if not data:
            os._exit(0)
        result = handler(json.loads(data), None)
        sock.sendall(json.dumps(result).encode())

class Worker(asyncio.Protocol):
    def __init__(self):
        self.waiter = None
    def data_received(self, data):
        self.waiter.set_result(data)

class Http(asyncio.Protocol):
    def __init__(self, idle):
        self.idle, self.parser = idle, httptools.HttpRequestParser(self)
        self.body = b""
    def connection_made(self, transport):
        self.transport = transport
    def data_received(self, data):
        self.parser.feed_data(data)
    def on_body(self, body):
        self.body += body
    def on_message_complete(self):
        event = json.dumps({"body": self.body.decode(), "path": "/"}).encode()
        self.body = b""
        asyncio.ensure_future(self.answer(event))
    async def answer(self, event):
        transport, worker = await self.idle.get()
        worker.waiter = asyncio.get_running_loop().create_future()
        transport.write(event)
        result = await worker.waiter
        self.idle.put_nowait((transport, worker))
        if self.transport.is_closing():  # wrk hung up at the end of its run
            return
        self.transport.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
            % len(result) + result)

async def main(port, workers):
    loop, idle = asyncio.get_running_loop(), asyncio.Queue()
    for _ in range(workers):
        ours, theirs = socket.socketpair()
        if os.fork() == 0:
            ours.close()
            worker(theirs)
        theirs.close()
        idle.put_nowait(await loop.create_connection(Worker, sock=ours))
    server = await loop.create_server(lambda: Http(idle), "127.0.0.1", port, backlog=4096)
    print("ready", flush=True)
    await server.serve_forever()

uvloop.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


LAMBDA_FLOOR_SERVER = r"""
import asyncio, os, socket, sys, tempfile, time
import httptools, uvloop
from overcast.aws.lineage import trace_id
from overcast.aws.request_id import new_request_id
from overcast.observe import report
from overcast.observe._logfile import event_lines
from overcast.runtimes.python import bootstrap, protocol
from overcast.http.payload_v2 import EventContext, encoded_event, event_v2, response_v2
from overcast.http.front_door import http_request, response_headers

ARN = "arn:aws:lambda:us-east-1:000000000000:function:noop"

def handler(event, context):
    return {"ok": True}

def worker(sock, log_fd):
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    bootstrap.prepare()
    control = protocol.Channel(sock)
    while (frame := control.read()) is not None:
        kind, meta, body = frame
        control.send(protocol.encode(*bootstrap.handle(handler, meta, body)))
    os._exit(0)

class Worker(asyncio.Protocol):
    def __init__(self, log_fd):
        self.waiter, self.reader, self.log_fd = None, protocol.FrameReader(), log_fd
    def data_received(self, data):
        for frame in self.reader.feed(data):
            self.waiter.set_result(frame)

class Log:
    def __init__(self):
        self.file, self.pending = tempfile.TemporaryFile(), []
    def append(self, events):
        if not self.pending:
            asyncio.get_running_loop().call_later(0.05, self.flush)
        self.pending.extend(events)
    def flush(self):
        self.file.write(event_lines(self.pending, int(time.time() * 1000)))
        self.pending = []

class Http(asyncio.Protocol):
    def __init__(self, idle, log):
        self.idle, self.log, self.parser = idle, log, httptools.HttpRequestParser(self)
        self.body, self.headers = b"", []
    def connection_made(self, transport):
        self.transport = transport
    def data_received(self, data):
        self.parser.feed_data(data)
    def on_url(self, url):
        self.url = httptools.parse_url(url)
    def on_header(self, name, value):
        self.headers.append((name, value))
    def on_body(self, body):
        self.body += body
    def on_message_complete(self):
        request = http_request(
            self.parser.get_method().decode(), self.url.path.decode("latin-1"),
            self.url.query or b"", self.headers, self.body,
            self.transport.get_extra_info("peername"), self.parser.get_http_version())
        self.body, self.headers = b"", []
        asyncio.ensure_future(self.answer(request))
    async def answer(self, request):
        context = EventContext("000000000000", "urlid", "urlid.lambda-url.us-east-1.on.aws",
                               new_request_id())
        event = encoded_event(event_v2(request, context))
        request_id = new_request_id()
        meta = {"request_id": request_id, "deadline_ms": int(time.time() * 1000) + 3000,
                "invoked_arn": ARN, "trace_id": trace_id(1), "client_context": None}
        transport, worker = await self.idle.get()
        loop = asyncio.get_running_loop()
        worker.waiter = loop.create_future()
        started_ms, started = int(time.time() * 1000), time.perf_counter()
        timer = loop.call_later(3, worker.waiter.cancel)
        transport.write(protocol.encode(protocol.INVOKE, meta, event))
        kind, answer_meta, body = await worker.waiter
        timer.cancel()
        duration_ms = (time.perf_counter() - started) * 1000
        try:
            os.read(worker.log_fd, 65536)
        except BlockingIOError:
            pass
        self.idle.put_nowait((transport, worker))
        response = response_v2(body)
        head = [b"HTTP/1.1 %d OK\r\n" % response.status]
        head += [f"{n}: {v}\r\n".encode("latin-1") for n, v in response_headers(response)]
        head.append(b"content-length: %d\r\n\r\n" % len(response.body))
        if not self.transport.is_closing():  # wrk hung up at the end of its run
            self.transport.write(b"".join(head) + response.body)
        now = int(time.time() * 1000)
        peak = max(answer_meta["max_rss_kb"] // 1024, 0)
        self.log.append([
            (started_ms, report.start_line(request_id, "$LATEST")),
            (now, report.end_line(request_id)),
            (now, report.report_line(report.Report(request_id, duration_ms, 128, peak))),
        ])

async def main(port, workers):
    loop, idle, log = asyncio.get_running_loop(), asyncio.Queue(), Log()
    for _ in range(workers):
        ours, theirs = socket.socketpair()
        log_read, log_write = os.pipe()
        if os.fork() == 0:
            ours.close()
            worker(theirs, log_write)
        theirs.close()
        os.close(log_write)
        os.set_blocking(log_read, False)
        idle.put_nowait(
            await loop.create_connection(lambda: Worker(log_read), sock=ours))
    server = await loop.create_server(lambda: Http(idle, log), "127.0.0.1", port, backlog=4096)
    print("ready", flush=True)
    await server.serve_forever()

uvloop.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


@contextmanager
def floor_server(workers: int, script: str = FLOOR_SERVER):
    """Yield the port of the floor server (or of `script`) with `workers` worker processes."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(port), str(workers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        process.stdout.readline()
        yield port
    finally:
        process.kill()
        process.wait()
