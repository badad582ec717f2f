"""`overcast server`: run the whole platform in this process (DESIGN.md: embedded by default)."""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Mapping
from pathlib import Path

from overcast.cli.client import CliContext
from overcast.config import (
    LOG_LEVELS,
    NODE_RUNTIMES,
    PYTHON_RUNTIMES,
    TLS_PORT_OFFSET,
    Settings,
    data_dir_of,
)

TLS_OFF = "off"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "server",
        help="run the Overcast server",
        description="Serve Lambda's API, the invoke endpoint and the logs API on one port.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=9000)
    parser.add_argument(
        "--tls-port",
        type=tls_port_option,
        metavar="PORT|off",
        default=None,  # --port + 443
        help="the same APIs over HTTPS, with a certificate of the data dir's own CA "
        "(<data dir>/trust/ca.pem), for code that builds `https://` endpoints from a "
        "WebSocket event's domainName (default: --port + 443, e.g. 9443; 0: any free port; "
        "off: none)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where state, code and logs live (env OVERCAST_DATA_DIR; default ~/.overcast)",
    )
    add_runtime_options(parser)
    parser.add_argument(
        "--keep-alive",
        type=float,
        metavar="SECONDS",
        default=Settings.keep_alive_s,
        help="how long an idle execution environment is kept warm",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        default=Settings.account_concurrency,
        help="the account's concurrency limit (Lambda's default: 1000)",
    )
    parser.add_argument(
        "--memory-budget",
        type=int,
        metavar="MB",
        default=None,
        help="memory all execution environments may use together (default: 90%% of RAM)",
    )
    parser.add_argument(
        "--scale-rate",
        type=int,
        metavar="N",
        default=Settings.scale_per_10s,
        help="new environments a function may add per 10 seconds (Lambda: 1000)",
    )
    parser.add_argument(
        "--init-concurrency",
        type=positive_int,
        metavar="N",
        default=None,
        help="environments that may initialise at once on this host; cold starts beyond it "
        "wait their turn, and the init timeout counts from their start (default: one per CPU)",
    )
    parser.add_argument(
        "--async-delay-scale",
        type=float,
        metavar="F",
        default=Settings.async_delay_scale,
        help="multiply asynchronous retry delays (and SQS pollers' role rechecks) by F, "
        "e.g. 0.01 for tests and demos (default 1: Lambda's 1 and 2 minutes)",
    )
    parser.add_argument(
        "--code-storage-limit",
        type=positive_int,
        metavar="BYTES",
        default=Settings.code_storage_limit,
        help="code a region may keep, functions' versions and layers together "
        "(Lambda's quota: 75 GB, %(default)s bytes)",
    )
    parser.add_argument(
        "--code-grace",
        type=seconds,
        metavar="SECONDS",
        default=Settings.code_grace_s,
        help="how long code nothing refers to any more is kept before it is removed "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--master-key-file",
        type=Path,
        default=None,
        help="KMS's master key, created 0600 on first use; must be outside the data dir "
        "(env OVERCAST_MASTER_KEY_FILE; default ~/.config/overcast/master.key; "
        "OVERCAST_MASTER_KEY, base64 of 32 bytes, is used instead when set)",
    )
    parser.add_argument(
        "--account-id",
        default=None,
        help="the 12-digit account id in ARNs (env OVERCAST_ACCOUNT_ID; default 000000000000)",
    )
    _timeout_option(
        parser,
        "--head-timeout",
        Settings.head_timeout_s,
        "close a connection that takes longer to send a request head, or stalls a body "
        "that long (default 20)",
    )
    _timeout_option(
        parser,
        "--idle-timeout",
        Settings.idle_timeout_s,
        "close a kept-alive connection idle that long (default 75)",
    )
    _timeout_option(
        parser,
        "--send-timeout",
        Settings.send_timeout_s,
        "close a connection whose client takes none of a response for that long (default 60)",
    )
    _timeout_option(
        parser,
        "--websocket-idle-timeout",
        Settings.websocket_idle_timeout_s,
        "close a WebSocket API connection idle that long (default 600, as API Gateway)",
    )
    _timeout_option(
        parser,
        "--websocket-max-duration",
        Settings.websocket_max_duration_s,
        "close every WebSocket API connection this long after it opened (default 7200)",
    )
    parser.add_argument(
        "--max-connections",
        type=positive_int,
        metavar="N",
        default=None,
        help="answer 503 to connections beyond N open ones "
        "(default: half the open-file limit, at most 10000)",
    )
    parser.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=Settings.log_level,
        help="default info: an access log line per request, at most 20 a second; warning: none",
    )
    parser.set_defaults(command=run)


