"""Server settings: one value built once at start and handed to everything that needs it."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PYTHON_RUNTIMES = tuple(f"python3.{minor}" for minor in range(9, 15))
# Custom runtimes run their own `bootstrap`; Overcast's Runtime API beside it runs on Python.
PROVIDED_RUNTIMES = ("provided.al2", "provided.al2023")
NODE_RUNTIMES = ("nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x")
LOG_LEVELS = ("debug", "info", "warning", "error")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # listen on every address
TLS_PORT_OFFSET = 443  # the HTTPS listener's default port: 9000 -> 9443
# The HTTPS listener's public CA files (http/certificates.py), as environments see them
TRUST_CA_FILE = "ca.pem"  # Overcast's CA alone
TRUST_BUNDLE_FILE = "ca-bundle.pem"  # the public CAs and Overcast's


def data_dir_of(given: str | Path | None, environ: Mapping[str, str] = os.environ) -> Path:
    """The data dir, absolute: `given` (--data-dir), else OVERCAST_DATA_DIR, else ~/.overcast.
    `overcast server` keeps its state there; `overcast env` and the CLI find its root key
    there."""
    data_dir = given or environ.get("OVERCAST_DATA_DIR") or "~/.overcast"
    return Path(os.path.expanduser(str(data_dir))).resolve()


def _default_interpreters() -> dict[str, str]:
    # Every python3.x runs on the interpreter Overcast runs on unless configured otherwise;
    # GetFunction reports which one a function got.
    runtimes = (*PYTHON_RUNTIMES, *PROVIDED_RUNTIMES, *NODE_RUNTIMES)
    return {runtime: sys.executable for runtime in runtimes}


def _default_node() -> dict[str, str]:
    # Every nodejs*.x runs on the host's Node.js unless configured otherwise.
    node = shutil.which("node") or "/usr/bin/node"
    return {runtime: node for runtime in NODE_RUNTIMES}


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 9000
    # The HTTPS listener (http/certificates.py) beside the plain port; None: none
    tls_port: int | None = None
    data_dir: Path = field(default_factory=lambda: Path(os.path.expanduser("~/.overcast")))
    account_id: str = "000000000000"
    default_region: str = "us-east-1"
    keep_alive_s: float = 600.0  # idle environments are reclaimed after this
    account_concurrency: int = 1000
    interpreters: dict[str, str] = field(default_factory=_default_interpreters)
    node_binaries: dict[str, str] = field(default_factory=_default_node)
    isolation: bool = True  # --no-isolation turns namespaces, own uids and cgroups off
    memory_budget_mb: int | None = None  # what environments may use together; None: 90% of RAM
    scale_per_10s: int = 1000  # new environments per function per 10 s (Lambda's scaling rate)
    async_delay_scale: float = 1.0  # scales asynchronous retry delays (1: Lambda's own)
    head_timeout_s: float = 20.0  # a client's time to send a request head (or body piece)
    idle_timeout_s: float = 75.0  # how long an idle kept-alive connection stays open
    send_timeout_s: float = 60.0  # how long a client may take none of a response (nginx's)
    max_connections: int | None = None  # None: half the file limit, at most 10,000
    # WebSocket APIs' quotas: an idle connection is closed after 10 minutes, any after 2 hours
    websocket_idle_timeout_s: float = 600.0
    websocket_max_duration_s: float = 7200.0
    log_level: str = "info"  # info: also a line per request (at most 20 a second)
    init_concurrency: int | None = None  # environments initialising at once; None: one per CPU
    code_storage_limit: int = 80_530_636_800  # bytes of code a region keeps (Lambda: 75 GB)
    code_grace_s: float = 900.0  # unreferenced code is removed once this old
    auth: bool = True  # False (`--auth off`): signatures are not verified, anyone is root
    # KMS's master key, which encrypts every key's material: kept outside the data dir, so
    # a copy of the data dir alone decrypts nothing (OVERCAST_MASTER_KEY overrides the file).
    master_key_file: Path = field(
        default_factory=lambda: Path(os.path.expanduser("~/.config/overcast/master.key"))
    )

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def tls_authority(self) -> str | None:
        """`host:port` of the HTTPS listener as functions on this machine reach it (None:
        no listener): what a WebSocket event's domainName starts with."""
        if self.tls_port is None:
            return None
        return f"{local_host(self.host)}:{self.tls_port}"

    def with_interpreter_overrides(self, spec: str | None) -> Settings:
        """Apply `python3.12=/usr/bin/python3.12,python3.9=...` (the --python flag / env var)."""
        self.interpreters.update(parse_mapping(spec))
        return self

    def with_node_overrides(self, spec: str | None) -> Settings:
        """Apply `nodejs22.x=/opt/node22/bin/node,...` (the --node flag / env var)."""
        self.node_binaries.update(parse_mapping(spec))
        return self


def local_host(host: str) -> str:
    """Where a process on this machine reaches a server listening on `host` (loopback for
    a wildcard), as a URL's host."""
    if host in WILDCARD_HOSTS:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def parse_mapping(spec: str | None) -> dict[str, str]:
    """`RUNTIME=PATH,RUNTIME=PATH` as a dict."""
    pairs = (item.partition("=") for item in filter(None, (spec or "").split(",")))
    return {runtime.strip(): path.strip() for runtime, _, path in pairs}
