"""The floor of any design that runs each function in a process of its own: a minimal uvloop +
httptools HTTP server that hands every request, as JSON, to an idle worker process over a
Unix socket and answers with what the worker returns. No routing, no limits, no logs, no
isolation: only the process boundary every Lambda-like platform must cross. Benchmarks run it
beside the bare asyncio server to show how much of a gap that boundary alone makes.
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


@contextmanager
def floor_server(workers: int):
    """Yield the port of the floor server with `workers` worker processes."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", FLOOR_SERVER, str(port), str(workers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        process.stdout.readline()
        yield port
    finally:
        process.kill()
        process.wait()
