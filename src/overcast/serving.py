"""`overcast server`: the platform factory.py builds, served by uvicorn on the listening
sockets (and over HTTPS), with the loopback guard and the Parameters and Secrets listener
around it, until SIGINT/SIGTERM; then everything stops in order."""

from __future__ import annotations

import gc
import socket
import ssl
import subprocess

import uvicorn

from overcast.aws.root_key import RootKey
from overcast.config import TRUST_CA_FILE, Settings
from overcast.factory import WS_MAX_MESSAGE, Platform, build_platform
from overcast.http.connection_guard import ConnectionLimits, default_max_connections
from overcast.http.fast_http import protocol_for
from overcast.http.server import Server, access_log_on, configure_logging, raise_file_limit
from overcast.sandbox.loopback_guard import LoopbackGuard
from overcast.sandbox.protections import OPEN_LOOPBACK, Protections
from overcast.services.lambda_.api.invoke import INVOKE_URL


def run_server(
    settings: Settings, sockets: list[socket.socket], tls_sockets: list[socket.socket] = ()
) -> None:
    """`overcast server`: serve every API on `sockets` (bound to settings.host and .port),
    and over HTTPS on `tls_sockets` (settings.tls_port), until SIGINT/SIGTERM, then stop the
    platform in order."""
    configure_logging(settings.log_level)
    limits = ConnectionLimits(
        head_timeout_s=settings.head_timeout_s,
        send_timeout_s=settings.send_timeout_s,
        idle_timeout_s=settings.idle_timeout_s,
        max_connections=settings.max_connections or default_max_connections(raise_file_limit()),
    )
    import uvloop

    uvloop.run(_serve(settings, sockets, limits, list(tls_sockets)))
    # Everything is stopped: the interpreter's exit would walk the whole heap (botocore's
    # models, the services' state) in a last garbage collection, ~0.25 s for nothing here.
    # Frozen objects are left out of it; finalizers and atexit handlers still run.
    gc.freeze()


async def _serve(
    settings: Settings,
    sockets: list[socket.socket],
    limits: ConnectionLimits,
    tls_sockets: list[socket.socket],
) -> None:
    platform = build_platform(settings)
    config = uvicorn.Config(
        platform.app,
        # httptools, with Invoke, function URLs and HTTP APIs answered off ASGI, and every
        # connection held to `limits` (deadlines and a cap: http/connection_guard.py)
        http=protocol_for(platform.invoke, INVOKE_URL, platform.front_doors, limits),
        lifespan="off",
        log_config=None,  # configure_logging's, so access lines look like every other line
        log_level=settings.log_level,
        access_log=access_log_on(settings.log_level),
        proxy_headers=False,
        server_header=False,
        # WebSocket APIs take messages of 128 KB (their front door closes the connection
        # past that, 1009); the protocol refuses a message past twice that before buffering it
        ws_max_size=WS_MAX_MESSAGE,
    )
    server = Server(config, tls_sockets, tls_context(platform))
    platform.engine.one_client = lambda: len(server.server_state.connections) <= 1
    guard = guard_loopback(settings, platform.protections)
    host = platform.parameters_secrets
    if host is not None:
        if guard is not None:
            host.allow_port, host.peers = guard.allow, guard.peers
        host.start()
    if guard is not None and settings.tls_port is not None:
        guard.allow(settings.tls_port)  # functions call the @connections API over HTTPS
    platform.start()
    # Started: what the start made lives as long as the server, so it leaves the collector's
    # view (cli/server.py turned the collector off for the imports and the build, ~0.3 s of a
    # ~1.8 s start here spent walking objects that all stay).
    gc.freeze()
    gc.enable()
    _announce(settings, platform.protections, root_of(platform))
    try:
        await server.serve(sockets=sockets)
    finally:
        await platform.stop()
        if host is not None:
            host.close()
        if guard is not None:
            guard.remove()
        print("Overcast stopped.", flush=True)


def tls_context(platform: Platform) -> ssl.SSLContext | None:
    """The HTTPS listener's context: a certificate for this start's host, signed by the data
    dir's CA."""
    if platform.local_ca is None:
        return None
    return platform.local_ca.server_context(platform.settings.host)


def root_of(platform: Platform) -> RootKey:
    assert platform.signing_keys is not None
    return next(ring for ring in platform.signing_keys.rings if isinstance(ring, RootKey))


def guard_loopback(settings: Settings, protections: Protections) -> LoopbackGuard | None:
    """Close the host's own ports to environments, but this server's (loopback_guard.py);
    where that fails the server still starts, and says so."""
    if not protections.loopback:
        return None
    guard = LoopbackGuard(settings.port)
    try:
        guard.install()
    except (OSError, subprocess.SubprocessError) as exc:
        protections.open_loopback(f"the loopback rules failed ({exc})")
        return None
    return guard


def _announce(settings: Settings, protections: Protections, root: RootKey) -> None:
    endpoint = settings.endpoint
    default_dir = _default_dir(settings)
    env_flags = "" if default_dir else f" --data-dir {settings.data_dir}"
    if settings.port != 9000:
        env_flags += f" --port {settings.port}"
    # The overcast CLI signs with the root key of OVERCAST_DATA_DIR (default ~/.overcast).
    cli_data_dir = "" if default_dir else f" OVERCAST_DATA_DIR={settings.data_dir}"
    if not settings.auth:
        print(
            "WARNING: --auth off: request signatures are NOT verified; anyone who reaches "
            f"{endpoint} acts as the account's root. For throwaway local use only.",
            flush=True,
        )
    print(
        f"Overcast is serving AWS Lambda's API on {endpoint}  (data: {settings.data_dir})\n"
        f"  The account's root key is in {settings.data_dir / 'root-key.json'} "
        f"(access key id {root.key.access_key_id}).\n"
        f'  AWS CLI, SAM, SDKs: eval "$(overcast env{env_flags})"\n'
        f"  overcast CLI: export OVERCAST_ENDPOINT={endpoint}{cli_data_dir}\n"
        + _https_line(settings)
        + "Isolation of execution environments (see `overcast doctor`):\n  "
        + "\n  ".join(protections.describe())
        + "".join(f"\n  - {note}" for note in protections.notes if OPEN_LOOPBACK in note),
        flush=True,
    )


def _https_line(settings: Settings) -> str:
    if settings.tls_authority is None:
        return ""
    ca_file = settings.data_dir / "trust" / TRUST_CA_FILE
    return f"  HTTPS: https://{settings.tls_authority} (certificate authority: {ca_file})\n"


def _default_dir(settings: Settings) -> bool:
    from overcast.config import Settings as Defaults

    return settings.data_dir == Defaults().data_dir
