"""Starting execution environments: zygotes fork spares ahead of need.

A spare is forked and confined (cgroups, namespaces, its uid reserved) before any function
needs it; a cold start takes one, tells it its function (ASSIGN) and waits for its init. Spares
are replaced in the background, so the fork and the isolation stay off the cold-start path:
once the cold start's response is on its way (`replenish`, called by the engine), not while
its init runs. Making a spare and its /tmp volume costs milliseconds of CPU (the zygote's
fork, the spare's confinement and rehearsal, the volume's threads): on a host of 2 CPUs, made
during the init, it slowed the very cold start it replaced a spare for. Only a cold start that
found no spare at all (a burst beyond SPARES) has more made at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from overcast.function import FunctionVersion
from overcast.runtimes.python import protocol
from overcast.sandbox.assignment import (
    assignment,
    has_extensions,
    stream_name,
    uses_runtime_api,
)
from overcast.sandbox.confinement import Confinement, Lease
from overcast.sandbox.environment import (
    Answer,
    Environment,
    EnvironmentExited,
    EnvironmentState,
    FirstInvoke,
)
from overcast.sandbox.errors import SandboxError
from overcast.sandbox.forkserver import ForkServer
from overcast.sandbox.init_clock import InitClock, InitTimedOut, Reader, thread_times
from overcast.sandbox.protections import Protections
from overcast.sandbox.zygote import Zygote

log = logging.getLogger(__name__)

INIT_LIMIT_S = 10.0  # Lambda's init phase limit for on-demand environments
SPARES = 2  # spare environments kept per zygote

# A zygote per interpreter and way of serving: (interpreter, serves the Runtime API). Python
# functions fork from a zygote without the Runtime API's server; Node.js, provided.* and
# functions with extensions from one with it, started when the first of them starts.
ZygoteKey = tuple[str, bool]


@dataclass(frozen=True)
class Started:
    """A freshly started environment and what its init cost."""

    environment: Environment
    init_ms: float  # assignment to READY (or, restored, fork to READY), as the engine saw it
    init_error: bytes | None = None  # Lambda's error object when init failed
    restored: bool = False  # forked from a SnapStart template: init_ms is a restore
    first_sent: bool = False  # the first event went with the assignment (FirstInvoke)


@dataclass
class Template:
    """SnapStart: an initialised environment of one published version that forks copies."""

    function: FunctionVersion
    environment: Environment  # the template process itself (serves no invocations)
    server: ForkServer
    init_ms: float

    @property
    def alive(self) -> bool:
        return self.server.open and self.environment.state is not EnvironmentState.DEAD

    def close(self) -> None:
        self.server.close()
        self.environment.kill()


class TemplateFailed(Exception):
    """Raised when a SnapStart template's init or before-snapshot hooks fail."""

    def __init__(self, started: Started) -> None:
        super().__init__("SnapStart template failed to initialise")
        self.started = started