def add_runtime_options(parser: argparse.ArgumentParser) -> None:
    """The options saying what environments run on and how requests are checked, shared by
    `overcast server` and `overcast doctor` (which reports on the same flags)."""
    parser.add_argument(
        "--auth",
        choices=("on", "off"),
        default="on",
        help="off: accept any request unverified, as the root (throwaway local use only)",
    )
    parser.add_argument(
        "--no-isolation",
        action="store_true",
        help="run environments without namespaces, own uids or cgroups (for debugging)",
    )
    parser.add_argument(
        "--python",
        type=interpreter_spec,
        metavar="RUNTIME=PATH,...",
        help="interpreters for python runtimes, e.g. python3.12=/usr/bin/python3.12 "
        "(env OVERCAST_PYTHON; default: the interpreter running Overcast)",
    )
    parser.add_argument(
        "--node",
        type=node_spec,
        metavar="RUNTIME=PATH,...",
        help="node binaries for nodejs runtimes, e.g. nodejs22.x=/opt/node22/bin/node "
        "(env OVERCAST_NODE; default: the node on PATH)",
    )


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    settings = build_settings(args, os.environ)
    check_master_key(settings, os.environ)
    # Imported here: the server pulls in the whole platform, which client commands never need.
    # The cyclic collector is off until the platform is built and started (serving.py turns
    # it back on): the imports and the build allocate ~200,000 objects that all stay, and the
    # collections they set off found ~1,700-3,300 to free.
    gc.disable()
    from overcast.http.server import listen
    from overcast.serving import run_server
    from overcast.store.data_dir import claim

    # Before anything is said or started: another server on this data dir, or on this port,
    # is the one thing to say (exit status 1).
    lock = claim(settings.data_dir)
    try:
        if lock.warning:
            ctx.err.write(f"warning: {lock.warning}\n")
        sockets = listen(settings.host, settings.port)
        settings.port = sockets[0].getsockname()[1]  # the one chosen, for --port 0
        tls_sockets = []
        if settings.tls_port is not None:
            tls_sockets = listen(settings.host, settings.tls_port, "--tls-port (off: none)")
            settings.tls_port = tls_sockets[0].getsockname()[1]
        run_server(settings, sockets, tls_sockets)
    except KeyboardInterrupt:
        pass  # Ctrl-C before the server was up
    finally:
        lock.release()
    return 0


def build_settings(args: argparse.Namespace, environ: os._Environ | dict) -> Settings:
    settings = Settings(
        host=args.host,
        port=args.port,
        tls_port=tls_port_of(args),
        data_dir=data_dir_of(args.data_dir, environ),
        keep_alive_s=args.keep_alive,
        account_id=account_id(args.account_id or environ.get("OVERCAST_ACCOUNT_ID")),
        isolation=not args.no_isolation,
        memory_budget_mb=args.memory_budget,
        account_concurrency=args.concurrency,
        scale_per_10s=args.scale_rate,
        async_delay_scale=args.async_delay_scale,
        head_timeout_s=args.head_timeout,
        send_timeout_s=args.send_timeout,
        idle_timeout_s=args.idle_timeout,
        websocket_idle_timeout_s=args.websocket_idle_timeout,
        websocket_max_duration_s=args.websocket_max_duration,
        max_connections=args.max_connections,
        log_level=args.log_level,
        init_concurrency=args.init_concurrency,
        code_storage_limit=args.code_storage_limit,
        code_grace_s=args.code_grace,
        auth=args.auth != "off",
    )
    master_key_file = args.master_key_file or environ.get("OVERCAST_MASTER_KEY_FILE")
    if master_key_file:
        settings.master_key_file = Path(os.path.expanduser(str(master_key_file))).resolve()
    return with_runtime_overrides(settings, args, environ)


