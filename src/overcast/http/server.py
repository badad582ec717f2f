"""The `overcast server` process around uvicorn: its listening sockets, its file limit, its
logging, and a shutdown that lets the platform stop in order."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import resource
import signal
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from types import FrameType

import uvicorn

from overcast.cli.errors import PortUnavailable

BACKLOG = 2048  # uvicorn's default
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
# No sane file limit is higher; Linux refuses RLIM_INFINITY for RLIMIT_NOFILE anyway.
FILE_LIMIT_CEILING = 1 << 20


def listen(host: str, port: int, flag: str = "--port") -> list[socket.socket]:
    """Bound, listening sockets for `host` (every address it resolves to) and `port`, made
    before anything else starts, so a busy port is the one thing said about it (`flag`: the
    option that chooses another). IPv6 sockets take IPv6 only, as asyncio's own
    `create_server` does."""
    try:
        found = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host!r}: {exc.strerror} (pass --host)") from exc
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise PortUnavailable(_bind_failure(exc, host, port, flag)) from exc
            sock.listen(BACKLOG)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _bind_failure(exc: OSError, host: str, port: int, flag: str) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use: stop the other server or pass {flag}"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port} (below 1024 needs root): pass {flag}"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine: pass --host"
    return f"cannot listen on {host}:{port}: {exc.strerror}"


def raise_file_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard one (each connection and each execution
    environment holds descriptors; the soft limit is often 1024) and return the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FILE_LIMIT_CEILING if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass  # the soft limit stays; the connection cap is derived from it
    return soft


ACCESS_LINES_PER_SECOND = 20


# How long closing a TLS connection waits for the client's close_notify. asyncio's default, 30 s,
# kept the server from exiting on SIGTERM while a client (boto3's pool) held an idle HTTPS
# connection it never reads: the close waited for a reply that never came.
TLS_SHUTDOWN_S = 1.0


class AccessLogBudget(logging.Filter):
    """At most `per_second` access log lines a second; past that, requests go unlogged and
    one line says how many (a server under load would otherwise spend its CPU on its log).

    A filter on uvicorn's access logger, so uvicorn's own lines obey it; the Invoke shortcut
    asks `wanted()` first, to skip even building a line it would not write.
    """

    def __init__(
        self, per_second: int = ACCESS_LINES_PER_SECOND, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.per_second = per_second
        self._clock = clock
        self._window = float("-inf")
        self._written = 0
        self._skipped = 0

    def wanted(self) -> bool:
        """Whether a line for the next request would be written (counting it if not)."""
        now = self._clock()
        if now - self._window >= 1.0:
            self._next_window(now)
        if self._written < self.per_second:
            return True
        self._skipped += 1
        return False

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.wanted():
            return False
        self._written += 1
        return True

    def _next_window(self, now: float) -> None:
        if self._skipped:
            logging.getLogger("overcast.access").info(
                "%d more requests were not logged (over %d a second)",
                self._skipped,
                self.per_second,
            )
        self._window, self._written, self._skipped = now, 0, 0


ACCESS_BUDGET = AccessLogBudget()


def configure_logging(level: str) -> None:
    """Overcast's and uvicorn's messages at `level` and above, on stderr, one format. At
    `info` and below, answered requests write access log lines ("uvicorn.access"), at most
    ACCESS_LINES_PER_SECOND a second."""
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)
    logging.getLogger("uvicorn.access").addFilter(ACCESS_BUDGET)


def access_log_on(level: str) -> bool:
    return logging.getLevelName(level.upper()) <= logging.INFO


class Server(uvicorn.Server):
    """uvicorn's server, except that SIGINT or SIGTERM ends `serve()` without being raised
    again after it (uvicorn re-raises it, and SIGTERM's default action would kill the process
    before the platform stops: buffered logs lost), and says that it is stopping; and that it
    also serves the same app over HTTPS on `tls_sockets` (uvicorn has one SSL setting for
    all its sockets): same protocol, same connection count, closed at the same shutdown."""

    stop_signal: str | None = None

    def __init__(
        self,
        config: uvicorn.Config,
        tls_sockets: list[socket.socket] = (),
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(config)
        self._tls_sockets = list(tls_sockets)
        self._tls_context = tls_context

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self._tls_sockets or self._tls_context is None or self.should_exit:
            return
        config, loop = self.config, asyncio.get_running_loop()

        def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
            return config.http_protocol_class(  # as uvicorn's own startup makes them
                config=config,
                server_state=self.server_state,
                app_state=self.lifespan.state,
                _loop=_loop,
            )

        for sock in self._tls_sockets:
            listener = await loop.create_server(
                create_protocol,
                sock=sock,
                ssl=self._tls_context,
                backlog=config.backlog,
                ssl_shutdown_timeout=TLS_SHUTDOWN_S,
            )
            self.servers.append(listener)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        handled = (signal.SIGINT, signal.SIGTERM)
        originals = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in originals.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stop_signal = self.stop_signal or signal.Signals(sig).name
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        why = f" ({self.stop_signal})" if self.stop_signal else ""
        print(f"Overcast is stopping{why}: finishing the requests in progress", flush=True)
        await super().shutdown(sockets)
