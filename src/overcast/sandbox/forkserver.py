"""The engine's side of a fork server (runtimes/python/forkserver.py): ask for a child, learn
its pid, hear when it exits. The zygote and SnapStart templates are both fork servers."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
from collections import deque
from collections.abc import Callable

from overcast.runtimes.python.forkserver import MAX_MESSAGE
from overcast.sandbox.errors import SandboxError

ExitListener = Callable[[int, int], None]


class ForkServer:
    """A connected SOCK_SEQPACKET channel to a fork server."""

    def __init__(
        self, sock: socket.socket, on_exit: ExitListener, on_close: Callable[[], None]
    ) -> None:
        sock.setblocking(False)
        self._sock: socket.socket | None = sock
        self._on_exit = on_exit
        self._on_close = on_close
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[int]] = {}
        self._outbox: deque[tuple[int, bytes, list[int]]] = deque()
        self._waiting_to_write = False
        asyncio.get_running_loop().add_reader(sock.fileno(), self._on_readable)

    @property
    def open(self) -> bool:
        return self._sock is not None

    async def spawn(self, spec: dict, fds: list[int]) -> int:
        """Fork a child that receives `spec` and `fds`; returns its pid."""
        if self._sock is None:
            raise SandboxError("fork server closed")
        request_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = json.dumps({"id": request_id, "spec": spec}).encode()
        # Duplicates: the caller closes its copies as soon as we return, the queue may hold ours.
        self._outbox.append((request_id, message, [os.dup(fd) for fd in fds]))
        self._flush()
        return await future

    def _flush(self) -> None:
        """Send queued requests in order until the socket's queue is full (a burst of cold
        starts outruns the fork server: the kernel keeps only a few packets), then wait for
        it to drain."""
        loop = asyncio.get_running_loop()
        while self._outbox and self._sock is not None:
            request_id, message, fds = self._outbox[0]
            try:
                socket.send_fds(self._sock, [message], fds)
            except BlockingIOError:
                if not self._waiting_to_write:
                    loop.add_writer(self._sock.fileno(), self._writable)
                    self._waiting_to_write = True
                return
            except OSError as exc:
                self._outbox.popleft()
                _close_all(fds)
                future = self._pending.pop(request_id, None)
                if future is not None and not future.done():
                    future.set_exception(SandboxError(f"fork server unavailable: {exc}"))
                continue
            self._outbox.popleft()
            _close_all(fds)

    def _writable(self) -> None:
        asyncio.get_running_loop().remove_writer(self._sock.fileno())
        self._waiting_to_write = False
        self._flush()

    def close(self) -> None:
        if self._sock is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._sock.fileno())
            if self._waiting_to_write:
                loop.remove_writer(self._sock.fileno())
            self._sock.close()
            self._sock = None
        while self._outbox:
            _close_all(self._outbox.popleft()[2])
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SandboxError("fork server closed"))
        self._pending.clear()

    def _on_readable(self) -> None:
        while self._sock is not None:
            try:
                data = self._sock.recv(MAX_MESSAGE)
            except BlockingIOError:
                return
            except ConnectionResetError:
                data = b""
            if not data:
                self.close()
                self._on_close()
                return
            self._dispatch(json.loads(data))

    def _dispatch(self, message: dict) -> None:
        if message["op"] == "spawned":
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(message["pid"])
        elif message["op"] == "exited":
            self._on_exit(message["pid"], message["status"])


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)
