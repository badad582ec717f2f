"""The engine's side of a zygote: start it, ask it for environments, hear when they exit."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from overcast.errors import SandboxError
from overcast.runtimes.python.zygote import MAX_MESSAGE

log = logging.getLogger(__name__)

# The directory that holds the `overcast` package: appended (not prepended) to the zygote's
# sys.path so a function's own modules always win over ours.
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
START_CODE = (
    f"import sys; sys.path.append({PACKAGE_ROOT!r}); "
    "from overcast.runtimes.python.zygote import main; main()"
)

ExitListener = Callable[[int, int], None]


class Zygote:
    """One pre-initialised runtime process for one interpreter; forks environments on request."""

    def __init__(
        self, interpreter: str, on_exit: ExitListener, environ: dict[str, str] | None = None
    ) -> None:
        self.interpreter = interpreter
        self._on_exit = on_exit
        self._environ = environ or {}
        self._sock: socket.socket | None = None
        self._process: subprocess.Popen | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[int]] = {}

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {
            "OVERCAST_ZYGOTE_FD": str(theirs.fileno()),
            "PATH": os.environ.get("PATH", ""),
            **self._environ,
        }
        try:
            self._process = subprocess.Popen(
                [self.interpreter, "-I", "-c", START_CODE],
                pass_fds=[theirs.fileno()],
                env=env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            ours.close()
            raise SandboxError(f"cannot start interpreter {self.interpreter}: {exc}") from exc
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock = ours
        asyncio.get_running_loop().add_reader(ours.fileno(), self._on_readable)

    async def spawn(self, spec: dict, control_fd: int, log_fd: int) -> int:
        """Fork a new environment from the zygote; returns its pid."""
        if not self.alive:
            self.stop()
            self.start()
        request_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = json.dumps({"op": "spawn", "id": request_id, "spec": spec}).encode()
        try:
            socket.send_fds(self._sock, [message], [control_fd, log_fd])
        except OSError as exc:
            self._pending.pop(request_id, None)
            raise SandboxError(f"zygote unavailable: {exc}") from exc
        return await future

    def stop(self) -> None:
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SandboxError("zygote stopped"))
        self._pending.clear()

    def _on_readable(self) -> None:
        while True:
            try:
                data = self._sock.recv(MAX_MESSAGE)
            except BlockingIOError:
                return
            if not data:
                log.warning("zygote for %s exited; it will be restarted", self.interpreter)
                self.stop()
                return
            self._dispatch(json.loads(data))

    def _dispatch(self, message: dict) -> None:
        if message["op"] == "spawned":
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(message["pid"])
        elif message["op"] == "exited":
            self._on_exit(message["pid"], message["status"])