def check_master_key(settings: Settings, environ: Mapping[str, str]) -> None:
    """KMS's master key (OVERCAST_MASTER_KEY, or the key file if it exists) checked before the
    server starts: a bad one is `error: ...` and exit status 1 here, not an internal error on
    the first KMS request."""
    from overcast.services.kms.master_key import MasterKey, MasterKeyError

    try:
        MasterKey(settings.master_key_file, settings.data_dir, environ).check()
    except MasterKeyError as exc:
        raise SystemExit(f"error: {exc}") from None


def with_runtime_overrides(
    settings: Settings, args: argparse.Namespace, environ: Mapping[str, str]
) -> Settings:
    """`--node` and `--python` (or OVERCAST_NODE / OVERCAST_PYTHON) applied to `settings`."""
    settings.with_node_overrides(args.node or environ.get("OVERCAST_NODE"))
    return settings.with_interpreter_overrides(args.python or environ.get("OVERCAST_PYTHON"))


def account_id(value: str | None) -> str:
    value = value or Settings.account_id
    if len(value) != 12 or not value.isdigit():
        raise SystemExit(f"error: the account id must be 12 digits, got {value!r}")
    return value


def _timeout_option(parser: argparse.ArgumentParser, flag: str, default: float, help: str) -> None:
    """A timeout option: positive seconds."""
    parser.add_argument(flag, type=positive_seconds, metavar="SECONDS", default=default, help=help)


def positive_seconds(text: str) -> float:
    value = _seconds(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def seconds(text: str) -> float:
    """A number of seconds, 0 or more (not nan, not infinite)."""
    value = _seconds(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return float("nan")
    return float("nan") if value == float("inf") else value


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number (0 to 65535), got {text!r}")
    return int(text)


def tls_port_option(text: str) -> int | str:
    """`--tls-port`: a port number, or `off`."""
    if text == TLS_OFF:
        return TLS_OFF
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port number (0 to 65535) or off, got {text!r}"
        )
    return int(text)


def tls_port_of(args: argparse.Namespace) -> int | None:
    """The HTTPS listener's port (None: no listener)."""
    if args.tls_port is None:
        return default_tls_port(args.port)
    return None if args.tls_port == TLS_OFF else args.tls_port


def default_tls_port(port: int) -> int:
    """--port + 443 (9443 beside 9000); any free port where that is no port (--port 0)."""
    tls_port = port + TLS_PORT_OFFSET
    return tls_port if port and tls_port <= 65535 else 0


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {text!r}")
    return int(text)


def interpreter_spec(text: str) -> str:
    """Check `python3.12=/path,python3.9=/path` now, so a typo fails before the server starts."""
    return _mapping_spec(text, PYTHON_RUNTIMES)


def node_spec(text: str) -> str:
    """Check `nodejs22.x=/path,...` now, so a typo fails before the server starts."""
    return _mapping_spec(text, NODE_RUNTIMES)


def _mapping_spec(text: str, runtimes: tuple[str, ...]) -> str:
    for item in filter(None, text.split(",")):
        runtime, separator, path = item.partition("=")
        if not separator or not path.strip():
            raise argparse.ArgumentTypeError(f"expected RUNTIME=PATH, got {item!r}")
        if runtime.strip() not in runtimes:
            raise argparse.ArgumentTypeError(
                f"unknown runtime {runtime.strip()!r} (one of {', '.join(runtimes)})"
            )
    return text
