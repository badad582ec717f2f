"""Which uid opened a loopback TCP connection: how a listener that serves every execution
environment on one host port (the Parameters and Secrets extension's, http/
parameters_secrets.py) tells its callers apart by something a function cannot forge.

Environments share the host's network namespace and each runs as its own uid (sandbox/
uids.py), so the client socket of a connection to 127.0.0.1 is a socket of this host, and the
kernel knows its owner. SO_PEERCRED would say so for a Unix socket; TCP has no such option, so
the kernel is asked through sock_diag (netlink, as `ss` asks): one lookup of that one socket by
its addresses and ports, in the kernel's hash of connections, whatever else the host has open.
"""

from __future__ import annotations

import ipaddress
import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20  # the request, and the type of the answer that found a socket
NLM_F_REQUEST = 1  # one socket, looked up by its id (not NLM_F_DUMP: no walk of them all)
INET_DIAG_NOCOOKIE = 0xFFFFFFFF  # look the socket up by addresses, not by a cookie
ALL_STATES = 0xFFFFFFFF
NLMSG_HEADER = struct.Struct("=IHHII")  # length, type, flags, sequence, port id
# inet_diag_req_v2: family, protocol, extensions, pad, states; then inet_diag_sockid: source
# and destination ports (big-endian), addresses (16 bytes each), interface, cookie.
REQUEST = struct.Struct("=BBBxI")
SOCKID = struct.Struct("!HH16s16s")
SOCKID_TAIL = struct.Struct("=III")
# inet_diag_msg: family, state, timer, retransmits, the sockid (48 bytes), expires, read
# queue, write queue, then the owner's uid.
UID_OFFSET = NLMSG_HEADER.size + 4 + 48 + 12


def socket_owner(client: tuple[str, int], server: tuple[str, int]) -> int | None:
    """The uid of the socket connected from `client` to `server` (host, port), both of this
    host; None when no such socket is there (the caller hung up, or is on another host)."""
    client, server = (_unmapped(client[0]), client[1]), (_unmapped(server[0]), server[1])
    family = socket.AF_INET6 if ":" in client[0] else socket.AF_INET
    try:
        source, destination = (socket.inet_pton(family, host) for host in (client[0], server[0]))
        sockid = SOCKID.pack(client[1], server[1], source, destination)
    except (OSError, ValueError, struct.error):
        return None
    body = REQUEST.pack(family, socket.IPPROTO_TCP, 0, ALL_STATES) + sockid
    body += SOCKID_TAIL.pack(0, INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE)
    header = NLMSG_HEADER.pack(
        NLMSG_HEADER.size + len(body), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, 0
    )
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as diag:
            diag.sendto(header + body, (0, 0))
            answer = diag.recv(4096)
    except OSError:
        return None
    # Not found, the kernel answers NLMSG_ERROR (ENOENT) instead.
    if len(answer) < UID_OFFSET + 4 or NLMSG_HEADER.unpack_from(answer)[1] != SOCK_DIAG_BY_FAMILY:
        return None
    return struct.unpack_from("=I", answer, UID_OFFSET)[0]


def _unmapped(host: str) -> str:
    """An IPv4-mapped address (::ffff:127.0.0.1) as the IPv4 address it maps: a dual-stack
    listener sees an IPv4 client so, and that client's socket is an IPv4 socket, found under
    its IPv4 address."""
    try:
        mapped = ipaddress.ip_address(host)
    except ValueError:
        return host  # inet_pton refuses it
    if isinstance(mapped, ipaddress.IPv6Address) and mapped.ipv4_mapped is not None:
        return str(mapped.ipv4_mapped)
    return host
