"""An execution environment as the engine sees it: a process, its control socket, its log pipe."""

from __future__ import annotations

import asyncio
import enum
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from overcast.runtimes.python import protocol
from overcast.sandbox.confinement import Lease

EXIT_WAIT_S = 2.0  # how long to wait for the zygote's exit report after the socket closes


class EnvironmentState(enum.StrEnum):
    SPARE = "spare"
    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"


class EnvironmentExited(Exception):
    """Raised when the environment's process ends while the engine waits for it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "exit status 1", "signal: killed", as Lambda words it


class ResponseTooLarge(EnvironmentExited):
    """Raised when the environment answers more than Lambda lets a function answer (`limit`
    bytes). The engine reads no further and ends the environment: Lambda's runtimes exit when
    the Runtime API refuses their response (awslambdaric raises on the 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__("response too large")
        self.limit = limit


@dataclass(frozen=True)
class FirstInvoke:
    """The event whose invocation caused a cold start, sent right behind the assignment: the
    environment runs it as soon as its init is done, instead of telling the engine READY and
    waiting to be sent it (two process wake-ups, ~0.2 ms each on the machines measured). The
    environment counts its deadline from the end of its init, as Lambda does."""

    meta: dict
    payload: bytes
    timeout_s: int


@dataclass(frozen=True)
class Answer:
    kind: int
    meta: dict
    body: bytes


def describe_exit(status: int) -> str:
    """Lambda's words for how a runtime process ended."""
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        return "signal: killed" if signum == signal.SIGKILL else f"signal: {_signal_name(signum)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _signal_name(signum: int) -> str:
    names = {signal.SIGSEGV: "segmentation fault", signal.SIGTERM: "terminated"}
    return names.get(signum, signal.Signals(signum).name.lower())


class _ControlProtocol(asyncio.Protocol):
    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        # No frame of an environment may be larger than a response: its header is refused.
        self.reader = protocol.FrameReader(protocol.RESPONSE_LIMIT, protocol.META_LIMIT)

    def data_received(self, data: bytes) -> None:
        try:
            frames = self.reader.feed(data)
        except protocol.FrameTooLarge as exc:
            for kind, meta, body in exc.frames:
                self.environment._answered(Answer(kind, meta, body))
            self.environment._refuse(protocol.RESPONSE_LIMIT)
            return
        for kind, meta, body in frames:
            self.environment._answered(Answer(kind, meta, body))

    def connection_lost(self, exc: Exception | None) -> None:
        self.environment._lost()


ChunkSink = Callable[[bytes, dict], None]  # (chunk, meta): a streaming caller's receiver


# An environment's credentials (its role's session) last this long; it is retired an hour
# before (engine/pool.py), so no invocation ever runs with expired credentials.
CREDENTIALS_LIFETIME_S = 12 * 3600
MAX_AGE_S = CREDENTIALS_LIFETIME_S - 3600


@dataclass(eq=False)
class Environment:
    """One execution environment: serves one invocation at a time."""

    key: str = ""  # the pool it belongs to; empty while it is a spare
    revision_id: str = ""
    log_stream: str = ""
    lease: Lease = field(default_factory=Lease)  # its uid and cgroups, while it lives
    pid: int = 0
    state: EnvironmentState = EnvironmentState.SPARE
    last_used: float = field(default_factory=time.monotonic)
    assigned: float = field(default_factory=time.monotonic)  # when it got its credentials
    provisioned: bool = False  # kept warm by a provisioned-concurrency config: never reaped
    extensions: bool = False  # has external extensions: it ends with a SHUTDOWN event
    log_group: str = ""
    on_chunk: ChunkSink | None = None  # set while a streaming caller waits on this environment
    _transport: asyncio.Transport | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _log_fd: int = -1
    _log_chunks: list[tuple[int, bytes]] = field(default_factory=list)
    _waiter: asyncio.Future[Answer] | None = None
    _early: Answer | None = None
    _exit: asyncio.Future[int] | None = None
    _chunks: list[bytes] = field(default_factory=list)  # a streamed response nobody streams
    _streamed_size: int = 0  # bytes of the response streamed so far

    def too_old(self, now: float) -> bool:
        """Whether its credentials are near their end: it then serves no more invocations."""
        return now - self.assigned > MAX_AGE_S

    _protocol: _ControlProtocol | None = None
    _socket: socket.socket | None = None  # the control socket (the transport's), to spin on

    async def attach(self, control_sock, log_fd: int) -> None:
        """Take ownership of the engine's ends of the control socket and the log pipe."""
        self._loop = loop = asyncio.get_running_loop()
        self._exit = loop.create_future()
        self._socket = control_sock
        self._transport, self._protocol = await loop.connect_accepted_socket(
            lambda: _ControlProtocol(self), control_sock
        )
        os.set_blocking(log_fd, False)
        self._log_fd = log_fd
        loop.add_reader(log_fd, self._read_logs)

    def expect(self) -> asyncio.Future[Answer]:
        """The next answer; one that came before anyone waited (READY often does) included."""
        # The loop kept by attach: asyncio.get_running_loop() makes a getpid system call.
        self._waiter = (self._loop or asyncio.get_running_loop()).create_future()
        if self._early is not None:
            self._waiter.set_result(self._early)
            self._early = None
        elif self.state is EnvironmentState.DEAD:
            self._waiter.set_exception(EnvironmentExited("exited"))
        return self._waiter

    def send_assign(self, assignment: dict) -> None:
        """Tell a spare environment which function it now runs (it answers READY or INIT_ERROR)."""
        self._transport.write(protocol.encode(protocol.ASSIGN, assignment))

    def send_template(self) -> None:
        """SnapStart: become a template (it answers SNAPSHOT, or an error)."""
        self._transport.write(protocol.encode(protocol.TEMPLATE, {}))

    def send_first(self, first: FirstInvoke) -> None:
        """Queue the first event behind the assignment; its answer comes after READY."""
        meta = {**first.meta, "timeout_ms": first.timeout_s * 1000}
        self._transport.write(protocol.encode(protocol.INVOKE, meta, first.payload))

    def send_invoke(self, meta: dict, body: bytes, spin_s: float = 0.0) -> asyncio.Future[Answer]:
        """Send an event; the answer comes on the returned future."""
        self._transport.write(protocol.encode(protocol.INVOKE, meta, body))
        return self.expect_answer(spin_s)

    def expect_answer(self, spin_s: float = 0.0) -> asyncio.Future[Answer]:
        """The answer to the event sent last. With `spin_s`, wait for it on the CPU for up to
        that long first (the caller knows nothing else is running): a process asleep in
        epoll takes tens of microseconds to wake on a virtual machine."""
        waiter = self.expect()
        if spin_s:
            self._spin(waiter, spin_s)
        return waiter

    def _spin(self, waiter: asyncio.Future, seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while not waiter.done():
            try:
                data = self._socket.recv(protocol.RECV_SIZE, socket.MSG_DONTWAIT)
            except BlockingIOError:
                if time.perf_counter() > deadline:
                    return
                os.sched_yield()  # the environment may be waiting for this very CPU
                continue
            except OSError:
                return
            if not data:
                return  # the end of the socket is the transport's to see
            self._protocol.data_received(data)

    def take_logs(self, until: bytes = b"") -> list[tuple[int, bytes]]:
        """Everything the function wrote since the last call, with the time it was read; with
        `until`, only what it wrote before that mark (the rest stays for the next call)."""
        self._read_logs()
        chunks, self._log_chunks = self._log_chunks, []
        if not until or not chunks:
            return chunks
        head, found, rest = b"".join(chunk for _, chunk in chunks).partition(until)
        if not found:  # the function moved its stdout away: it all stands as it came
            return chunks
        if rest:
            self._log_chunks.append((chunks[-1][0], rest))
        return [(chunks[0][0], head)] if head else []

    def memory_bytes(self) -> int:
        """What the environment uses now (its cgroup's usage; 0 without cgroups)."""
        return self.lease.cgroup.usage_bytes() if self.lease.cgroup else 0

    def peak_memory_mb(self, reported_kb: int) -> int:
        """Max Memory Used: the larger of the cgroup's high-water mark (memory charged to this
        environment, its children's included) and the runtime's peak resident size (which
        also counts the pages it shares with the zygote, as Lambda's figure includes them)."""
        peak = self.lease.cgroup.peak_memory_bytes() if self.lease.cgroup else None
        return round(max(peak or 0, reported_kb * 1024) / 1048576)

    async def exit_reason(self) -> str:
        """Why the process ended, waiting briefly for the zygote's report."""
        try:
            status = await asyncio.wait_for(asyncio.shield(self._exit), EXIT_WAIT_S)
        except TimeoutError:
            return "exited"
        return describe_exit(status)

    def exited(self, status: int) -> None:
        if self._exit is not None and not self._exit.done():
            self._exit.set_result(status)

    def kill(self) -> None:
        """End the environment and everything it started (its process group)."""
        if self.pid:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.close()

    def shutdown(self, grace_s: float) -> None:
        """End it gently: a SHUTDOWN for its extensions, then the kill after `grace_s`."""
        if self.state is EnvironmentState.DEAD or self._transport is None:
            self.kill()
            return
        self.state = EnvironmentState.DEAD
        self._transport.write(protocol.encode(protocol.SHUTDOWN, {"reason": "spindown"}))
        asyncio.get_running_loop().call_later(grace_s, self.kill)

    def close(self) -> None:
        self.state = EnvironmentState.DEAD
        if self._transport is not None:
            self._transport.close()
        self._read_logs()
        self._close_logs()

    def _close_logs(self) -> None:
        if self._log_fd >= 0:
            asyncio.get_running_loop().remove_reader(self._log_fd)
            os.close(self._log_fd)
            self._log_fd = -1

    def _read_logs(self) -> None:
        while self._log_fd >= 0:
            try:
                chunk = os.read(self._log_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                self._close_logs()
                return
            self._log_chunks.append((int(time.time() * 1000), chunk))

    def pause_reading(self) -> None:
        """Stop reading the control socket (a streaming caller is behind): the runtime's
        writes block until resume_reading, so a slow client holds no unbounded buffer."""
        if self._transport is not None and not self._transport.is_closing():
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()

    def _answered(self, answer: Answer) -> None:
        if answer.kind >= protocol.CHUNK:
            answer = self._streamed(answer)
            if answer is None:
                return
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(answer)
        else:
            self._early = answer

    def _streamed(self, answer: Answer) -> Answer | None:
        """A streamed response: each chunk goes to the streaming caller as it arrives (or is
        kept, for a caller that waits for the whole payload); its end is the answer, marked
        `streamed` (its body is the error object of a stream that failed, if any)."""
        if self.state is EnvironmentState.DEAD:
            return None  # refused (frames read with the one that went over the limit)
        if answer.kind == protocol.CHUNK:
            # A caller that waits for the whole payload gets a buffered response's limit.
            limit = protocol.RESPONSE_LIMIT if self.on_chunk is None else protocol.STREAM_LIMIT
            self._streamed_size += len(answer.body)
            if self._streamed_size > limit:
                self._refuse(limit)
            elif self.on_chunk is not None:
                self.on_chunk(answer.body, answer.meta)
            else:
                self._chunks.append(answer.body)
            return None
        meta = {**answer.meta, "streamed": True}
        chunks, self._chunks = self._chunks, []
        self._streamed_size = 0
        if "error_type" in meta:
            return Answer(protocol.ERROR, meta, answer.body)
        return Answer(protocol.RESPONSE, meta, b"".join(chunks))

    def _refuse(self, limit: int) -> None:
        """The environment sent more than `limit` bytes of response: fail its invocation with
        ResponseTooLarge and end it, reading nothing more from it."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ResponseTooLarge(limit))
        self._chunks.clear()
        self._streamed_size = 0
        self.kill()

    def _lost(self) -> None:
        self.state = EnvironmentState.DEAD
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(EnvironmentExited("exited"))
