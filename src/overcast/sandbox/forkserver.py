"""The engine's side of a fork server (runtimes/python/forkserver.py): ask for a child, learn
its pid, hear when it exits. The zygote and SnapStart templates are both fork servers."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
from collections.abc import Callable

from overcast.errors import SandboxError
from overcast.runtimes.python.forkserver import MAX_MESSAGE

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
        try:
            socket.send_fds(self._sock, [message], fds)
        except OSError as exc:
            self._pending.pop(request_id, None)
            raise SandboxError(f"fork server unavailable: {exc}") from exc
        return await future

    def close(self) -> None:
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
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
