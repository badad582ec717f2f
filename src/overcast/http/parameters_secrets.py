"""The server's side of the AWS Parameters and Secrets Lambda Extension (runtimes/
parameters_secrets.py): the listener on 127.0.0.1:2773 that functions call.

Environments share the host's network namespace (one of their own would cost every cold
start), so no environment can listen on 2773 for itself: a second one would find the port
taken. The server listens instead, once per port, and tells callers apart by the
`X-Aws-Parameters-Secrets-Token` they send, which is their environment's session token: each
call is made with that environment's own credentials (its function's role, so a function
reads only what its role may), and cached per token with the environment's TTLs, as each
environment's own extension would.

On Lambda the token only guards a port that no other environment can reach; here every
environment reaches it, so a token alone must not be enough (a function that learnt another's
token, from its logs or its answer, would read as that other's role). A token is served only
to the uid its environment runs as (sessions.py keeps it with the credentials; sandbox/uids.py
gives each environment its own), read from the connection itself (socket_owner.py), which a
function cannot forge; STS's session tokens are no environment's and are never served.

- 2773, Lambda's default, is listened on from the server's start (code hard-codes it); a
  port another environment's `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` names, when that
  environment's extension registers (POST `/_overcast/parameters-secrets/environments`
  with its token and settings; DELETE at its SHUTDOWN).
- The loopback guard lets environments reach the ports the server listens on
  (sandbox/loopback_guard.py), as it lets them reach its endpoint.
- Several servers on one host: the first to take a port serves it, and passes a request from
  a uid that is none of its environments' to the other servers' endpoints (GET
  `/_overcast/parameters-secrets/...`, with the caller's uid), which answer for their own
  environments; they take that uid only from a connection of their own uid (a server's, as
  the registry of peers is root's), and each other caller's from its connection.

A token that is no registered environment's (of any server) is refused 401, as the
extension refuses a request without its environment's token: a function without the
extension that calls the port is answered 401 (on Lambda nothing listens there for it).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import secrets
import stat
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.sessions import SessionKeys
from overcast.aws.signed_request import same_text
from overcast.http.socket_owner import socket_owner
from overcast.runtimes import parameters_secrets as extension

log = logging.getLogger("overcast.parameters_secrets")

DEFAULT_PORT = 2773
# How often a listener's thread looks for a shutdown request: close() waits up to this long
# (socketserver's default, 0.5 s, held up every server stop by as much).
SHUTDOWN_POLL_S = 0.1
PREFIX = "/_overcast/parameters-secrets"
REGISTRATION = f"{PREFIX}/environments"
UNAUTHORIZED = (401, b'{"message": "Unauthorized"}')
FORWARD_TIMEOUT_S = 60
# The ports functions may have the server listen on besides 2773: unprivileged ones, and at
# most this many (a function names its port; it must not make the server hold host ports
# without end).
MIN_PORT = 1024
MAX_EXTRA_PORTS = 16
# Set on a peer's answer when it served the token (any other answer, from an older server
# or for a token it does not know either, is no answer for it).
SERVED = "X-Overcast-Served"
# The uid a forwarded request came from: believed only with the host's peer key beside it.
CALLER_UID = "X-Overcast-Caller-Uid"
PEER_KEY_HEADER = "X-Overcast-Peer-Key"
# The key the servers of one host share to tell each other's forwarded requests from anything
# else made from a server's uid (an HTTP_PROXY integration the server sends for a user carries
# headers the user chose): a root-only file, readable by no function and no API caller.
PEER_KEY = Path("/run/overcast/parameters-secrets.key")
Owner = Callable[[tuple[str, int], tuple[str, int]], "int | None"]


@dataclass
class _Environment:
    cache: extension.Cache
    upstream: extension.Upstream


class ParametersSecretsHost:
    """Listeners on the extension's ports, and the registrations of the environments they
    serve. `allow_port` opens a port to environments (the loopback guard's); `peers` lists
    the other servers' API ports on this host."""

    def __init__(
        self,
        sessions: SessionKeys,
        endpoint: str,
        default_region: str,
        owner: Owner = socket_owner,
        key_source: Callable[[], str | None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.owner = owner  # the uid of a connection's client socket
        # The host's peer key, read once (key_source: tests give their own).
        self._peer_key = functools.cache(key_source or (lambda: peer_key(PEER_KEY)))
        self._endpoint = endpoint
        self._default_region = default_region
        self._lock = threading.Lock()
        self._environments: dict[str, _Environment] = {}
        self._listeners: dict[int, ThreadingHTTPServer] = {}
        self.allow_port: Callable[[int], None] = lambda port: None
        self.peers: Callable[[], list[int]] = list

    # --- listening ----------------------------------------------------------------------

    def start(self) -> None:
        """Listen on Lambda's default port, if it is free (another server may serve it)."""
        try:
            self.listen(DEFAULT_PORT)
        except OSError as exc:
            log.info("Parameters and Secrets: 127.0.0.1:%d not taken (%s)", DEFAULT_PORT, exc)

    def listen(self, port: int) -> None:
        """Serve the extension's interface on 127.0.0.1:`port` (once; OSError if taken)."""
        with self._lock:
            if port in self._listeners:
                return
            server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
            server.daemon_threads = True
            server.host = self  # type: ignore[attr-defined]
            self._listeners[port] = server
        self.allow_port(port)
        threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True).start()

    def close(self) -> None:
        with self._lock:
            listeners, self._listeners = list(self._listeners.values()), {}
        for server in listeners:
            server.shutdown()
            server.server_close()

    # --- answering ----------------------------------------------------------------------

    def answer(self, token: str, path: str, uid: int | None) -> tuple[int, bytes]:
        """(status, body) for a caller of `uid` with `token` asking `path`: from its
        environment's cache or with its credentials; another server's, for a uid that is
        none of this server's environments' (never this server's own tokens)."""
        found = self._environment(token, uid)
        if found is not None:
            return self._served(found, path)
        if uid is None or uid == os.getuid() or self._sessions.by_token(token) is not None:
            return UNAUTHORIZED
        return self._forwarded(token, path, uid)

    @staticmethod
    def _served(environment: _Environment, path: str) -> tuple[int, bytes]:
        return extension.respond(path, environment.cache, environment.upstream)

    def register(self, token: str, document: object, uid: int | None) -> tuple[int, str]:
        """Keep the settings of the environment of `token`, asked by `uid` (it must be that
        environment's), and listen on its port; (status, message)."""
        key = self._sessions.by_token(token)
        if key is None or uid is None or self._sessions.holder(token) != uid:
            return 403, "the token is no environment's of this caller"
        if not isinstance(document, dict):
            return 400, "the settings are not a JSON object"
        settings = extension.Settings.of_document(document)
        region = document.get("region")
        region = region if isinstance(region, str) and region else self._default_region
        refused = self._refused_port(settings.port)
        if refused is not None:
            return 400, refused
        try:
            self.listen(settings.port)
        except OSError as exc:
            if settings.port not in self._peer_ports():
                return 409, f"bind: {exc.strerror}"
        credentials = (key.access_key_id, key.secret_access_key, key.session_token)
        upstream = extension.Upstream(self._endpoint, region, credentials, settings)
        self._forget_gone()
        with self._lock:
            self._environments[token] = _Environment(
                extension.Cache(settings.cache_size, settings.ttl), upstream
            )
        return 200, "registered"

    def _refused_port(self, port: int) -> str | None:
        with self._lock:
            if port in self._listeners or port == DEFAULT_PORT:
                return None
            if port < MIN_PORT:
                return f"port {port} is privileged: name one from {MIN_PORT}"
            if len(self._listeners.keys() - {DEFAULT_PORT}) >= MAX_EXTRA_PORTS:
                return f"this server already listens on {MAX_EXTRA_PORTS} ports besides 2773"
        return None

    def forget(self, token: str) -> None:
        with self._lock:
            self._environments.pop(token, None)

    def _environment(self, token: str, uid: int | None) -> _Environment | None:
        """The registered environment of a live token, if `uid` is the uid it runs as (an
        environment keeps its token for life: it is retired before its credentials expire).
        Only environments whose function has the extension registered."""
        if self._sessions.by_token(token) is None:
            self.forget(token)
            return None
        if uid is None or self._sessions.holder(token) != uid:
            return None
        with self._lock:
            return self._environments.get(token)

    def _forget_gone(self) -> None:
        """Drop the registrations of environments whose credentials expired (one that ended
        without SHUTDOWN, killed at its memory limit, never said goodbye)."""
        with self._lock:
            tokens = list(self._environments)
        for token in tokens:
            if self._sessions.by_token(token) is None:
                self.forget(token)

    def _peer_ports(self) -> set[int]:
        """Ports that another server on this host may be serving: the default one."""
        return {DEFAULT_PORT} if self.peers() else set()

    def _forwarded(self, token: str, path: str, uid: int) -> tuple[int, bytes]:
        key = self._peer_key()
        if key is None:  # no shared key: a peer could not believe the uid
            return UNAUTHORIZED
        for port in self.peers():
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{PREFIX}{path}",
                headers={extension.TOKEN_HEADER: token, CALLER_UID: str(uid), PEER_KEY_HEADER: key},
            )
            try:
                with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT_S) as answer:
                    if answer.headers.get(SERVED):
                        return answer.status, answer.read()
            except urllib.error.HTTPError as refused:
                if refused.headers.get(SERVED):
                    return refused.code, refused.read()
            except OSError:
                continue
        return UNAUTHORIZED

    # --- the server's routes (a front door) -----------------------------------------------

    def match(self, scope: dict) -> bool:
        return scope["type"] == "http" and scope["path"].startswith(PREFIX + "/")

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        request = Request(scope, receive)
        token = request.headers.get(extension.TOKEN_HEADER, "")
        claimed = request.headers.get(CALLER_UID)
        if claimed is not None and not self._from_peer(request.headers.get(PEER_KEY_HEADER)):
            claimed = None  # a uid named without the host's key is not believed
        uid = await asyncio.to_thread(self._caller_uid, scope, claimed)
        if scope["path"] == REGISTRATION and request.method in ("POST", "DELETE"):
            if request.method == "DELETE":
                if uid is not None and self._sessions.holder(token) == uid:
                    self.forget(token)
                status, text = 200, "forgotten"
            else:
                try:
                    document = json.loads(await request.body())
                except ValueError:
                    document = None
                status, text = await asyncio.to_thread(self.register, token, document, uid)
            await Response(text, status, media_type="text/plain")(scope, receive, send)
            return
        # A request another server's listener passed on: answered for this server's own.
        path = scope["raw_path"].decode()[len(PREFIX) :]
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode()
        found = self._environment(token, uid)
        if found is None:
            status, body = UNAUTHORIZED
            headers = {}
        else:
            status, body = await asyncio.to_thread(self._served, found, path)
            headers = {SERVED: "1"}
        response = Response(body, status, headers=headers, media_type="application/json")
        await response(scope, receive, send)

    def _from_peer(self, presented: str | None) -> bool:
        key = self._peer_key()
        return key is not None and presented is not None and same_text(presented, key)

    def _caller_uid(self, scope: dict, claimed: str | None) -> int | None:
        """The uid of the request's client socket; for a peer server's forwarded request
        (a connection of this server's own uid), the uid it names."""
        client, server = scope.get("client"), scope.get("server")
        if not client or not server:
            return None
        uid = self.owner((client[0], client[1]), (server[0], server[1]))
        if uid is not None and uid == os.getuid() and claimed is not None:
            return int(claimed) if claimed.isdigit() else None
        return uid


