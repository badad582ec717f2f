"""A gate a function can wait at: it GETs the gate's URL, which answers once the test opens it.

Streaming tests use it to prove order without timing: the function writes a first chunk, then
waits at the gate; the test reads that chunk while the function is still waiting, and only
then opens the gate so the function can finish.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from overcast.sandbox import loopback_guard

WAIT_LIMIT_S = 30.0  # a gate never opened still lets the function go, so no test hangs


class Gate:
    def __init__(self, url: str) -> None:
        self.url = url
        self.reached = threading.Event()  # the function is waiting at the gate
        self.opened = threading.Event()

    def open(self) -> None:
        self.opened.set()


@contextmanager
def gate() -> Iterator[Gate]:
    holder: list[Gate] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            holder[0].reached.set()
            holder[0].opened.wait(WAIT_LIMIT_S)
            body = b"open" if holder[0].opened.is_set() else b"gave up"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(Gate(f"http://127.0.0.1:{server.server_address[1]}/wait"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Functions may reach no other port of the host than Overcast's: open the gate's to them.
    guard = None
    if loopback_guard.available()[0]:
        guard = loopback_guard.LoopbackGuard(server.server_address[1])
        guard.install()
    try:
        yield holder[0]
    finally:
        if guard is not None:
            guard.remove()
        holder[0].open()
        server.shutdown()
        server.server_close()
