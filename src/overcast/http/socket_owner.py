"""Which uid opened a loopback TCP connection: how a listener that serves every execution
environment on one host port (the Parameters and Secrets extension's, http/
parameters_secrets.py) tells its callers apart by something a function cannot forge.

Environments share the host's network namespace and each runs as its own uid (sandbox/
uids.py), so the client socket of a connection to 127.0.0.1 is a socket of this host, listed
in /proc/net/tcp (tcp6) with its owner's uid. SO_PEERCRED would say the same for a Unix
socket; TCP has no such option, so the kernel's table is read instead (one pass over the
host's TCP sockets per lookup).
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from pathlib import Path

TABLES = {socket.AF_INET: Path("/proc/net/tcp"), socket.AF_INET6: Path("/proc/net/tcp6")}


def socket_owner(client: tuple[str, int], server: tuple[str, int]) -> int | None:
    """The uid of the socket connected from `client` to `server` (host, port), both of this
    host; None when no such socket is listed (the caller hung up, or is on another host)."""
    client, server = (_unmapped(client[0]), client[1]), (_unmapped(server[0]), server[1])
    family = socket.AF_INET6 if ":" in client[0] else socket.AF_INET
    local, remote = _address(family, *client), _address(family, *server)
    if local is None or remote is None:
        return None
    try:
        lines = TABLES[family].read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) > 7 and fields[1] == local and fields[2] == remote:
            return int(fields[7])
    return None


def _unmapped(host: str) -> str:
    """An IPv4-mapped address (::ffff:127.0.0.1) as the IPv4 address it maps: a dual-stack
    listener sees an IPv4 client so, and the kernel lists that client's socket in
    /proc/net/tcp, under its IPv4 address."""
    try:
        mapped = ipaddress.ip_address(host)
    except ValueError:
        return host  # _address refuses it
    if isinstance(mapped, ipaddress.IPv6Address) and mapped.ipv4_mapped is not None:
        return str(mapped.ipv4_mapped)
    return host


def _address(family: int, host: str, port: int) -> str | None:
    """`host:port` as the kernel's table prints it: the address as 32-bit words in host byte
    order, each %08X, then the port %04X."""
    try:
        packed = socket.inet_pton(family, host)
    except (OSError, ValueError):
        return None
    words = struct.unpack(f"={len(packed) // 4}I", packed)
    return "".join(f"{word:08X}" for word in words) + f":{port:04X}"