class Launcher:
    """Starts environments for function versions; knows every live one by pid."""

    def __init__(
        self,
        interpreters: dict[str, str],
        endpoint: str,
        confinement: Confinement | None = None,
        spares: int = SPARES,
        node_binaries: dict[str, str] | None = None,
        init_limit_s: float = INIT_LIMIT_S,
        thread_times: Reader = thread_times,
        credentials: Callable[[FunctionVersion, int], dict[str, str]] | None = None,
    ) -> None:
        # What an environment is given to call AWS with (AWS_ACCESS_KEY_ID and the rest):
        # its role's session, made by the factory's issuer; None: the placeholders.
        self._credentials = credentials
        self._init_limit_s = init_limit_s
        self._thread_times = thread_times
        self._interpreters = interpreters
        self._node = node_binaries or {}
        self._endpoint = endpoint
        self.confinement = confinement or Confinement(Protections(), Path("/nonexistent"))
        self._spare_count = spares
        self._zygotes: dict[ZygoteKey, Zygote] = {}
        self._spares: dict[ZygoteKey, list[Environment]] = {}
        self._refilling: set[ZygoteKey] = set()
        self._by_pid: dict[int, Environment] = {}
        self._stopped = False

    def interpreter_for(self, runtime: str) -> str:
        try:
            return self._interpreters[runtime]
        except KeyError:
            raise SandboxError(f"no interpreter configured for runtime {runtime}") from None

    async def start(
        self,
        function: FunctionVersion,
        code_dir: Path,
        key: str,
        initialization_type: str = "on-demand",
        first: FirstInvoke | None = None,
    ) -> Started:
        """An environment for `function`, initialised: a spare if one is ready, else a new one.
        `first`: the event to run straight after the init, where the runtime allows it."""
        started = time.perf_counter()
        extensions = has_extensions(function)  # looked for once: it picks the zygote too
        kind = self._kind(function, extensions)
        environment = self._take_spare(kind)
        if environment is None:  # demand outran the spares: more are wanted now, not later
            self._refill_soon(kind)
            environment = await self._spawn(kind)
        try:
            return await self._assign(
                environment,
                function,
                code_dir,
                key,
                initialization_type,
                started,
                extensions,
                first=first,
            )
        except BaseException:
            environment.kill()  # never leave a half-assigned environment behind
            raise

    def replenish(self) -> None:
        """Make again, in the background, what starts used up: spares of every zygote
        started, and /tmp volumes. Call it once a start is over (the engine calls
        it after a cold start's response is written); it does nothing where nothing is short,
        and nothing once stopped."""
        for kind in self._zygotes:
            if len(self._spares.get(kind, ())) < self._spare_count:
                self._refill_soon(kind)
        if not self._stopped:
            self.confinement.started()

    async def start_template(self, function: FunctionVersion, code_dir: Path) -> Template:
        """SnapStart: an environment of `function` initialised once, then kept to be forked."""
        started = time.perf_counter()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        extensions = has_extensions(function)
        try:
            environment = await self._spawn(self._kind(function, extensions), channel=theirs)
        finally:
            theirs.close()
        key = f"{function.function_arn}:{function.version}"
        ready = await self._assign(
            environment, function, code_dir, key, "snap-start", started, extensions, template=True
        )
        if ready.init_error is None:
            environment.send_template()
            answer = await self._wait_ready(environment)
            if answer.kind == protocol.SNAPSHOT:
                server = ForkServer(ours, self.exited, environment.kill)
                return Template(function, environment, server, ready.init_ms)
            ready = Started(environment, ready.init_ms, answer.body)
        ours.close()
        environment.kill()
        raise TemplateFailed(ready)

    async def restore(self, template: Template, key: str) -> Started:
        """A new environment forked from a SnapStart template (after-restore hooks run)."""
        started = time.perf_counter()
        function = template.function
        stream = stream_name(function.version)
        environment = Environment(key=key, revision_id=function.revision_id, log_stream=stream)
        environment.state = EnvironmentState.STARTING
        volume = await self.confinement.copy_volume(function)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        log_read, log_write = os.pipe()
        env = {"AWS_LAMBDA_LOG_STREAM_NAME": stream, "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
        spec = {"env": env, "private_tmp_mb": self.confinement.private_tmp_mb(function)}
        fds = [theirs.fileno(), log_write, *([volume.mount_fd] if volume else [])]
        try:
            environment.pid = await template.server.spawn(spec, fds)
        except BaseException:
            ours.close()
            os.close(log_read)
            self.confinement.release(Lease(volume=volume))
            raise
        finally:
            theirs.close()
            os.close(log_write)
        environment.lease = self.confinement.adopt(volume)
        # Off the restore's path: the copy starts in its template's groups, moves in a moment.
        loop = asyncio.get_running_loop()
        loop.run_in_executor(
            None, self.confinement.move, environment.lease, environment.pid, function
        )
        await self._adopt(environment, ours, log_read)
        answer = await self._wait_ready(environment)
        restore_ms = (time.perf_counter() - started) * 1000.0
        error = None if answer.kind == protocol.READY else answer.body
        return Started(environment, restore_ms, error, restored=True)

    def _program(self, runtime: str) -> str | None:
        """What runs a Runtime API loop: node for nodejs*, the interpreter for python*."""
        if runtime.startswith("python"):
            return self.interpreter_for(runtime)
        return self._node.get(runtime)

    async def _assign(
        self,
        environment: Environment,
        function: FunctionVersion,
        code_dir: Path,
        key: str,
        initialization_type: str,
        started: float,
        extensions: bool,
        template: bool = False,
        first: FirstInvoke | None = None,
    ) -> Started:
        environment.key, environment.revision_id = key, function.revision_id
        environment.log_stream = stream_name(function.version)
        environment.log_group = function.log_group
        roots = self.confinement.roots(code_dir, function)
        environment.extensions = extensions
        environment.state = EnvironmentState.STARTING
        environment.assigned = time.monotonic()
        message = assignment(
            function,
            roots,
            environment.log_stream,
            self._endpoint,
            initialization_type,
            self._program(function.runtime),
            environment.extensions,
            self._credentials_of(environment, function),
        )
        node = self._node.get(function.runtime) if function.runtime.startswith("nodejs") else None
        message["isolation"] = await self.confinement.assign(
            environment.lease, function, code_dir, template, node
        )
        # Python's own loop takes the first event with the assignment (not the Runtime API's).
        first_sent = first is not None and not template and not message["runtime_api"]
        message["first_invoke"] = first_sent
        clock = self._init_clock(environment)  # before the init begins
        environment.send_assign(message)
        if first_sent:
            environment.send_first(first)
        answer = await self._wait_ready(environment, clock)
        init_ms = (time.perf_counter() - started) * 1000.0
        if answer.kind == protocol.READY:
            return Started(environment, init_ms, first_sent=first_sent)
        return Started(environment, init_ms, init_error=answer.body, first_sent=first_sent)

    def _credentials_of(
        self, environment: Environment, function: FunctionVersion
    ) -> dict[str, str] | None:
        """Its role's session, issued for the uid it runs as (the server's own when it has
        none of its own)."""
        if self._credentials is None:
            return None
        uid = environment.lease.uid
        return self._credentials(function, os.getuid() if uid is None else uid)

    def exited(self, pid: int, status: int) -> None:
        """The zygote reaped `pid`: its uid and cgroups can be handed out again."""
        environment = self._by_pid.pop(pid, None)
        if environment is not None:
            environment.exited(status)
            self.confinement.release(environment.lease)

    def spare_counts(self) -> dict[str, tuple[int, bool]]:
        """Per zygote (its interpreter, marked when it serves the Runtime API): its spares
        ready, and whether more are being made (diagnostics and tests)."""
        return {
            f"{kind[0]} (Runtime API)" if kind[1] else kind[0]: (
                len(self._spares.get(kind, ())),
                kind in self._refilling,
            )
            for kind in self._zygotes
        }

    def prestart(self) -> None:
        """Start a zygote and spares for every configured interpreter now (those of the
        Runtime API's zygotes come with their first cold start)."""
        self.confinement.prepare()
        for interpreter in sorted(set(self._interpreters.values())):
            kind = (interpreter, False)
            try:
                self._zygote(kind)
            except SandboxError as exc:
                log.warning("%s; functions on it will fail until it is fixed", exc)
                continue
            self._refill_soon(kind)

    def stop(self) -> None:
        self._stopped = True  # spares being forked now fail: that is the stop, not a fault
        for environment in list(self._by_pid.values()):
            environment.kill()
        for zygote in self._zygotes.values():
            zygote.stop()
        for environment in self._by_pid.values():
            self.confinement.release(environment.lease)
        self._by_pid.clear()
        self.confinement.close()

    def _kind(self, function: FunctionVersion, extensions: bool) -> ZygoteKey:
        """The zygote `function`'s environments fork from (`extensions`: has_extensions)."""
        interpreter = self.interpreter_for(function.runtime)
        return interpreter, uses_runtime_api(function, extensions)

    def _take_spare(self, kind: ZygoteKey) -> Environment | None:
        spares = self._spares.get(kind, [])
        while spares:
            # The oldest first: a spare confines itself after its fork, and the oldest has
            # had the longest to finish (a young one would make the cold start wait for it).
            environment = spares.pop(0)
            if environment.state is EnvironmentState.SPARE:
                return environment
        return None

    def _refill_soon(self, kind: ZygoteKey) -> None:
        if self._spare_count and kind not in self._refilling and not self._stopped:
            self._refilling.add(kind)
            asyncio.get_running_loop().create_task(self._refill(kind))

    async def _refill(self, kind: ZygoteKey) -> None:
        try:
            self.confinement.retry_removals()
            spares = self._spares.setdefault(kind, [])
            while len(spares) < self._spare_count:
                environment = await self._spawn(kind)
                self.confinement.hold_volume(environment.lease)
                spares.append(environment)
            self.confinement.started()  # the volumes the new spares took are made again
        except Exception as exc:  # a broken interpreter: cold starts will report it
            if not self._stopped:
                log.warning("could not prepare a spare environment for %s: %s", kind[0], exc)
        finally:
            self._refilling.discard(kind)

    async def _spawn(self, kind: ZygoteKey, channel: socket.socket | None = None) -> Environment:
        """Fork and confine a new spare environment (a SnapStart template gets a `channel`)."""
        zygote = self._zygote(kind)
        isolation, lease = self.confinement.acquire(pid_namespace=channel is None)
        environment = Environment(lease=lease)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        log_read, log_write = os.pipe()
        fds = [theirs.fileno(), log_write, *([channel.fileno()] if channel else [])]
        try:
            environment.pid = await zygote.spawn({"isolation": isolation}, fds)
        except BaseException:
            ours.close()
            os.close(log_read)
            self.confinement.release(lease)
            raise
        finally:
            theirs.close()
            os.close(log_write)
        await self._adopt(environment, ours, log_read)
        return environment

    async def _adopt(self, environment: Environment, sock: socket.socket, log_read: int) -> None:
        self._by_pid[environment.pid] = environment
        await environment.attach(sock, log_read)

    def _zygote(self, kind: ZygoteKey) -> Zygote:
        zygote = self._zygotes.get(kind)
        if zygote is None:
            environ = self.confinement.zygote_environment()
            layout = self.confinement.protections.namespaces  # /var/lang, /var/runtime
            interpreter, runtime_api = kind
            zygote = Zygote(interpreter, self.exited, environ, layout, runtime_api)
            self._zygotes[kind] = zygote
            zygote.start()
        return zygote

    async def _wait_ready(self, environment: Environment, clock: InitClock | None = None) -> Answer:
        """READY, or an INIT_ERROR answer for every way init can fail (as Lambda reports it).
        The limit counts the environment's own time from `clock`'s start (init_clock.py);
        raises InitStarved when the host kept it from running (the platform's failure)."""
        clock = clock or self._init_clock(environment)
        waiter = environment.expect()
        try:
            while not waiter.done():
                await asyncio.wait((waiter,), timeout=clock.check())
            return waiter.result()
        except InitTimedOut:
            error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"Init timed out after {self._init_limit_s:.2f} seconds",
            }
        except EnvironmentExited:
            reason = await environment.exit_reason()
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"Runtime exited with error: {reason}",
            }
        finally:
            if not waiter.done():  # timed out, starved, or the caller gave up
                waiter.cancel()
                environment.kill()
        return Answer(protocol.INIT_ERROR, {}, json.dumps(error).encode())

    def _init_clock(self, environment: Environment) -> InitClock:
        return InitClock(environment.pid, self._init_limit_s, read=self._thread_times)
