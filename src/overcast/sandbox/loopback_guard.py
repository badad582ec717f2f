"""Keeps functions off the host's own services: environments reach Overcast's endpoint and the
outside network, as a Lambda function outside a VPC reaches the internet and AWS's endpoints,
but not a database or a tool listening on the host's loopback (or on its other addresses).

Environments share the host's network namespace (a namespace of their own, with a veth and NAT
to the outside, would cost every cold start). Instead one nftables table, made at server start,
matches the packets that the environments' uids send (`uids.py`: one host-wide range, so one
table serves every Overcast server on the host) to a local address (anything routed through
`lo`, which includes the host's non-loopback addresses):

- TCP to a port in `endpoints` (every running server's port, and the ports its Parameters
  and Secrets listeners serve environments on: http/parameters_secrets.py) passes;
- any other TCP connection passes only if the socket that answers it belongs to the same uid:
  an environment's own Runtime API, extensions (Parameters and Secrets on 2773) and servers
  (Lambda Web Adapter) keep working. The SYN is remembered with its sender's uid in a dynamic
  set; the answering SYN-ACK is looked up with the listener's uid, and when it is another's
  (root's database, another environment) it is rewritten into a RST, so the function's
  connect() fails at once with ECONNREFUSED and the listener never gets a connection;
- SYNs that carry TCP Fast Open data (which a listener could read before any SYN-ACK) and
  UDP other than DNS are refused.

A seccomp filter cannot do this: connect()'s address is a pointer it cannot read. The rules
cost nothing per cold start; each new loopback connection of an environment pays one set
update and one lookup in the kernel.

Servers register their port as a file in a root-only folder (`pid.port`: start time, port),
and each other port they serve environments on as one more (`pid.port.other`, alike); each
start and stop rewrites the table from the live ones, so a killed server's port is dropped
by the next start, and the last server to stop removes the table.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from overcast.sandbox.uids import FIRST_UID, UID_COUNT

TABLE = "overcast_loopback"
REGISTRY = Path("/run/overcast/endpoints")
NFT_TIMEOUT_S = 10
MARK = 0x4F430001  # the conntrack mark of connections an environment opened to a local port
DNS_PORT = 53  # a local resolver (systemd-resolved's 127.0.0.53) stays usable, as on Lambda


def ruleset(ports: Iterable[int], first: int = FIRST_UID, count: int = UID_COUNT) -> str:
    """The nft script that (re)makes the table, allowing `ports` on local addresses."""
    uids = f"{first}-{first + count - 1}"
    t = f"inet {TABLE}"
    lines = [
        f"add table {t}",
        f"add set {t} endpoints {{ type inet_service; }}",
        # What an environment's uid sent a SYN from; kept for the handshake only.
        f"add set {t} flows4 {{ typeof ip saddr . tcp sport . meta skuid; "
        "flags dynamic,timeout; timeout 2m; }",
        f"add set {t} flows6 {{ typeof ip6 saddr . tcp sport . meta skuid; "
        "flags dynamic,timeout; timeout 2m; }",
        f"add chain {t} output {{ type filter hook output priority 0; policy accept; }}",
        f"add chain {t} sent",
        f"add chain {t} answered",
        f"flush chain {t} output",
        f"flush chain {t} sent",
        f"flush chain {t} answered",
        f"flush set {t} endpoints",
        f'add rule {t} output oif != "lo" accept',
        f"add rule {t} output ct direction reply ct mark {MARK:#x} jump answered",
        f"add rule {t} output meta skuid {uids} jump sent",
        f"add rule {t} sent tcp dport @endpoints accept",
        f"add rule {t} sent th dport {DNS_PORT} accept",
        f"add rule {t} sent tcp option fastopen exists reject with tcp reset",
        f"add rule {t} sent meta l4proto udp reject",
        f"add rule {t} sent ct state new tcp flags & (syn|ack) == syn ct mark set {MARK:#x} "
        "update @flows4 { ip saddr . tcp sport . meta skuid } accept",
        f"add rule {t} sent ct state new tcp flags & (syn|ack) == syn ct mark set {MARK:#x} "
        "update @flows6 { ip6 saddr . tcp sport . meta skuid } accept",
        f"add rule {t} answered tcp flags & (syn|ack) == syn|ack "
        "ip daddr . tcp dport . meta skuid @flows4 accept",
        f"add rule {t} answered tcp flags & (syn|ack) == syn|ack "
        "ip6 daddr . tcp dport . meta skuid @flows6 accept",
        # The listener is not the caller's: the caller is refused, the listener sees a reset.
        f"add rule {t} answered tcp flags & (syn|ack) == syn|ack tcp flags set rst|ack accept",
    ]
    ports = sorted(set(ports))
    if ports:
        lines.append(f"add element {t} endpoints {{ {', '.join(map(str, ports))} }}")
    return "\n".join(lines) + "\n"


def available() -> tuple[bool, str]:
    """Whether this host can apply the rules (root, `nft`, nf_tables), tried as a dry run;
    and why not."""
    if os.geteuid() != 0:
        return False, "not root"
    if shutil.which("nft") is None:
        return False, "no `nft` to set the loopback rules (Debian: nftables)"
    done = _nft(["-c", "-f", "-"], ruleset([]))
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return False, f"nftables refused the loopback rules ({why[0][:160]})"
    return True, (
        "network: functions reach the outside network and Overcast's endpoint; other ports "
        "of the host's own addresses refuse them (nftables, by uid), but their environment's"
    )


class LoopbackGuard:
    """One server's part in the shared table: its port is allowed while it runs. (Tests also
    open the ports of the helpers their functions call, such as tests/gate.py's.)"""

    def __init__(self, port: int, registry: Path = REGISTRY) -> None:
        self._port = port
        self._registry = registry
        self._entry = registry / f"{os.getpid()}.{port}"
        self._others: list[Path] = []

    def install(self) -> None:
        """Allow this server's port and (re)make the table. Raises OSError if nft fails."""
        with self._locked():
            self._entry.write_text(f"{_start_time(os.getpid())} {self._port}\n")
            self._apply(self._live_ports())

    def allow(self, port: int) -> None:
        """Allow one more port of this server's (a listener it serves environments on)."""
        entry = self._registry / f"{self._entry.name}.{port}"
        if port == self._port or entry in self._others:
            return
        with self._locked():
            entry.write_text(f"{_start_time(os.getpid())} {port}\n")
            self._others.append(entry)
            self._apply(self._live_ports())

    def peers(self) -> list[int]:
        """The API ports of the other Overcast servers running on this host."""
        with self._locked():
            self._live_ports()  # drops the entries of dead servers
            names = [entry.name.split(".") for entry in self._registry.iterdir()]
        own = str(os.getpid())
        return sorted(
            int(parts[1])
            for parts in names
            if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and parts[0] != own
        )

    def remove(self) -> None:
        """Drop this server's ports; the last server removes the table."""
        with self._locked():
            for entry in (self._entry, *self._others):
                entry.unlink(missing_ok=True)
            ports = self._live_ports()
            if ports:
                self._apply(ports)
            else:
                _nft(["delete", "table", "inet", TABLE], "")

    def _apply(self, ports: set[int]) -> None:
        done = _nft(["-f", "-"], ruleset(ports))
        if done.returncode != 0:
            raise OSError(f"nft: {done.stderr.strip()[:300]}")

    def _live_ports(self) -> set[int]:
        """The ports of running servers; the entries of dead ones are removed."""
        ports = set()
        for entry in self._registry.iterdir():
            pid = entry.name.split(".")[0]
            if not pid.isdigit():
                continue
            try:
                started, port = entry.read_text().split()
            except (OSError, ValueError):
                continue
            if _start_time(int(pid)) == started:
                ports.add(int(port))
            else:  # that server died (or its pid now belongs to another process)
                entry.unlink(missing_ok=True)
        return ports

    def _locked(self) -> _Lock:
        self._registry.mkdir(mode=0o700, parents=True, exist_ok=True)
        return _Lock(self._registry / ".lock")


class _Lock:
    """An exclusive flock held for a `with` block: servers change the table one at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd = -1

    def __enter__(self) -> None:
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        os.close(self._fd)


def _start_time(pid: int) -> str:
    """When `pid` started (clock ticks since boot), or '' if it is gone: a pid plus this names
    one process even after the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def _nft(arguments: list[str], script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nft", *arguments],
        input=script,
        capture_output=True,
        text=True,
        timeout=NFT_TIMEOUT_S,
        check=False,
    )
