"""Starting execution environments: one zygote per interpreter, one fork per environment."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from overcast.errors import SandboxError
from overcast.model.function import FunctionVersion
from overcast.runtimes.python import protocol
from overcast.sandbox.confinement import Confinement
from overcast.sandbox.environment import Answer, Environment, EnvironmentExited
from overcast.sandbox.protections import Protections
from overcast.sandbox.zygote import Zygote

log = logging.getLogger(__name__)

RUNTIME_DIR = str(Path(protocol.__file__).parent)
INIT_LIMIT_S = 10.0  # Lambda's init phase limit for on-demand environments


@dataclass(frozen=True)
class Started:
    """A freshly started environment and what its init cost."""

    environment: Environment
    init_ms: float  # fork to READY, as the engine saw it
    init_error: bytes | None = None  # Lambda's error object when init failed


class Launcher:
    """Starts environments for function versions; knows every live one by pid."""

    def __init__(
        self,
        interpreters: dict[str, str],
        endpoint: str,
        confinement: Confinement | None = None,
    ) -> None:
        self._interpreters = interpreters
        self._endpoint = endpoint
        self.confinement = confinement or Confinement(Protections(), Path("/nonexistent"))
        self._zygotes: dict[str, Zygote] = {}
        self._by_pid: dict[int, Environment] = {}

    def interpreter_for(self, runtime: str) -> str:
        try:
            return self._interpreters[runtime]
        except KeyError:
            raise SandboxError(f"no interpreter configured for runtime {runtime}") from None

    async def start(self, function: FunctionVersion, code_dir: Path, key: str) -> Started:
        """Fork an environment for `function`, run its init, and wait until it is ready."""
        started = time.perf_counter()
        zygote = self._zygote(self.interpreter_for(function.runtime))
        environment = Environment(key, function.revision_id, _stream_name(function.version))
        isolation, environment.lease = self.confinement.acquire(function, code_dir)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        log_read, log_write = os.pipe()
        try:
            spec = self._spec(function, code_dir, environment.log_stream, isolation)
            environment.pid = await zygote.spawn(spec, theirs.fileno(), log_write)
        except BaseException:
            ours.close()
            os.close(log_read)
            self.confinement.release(environment.lease)
            raise
        finally:
            theirs.close()
            os.close(log_write)
        self._by_pid[environment.pid] = environment
        await environment.attach(ours, log_read)
        answer = await self._wait_ready(environment)
        init_ms = (time.perf_counter() - started) * 1000.0
        if answer.kind == protocol.READY:
            return Started(environment, init_ms)
        return Started(environment, init_ms, init_error=answer.body)

    def exited(self, pid: int, status: int) -> None:
        """The zygote reaped `pid`: its uid and cgroups can be handed out again."""
        environment = self._by_pid.pop(pid, None)
        if environment is not None:
            environment.exited(status)
            self.confinement.release(environment.lease)

    def stop(self) -> None:
        for environment in list(self._by_pid.values()):
            environment.kill()
        for zygote in self._zygotes.values():
            zygote.stop()
        for environment in self._by_pid.values():
            self.confinement.release(environment.lease)
        self._by_pid.clear()
        self.confinement.close()

    def prestart(self) -> None:
        """Start a zygote for every configured interpreter now, so no first invoke pays for it."""
        for interpreter in sorted(set(self._interpreters.values())):
            try:
                self._zygote(interpreter)
            except SandboxError as exc:
                log.warning("%s; functions on it will fail until it is fixed", exc)

    def _zygote(self, interpreter: str) -> Zygote:
        zygote = self._zygotes.get(interpreter)
        if zygote is None:
            environ = self.confinement.zygote_environment()
            zygote = self._zygotes[interpreter] = Zygote(interpreter, self.exited, environ)
            zygote.start()
        return zygote

    async def _wait_ready(self, environment: Environment) -> Answer:
        """READY, or an INIT_ERROR answer for every way init can fail (as Lambda reports it)."""
        try:
            return await asyncio.wait_for(environment.expect(), INIT_LIMIT_S)
        except TimeoutError:
            environment.kill()
            error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"Init timed out after {INIT_LIMIT_S:.2f} seconds",
            }
        except EnvironmentExited:
            reason = await environment.exit_reason()
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"Runtime exited with error: {reason}",
            }
        return Answer(protocol.INIT_ERROR, {}, json.dumps(error).encode())

    def _spec(
        self, function: FunctionVersion, code_dir: Path, stream: str, isolation: dict | None
    ) -> dict:
        task_root = self.confinement.task_root(code_dir)
        return {
            "env": self._environment_variables(function, task_root, stream),
            "cwd": task_root,
            "path": [task_root, "/opt/python", RUNTIME_DIR],
            "handler": function.handler,
            "isolation": isolation,
        }

    def _environment_variables(self, function: FunctionVersion, task_root: str, stream: str):
        # Lambda's reserved variables win over the user's, as Lambda refuses to let them be set.
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            **function.environment,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": function.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "_HANDLER": function.handler,
            "LAMBDA_TASK_ROOT": task_root,
            "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
            "TZ": ":UTC",
            # Code that calls AWS from inside a function reaches this Overcast, not AWS.
            "AWS_ENDPOINT_URL": function.environment.get("AWS_ENDPOINT_URL", self._endpoint),
            "AWS_ACCESS_KEY_ID": function.environment.get("AWS_ACCESS_KEY_ID", "overcast"),
            "AWS_SECRET_ACCESS_KEY": function.environment.get("AWS_SECRET_ACCESS_KEY", "overcast"),
        }


def _stream_name(version: str) -> str:
    return f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{version}]{uuid.uuid4().hex}"
