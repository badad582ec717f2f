"""The engine's side of a zygote: start it, ask it for environments, hear when they exit."""

from __future__ import annotations

import logging
import os
import socket
import subprocess

from overcast.sandbox.errors import SandboxError
from overcast.sandbox.forkserver import ExitListener, ForkServer
from overcast.sandbox.lambda_layout import ZYGOTE, run_main

log = logging.getLogger(__name__)

# Isolated environments' zygotes start in Lambda's layout (/var/lang, /var/runtime).
START_CODE = run_main(ZYGOTE)
LAYOUT_CODE = run_main("overcast.sandbox.lambda_layout")


class Zygote:
    """One pre-initialised runtime process for one interpreter; forks environments on request."""

    def __init__(
        self,
        interpreter: str,
        on_exit: ExitListener,
        environ: dict[str, str] | None = None,
        layout: bool = False,
        runtime_api: bool = False,
    ) -> None:
        self.interpreter = interpreter
        self._layout = layout  # start in Lambda's layout (lambda_layout.py): isolated only
        # Its environments serve the Runtime API (Node.js, provided.*, extensions): it holds
        # runtime_api.py's modules, which the zygote of Python's fast path goes without.
        self.runtime_api = runtime_api
        self._on_exit = on_exit
        self._environ = environ or {}
        self._server: ForkServer | None = None
        self._process: subprocess.Popen | None = None

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
        if self.runtime_api:
            env["OVERCAST_ZYGOTE_RUNTIME_API"] = "1"
        try:
            self._process = subprocess.Popen(
                [self.interpreter, "-I", "-c", LAYOUT_CODE if self._layout else START_CODE],
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
        self._server = ForkServer(ours, self._on_exit, self._exited)

    async def spawn(self, spec: dict, fds: list[int]) -> int:
        """Fork a new environment from the zygote; returns its pid."""
        if not self.alive or self._server is None or not self._server.open:
            self.stop()
            self.start()
        return await self._server.spawn(spec, fds)

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def _exited(self) -> None:
        log.warning("zygote for %s exited; it will be restarted", self.interpreter)