def peer_key(path: Path) -> str | None:
    """The host's peer key at `path`, made once (0600, its folder this user's and private);
    None where it cannot be made or is not this user's alone (then nothing is forwarded)."""
    try:
        path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        if not path.exists():
            draft = path.with_name(f".{path.name}.{os.getpid()}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
            try:
                os.link(draft, path)  # whole or not at all; the first server's key wins
            except FileExistsError:
                pass
            finally:
                os.unlink(draft)
        for checked, private in ((path.parent, stat.S_IWGRP | stat.S_IWOTH), (path, 0o077)):
            found = os.lstat(checked)
            if found.st_uid != os.geteuid() or found.st_mode & private:
                return None
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_text().strip() or None
    except OSError:
        return None


class _Handler(BaseHTTPRequestHandler):
    """One request from a function on the extension's port."""

    server_version = "AWSParametersAndSecretsLambdaExtension"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        host: ParametersSecretsHost = self.server.host  # type: ignore[attr-defined]
        token = self.headers.get(extension.TOKEN_HEADER)
        if not token:
            extension.log("error", f"{extension.TOKEN_HEADER} header is missing or invalid")
            status, body = UNAUTHORIZED
        else:
            client, server = self.client_address, self.server.server_address
            uid = host.owner((client[0], client[1]), (server[0], server[1]))
            status, body = host.answer(token, self.path, uid)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug(format, *args)
