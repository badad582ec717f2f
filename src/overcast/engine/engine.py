"""The one path every invocation takes: admit, pick or start an environment, run, record.

Everything that records what happened (logs now; metrics, traces and usage later) is fed here,
at the end of an invocation.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from overcast.aws.errors import ServiceError
from overcast.aws.lineage import trace_id
from overcast.aws.request_id import new_request_id
from overcast.engine.admission import Admission
from overcast.engine.invocation import InvocationRecord
from overcast.engine.memory import MemoryBudget
from overcast.engine.pool import Pools
from overcast.engine.provisioning import Provisioner
from overcast.engine.snapshots import Snapshots
from overcast.engine.starts import StartSlots
from overcast.engine.streaming import BUFFERED_CONTENT_TYPE, ResponseStream
from overcast.function import FunctionVersion, Target
from overcast.observe import report as lines
from overcast.runtimes.python import protocol
from overcast.sandbox.environment import (
    Answer,
    Environment,
    EnvironmentExited,
    FirstInvoke,
    ResponseTooLarge,
)
from overcast.sandbox.errors import SandboxError
from overcast.sandbox.launcher import Launcher, Started, Template
from overcast.types import InvokeResult, LogSink, ProvisionedStatus

log = logging.getLogger(__name__)

TAIL_BYTES = 4096
SHUTDOWN_GRACE_S = 2.0  # Lambda gives extensions 2 s (500 ms with none registered)
# How long a lone synchronous invocation waits for its answer on the CPU before sleeping in
# epoll: a warm no-op answers within about 100 us, and waking from epoll costs tens of them.
SPIN_S = 0.0002


class Engine:
    """Runs invocations on warm or new environments; one invocation per environment at a time."""

    def __init__(
        self,
        launcher: Launcher,
        logs: LogSink,
        code_path: Callable[[str], Path],
        keep_alive_s: float = 600.0,
        admission: Admission | None = None,
        memory: MemoryBudget | None = None,
        starts: StartSlots | None = None,
    ) -> None:
        self.launcher = launcher
        self.logs = logs
        self.code_path = code_path
        self._keep_alive_s = keep_alive_s
        self.admission = admission or Admission()
        self.memory = memory or MemoryBudget.unlimited()
        self.starts = starts or StartSlots()
        self._reaper: asyncio.Task | None = None
        self._streams: set[asyncio.Task] = set()  # streamed invocations running
        self._loop: asyncio.AbstractEventLoop | None = None
        # Whether the server has at most one client connection (set by whoever serves HTTP):
        # only then may a lone invocation spin for its answer without delaying other requests.
        self.one_client: Callable[[], bool] = lambda: False
        self.pools = Pools(self._kill)
        self.provisioner = Provisioner(self)
        self.snapshots = Snapshots(self)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.launcher.prestart()
        self._reaper = self._loop.create_task(self._reap_forever())

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        self.provisioner.stop()
        self.snapshots.stop()
        self.launcher.stop()

    def retire(self, function_arn: str) -> None:
        """Thread-safe: the control plane may call it from a worker thread."""
        self.call_on_loop(self._retire, function_arn)

    def _retire(self, function_arn: str) -> None:
        self.pools.retire(function_arn)
        self.snapshots.retire(function_arn)

    def call_on_loop(self, fn: Callable, *args: object) -> None:
        """Run `fn` on the engine's loop, now if already there (control-plane threads call in)."""
        if self._loop is None or _on_loop(self._loop):
            fn(*args)
        else:
            self._loop.call_soon_threadsafe(fn, *args)

    # Capacity (types.Capacity): provisioned concurrency and SnapStart, for the control plane.
    def provision(self, key: str, function: FunctionVersion, count: int) -> None:
        self.call_on_loop(self.provisioner.provision, key, function, count)

    def unprovision(self, key: str) -> None:
        self.call_on_loop(self.provisioner.unprovision, key)

    def provisioned_status(self, key: str) -> ProvisionedStatus | None:
        return self.provisioner.status(key)

    def prepare_snapshot(
        self, function: FunctionVersion, done: Callable[[str | None], None]
    ) -> None:
        self.call_on_loop(self.snapshots.prepare, function, done)

    async def invoke(
        self,
        target: Target,
        payload: bytes,
        *,
        tail: bool = False,
        client_context: str | None = None,
        hops: int = 0,
    ) -> InvokeResult:
        """A synchronous invocation; throttled with 429 as Lambda's concurrency model says.
        `hops`: invocations before this one in its chain (recursive loop detection)."""
        function = target.function
        self.admission.admit(function)
        try:
            return await self._run(
                target, payload, tail, client_context, hops=hops, log_later=not tail
            )
        finally:
            self.admission.release(function)

    async def admitted(self, function: FunctionVersion, timeout_s: float) -> bool:
        """Wait up to `timeout_s` for room to run an event of `function` (the asynchronous
        queue waits instead of failing); True once counted in: then call `run_admitted`."""
        if self.admission.try_admit(function):
            return True
        try:
            await asyncio.wait_for(self.admission.wait(function), max(timeout_s, 0.0))
        except TimeoutError:
            return False
        return True

    async def run_admitted(
        self, target: Target, payload: bytes, request_id: str, hops: int = 0
    ) -> InvokeResult:
        """Run an event counted in by `admitted`, and count it out. Raises
        TooManyRequestsException when the scaling rate refuses a new environment."""
        try:
            return await self._run(target, payload, False, None, request_id, hops)
        finally:
            self.admission.release(target.function)

    async def invoke_stream(
        self,
        target: Target,
        payload: bytes,
        *,
        tail: bool = False,
        client_context: str | None = None,
        hops: int = 0,
    ) -> ResponseStream:
        """A synchronous invocation whose response comes in chunks, as the function writes
        them. Refusals (429, an environment that cannot start) raise here, before any chunk;
        what happens once the function runs (its errors, a timeout) ends the stream."""
        self.admission.admit(target.function)
        stream = ResponseStream(new_request_id())
        task = asyncio.get_running_loop().create_task(
            self._run_stream(target, payload, tail, client_context, hops, stream)
        )
        self._streams.add(task)
        task.add_done_callback(self._streams.discard)
        try:
            await stream.started()
        except BaseException:
            stream.close()  # no one will read it: let the function write on unthrottled
            raise
        return stream

    async def _run_stream(
        self,
        target: Target,
        payload: bytes,
        tail: bool,
        client_context: str | None,
        hops: int,
        stream: ResponseStream,
    ) -> None:
        try:
            result = await self._run(
                target, payload, tail, client_context, stream.request_id, hops, stream
            )
            stream.finish(result)
        except Exception as exc:
            stream.fail(exc)
        finally:
            self.admission.release(target.function)

    async def _run(
        self,
        target: Target,
        payload: bytes,
        tail: bool,
        client_context: str | None,
        request_id: str | None = None,
        hops: int = 0,
        stream: ResponseStream | None = None,
        log_later: bool = False,
    ) -> InvokeResult:
        function = target.function
        request_id = request_id or new_request_id()
        key = f"{function.function_arn}:{function.version}"
        environment = self.pools.take(key, function.revision_id)
        record = InvocationRecord(function, request_id)
        meta = {
            "request_id": request_id,
            "invoked_arn": target.invoked_arn,
            "trace_id": trace_id(hops + 1),
            "client_context": client_context,
        }
        sent, cold = False, environment is None
        try:
            if cold:
                # A cold start sends the event with the assignment (see FirstInvoke).
                first = FirstInvoke(meta, payload, function.timeout) if stream is None else None
                environment, sent = await self._cold_start(function, key, record, first)
                if record.init_error is not None:
                    return self._finish(record, environment, None, tail)
            record.begin()
            if stream is None:
                answer = await self._await_answer(environment, meta, payload, record, sent)
            else:
                answer = await self._await_stream(environment, meta, payload, record, stream)
            return self._finish(record, environment, answer, tail, log_later)
        finally:
            if cold:
                # What the cold start used up (a spare, a /tmp volume) is made again once its
                # answer is written, not during its init: call_soon's callbacks run after
                # the caller's write, which follows this return with no wait between.
                asyncio.get_running_loop().call_soon(self.launcher.replenish)

    async def _cold_start(
        self,
        function: FunctionVersion,
        key: str,
        record: InvocationRecord,
        first: FirstInvoke | None = None,
    ) -> tuple[Environment, bool]:
        """A new environment once a start slot is free (starts.py), or a warm one released
        while this invocation waited for the slot; and whether `first` was sent to it. A
        SnapStart restore runs no init: it takes no slot, so it never waits behind other
        functions' inits."""
        template = self.snapshots.ready(function) if function.snap_start else None
        if template is None:
            warm = await self.starts.environment_or_slot(self.pools, key, function.revision_id)
            if warm is not None:
                return warm, False
        try:
            self.admission.allow_new_environment(function)
            self.memory.make_room(self.pools.idle_oldest_first, self.pools.discard_idle)
            with self.memory.starting():
                started = await self._launch(function, key, template=template, first=first)
        finally:
            if template is None:
                self.starts.give_back()
        record.cold(started)
        return started.environment, started.first_sent

    async def start_environment(
        self, function: FunctionVersion, key: str, initialization_type: str = "on-demand"
    ) -> Started:
        """A new environment of `function`, counted busy in pool `key` until released; it
        starts once a start slot is free."""
        try:
            async with self.starts.slot(key):
                return await self._launch(function, key, initialization_type)
        finally:
            self.launcher.replenish()  # no answer to wait for: make what it used up now

    async def _launch(
        self,
        function: FunctionVersion,
        key: str,
        initialization_type: str = "on-demand",
        template: Template | None = None,
        first: FirstInvoke | None = None,
    ) -> Started:
        """Start an environment: restored from a SnapStart `template` if given, else an init
        for which the caller holds a start slot (and which may run `first` straight after)."""
        try:
            if template is not None:
                started = await self.launcher.restore(template, key)
            else:
                code_dir = self.code_path(function.code_sha256)
                started = await self.launcher.start(
                    function, code_dir, key, initialization_type, first
                )
        except SandboxError as exc:
            raise ServiceError(f"Could not start an execution environment: {exc}") from exc
        self.pools.adopt(key, started.environment)
        return started

    async def _await_answer(
        self, environment, meta, payload, record, sent: bool = False
    ) -> Answer | None:
        """The environment's answer to the event (`sent` already, with its assignment)."""
        if sent:
            waiter = environment.expect_answer(self._spin_s(meta))
        else:
            meta["deadline_ms"] = int(time.time() * 1000) + record.function.timeout * 1000
            waiter = environment.send_invoke(meta, payload, self._spin_s(meta))
        # A timer on the waiter costs less than asyncio.wait_for on this path.
        timer = self._loop.call_later(record.function.timeout, _expire, waiter)
        try:
            return await waiter
        except TimeoutError:
            environment.kill()
            record.timed_out()
        except ResponseTooLarge as exc:  # refused from the frame's header: nothing was kept
            record.too_large(exc.limit)
        except EnvironmentExited:
            record.crashed(await environment.exit_reason())
        finally:
            timer.cancel()
        return None

    async def _await_stream(self, environment, meta, payload, record, stream) -> Answer | None:
        """As _await_answer, with the response's chunks going to `stream` as they come."""
        meta["stream"] = True  # the Runtime API applies the streaming size limit
        environment.on_chunk = stream.chunk
        stream.begin(environment.pause_reading, environment.resume_reading)
        try:
            answer = await self._await_answer(environment, meta, payload, record)
        finally:
            environment.on_chunk = None
            environment.resume_reading()  # a paused stream's reader may have gone
        if answer is not None and answer.kind == protocol.RESPONSE:
            if not answer.meta.get("streamed"):  # a runtime that does not stream: one chunk
                stream.chunk(answer.body, {"content_type": BUFFERED_CONTENT_TYPE})
            answer = Answer(answer.kind, answer.meta, b"")
        return answer

    def _spin_s(self, meta: dict) -> float:
        """How long to spin for this invocation's answer: only when nothing else could use
        the CPU meanwhile (no other invocation running, no other client to serve)."""
        lone = self.admission.total_running() == 1 and "stream" not in meta
        return SPIN_S if lone and self.one_client() else 0.0

    def _finish(
        self,
        record: InvocationRecord,
        environment: Environment,
        answer: Answer | None,
        tail: bool,
        log_later: bool = False,
    ) -> InvokeResult:
        """The result; the invocation's log lines (START to REPORT) are recorded now, or with
        `log_later` once the caller has had its answer: a synchronous caller waits for the
        answer, not for the log. (call_soon's queue is first in, first out: the lines are
        recorded before any invocation that starts afterwards runs, this environment's next
        one included.)"""
        record.end(answer, environment.take_logs())
        healthy = answer is not None and answer.kind in (protocol.RESPONSE, protocol.ERROR)
        self.pools.release(environment, healthy)
        if log_later and healthy:
            self._loop.call_soon(self._log, record, environment)
            return record.result(None, environment.log_stream)
        events = self._log(record, environment)
        return record.result(_tail(events) if tail else None, environment.log_stream)

    def _log(self, record: InvocationRecord, environment: Environment) -> list[tuple[int, str]]:
        record.max_memory_mb = environment.peak_memory_mb(record.max_rss_kb)
        events = record.log_events()
        self.logs.append(record.function.log_group, environment.log_stream, events)
        return events

    def _kill(self, environment: Environment) -> None:
        """End an environment the engine no longer needs (reclaimed, retired, replaced).

        One with extensions gets a SHUTDOWN first. What it wrote since its last invocation
        (an extension's last words, a background thread) still reaches its log stream.
        """
        if environment.extensions:
            environment.shutdown(SHUTDOWN_GRACE_S)
            loop = asyncio.get_running_loop()
            loop.call_later(SHUTDOWN_GRACE_S + 0.1, self._keep_last_words, environment)
        else:
            environment.kill()
            self._keep_last_words(environment)

    def note(self, result: InvokeResult, message: str) -> None:
        """Add a line to an invocation's log stream (a front door explaining a refusal),
        after its REPORT line (which a synchronous invocation records with call_soon)."""
        events = [(int(time.time() * 1000), message)]
        self._loop.call_soon(self.logs.append, result.log_group, result.log_stream, events)

    def _keep_last_words(self, environment: Environment) -> None:
        events = lines.output_events(environment.take_logs())
        if events and environment.log_group:
            self.logs.append(environment.log_group, environment.log_stream, events)

    async def _reap_forever(self) -> None:
        interval = max(0.2, min(self._keep_alive_s / 4, 5.0))
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):
                self.pools.reap(self._keep_alive_s)
                self.provisioner.reconcile()


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _tail(events: list[tuple[int, str]]) -> str:
    text = "".join(message + "\n" for _, message in events).encode()
    return base64.b64encode(text[-TAIL_BYTES:]).decode()
