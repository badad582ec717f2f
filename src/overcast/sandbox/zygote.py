"""The engine's side of a zygote: start it, ask it for environments, hear when they exit."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
from pathlib import Path

from overcast.errors import SandboxError
from overcast.sandbox.forkserver import ExitListener, ForkServer

log = logging.getLogger(__name__)

# The directory that holds the `overcast` package these modules belong to.
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def run_main(module: str) -> str:
    """Python code (for `-I -c`) that runs `module.main()` from this very package.

    The package's folder goes first while `module` is imported, so this Overcast's own code
    runs even where the interpreter has another copy installed (an editable install of
    another checkout, say): `-I` ignores PYTHONPATH. It then moves last, so a function's own
    modules always win over ours; `overcast`'s later imports follow the package's __path__.
    """
    root = repr(PACKAGE_ROOT)
    return (
        f"import sys; sys.path.insert(0, {root}); from {module} import main; "
        f"sys.path.remove({root}); sys.path.append({root}); main()"
    )


START_CODE = run_main("overcast.runtimes.python.zygote")


class Zygote:
    """One pre-initialised runtime process for one interpreter; forks environments on request."""

    def __init__(
        self, interpreter: str, on_exit: ExitListener, environ: dict[str, str] | None = None
    ) -> None:
        self.interpreter = interpreter
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
