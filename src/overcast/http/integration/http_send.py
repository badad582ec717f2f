"""The request an HTTP or HTTP_PROXY integration sends on to its endpoint, and the reply
(REST API Developer Guide, "HTTP integrations"; WebSocket API guide, "Integrations").
Redirects are not followed; an endpoint that cannot be reached is BackendUnreachable, one
slower than the integration's timeout BackendTimedOut.
"""

from __future__ import annotations

import asyncio
import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

from overcast.http.integration.errors import BackendTimedOut, BackendUnreachable

RESPONSE_LIMIT = 10 * 1024 * 1024  # REST APIs' payload quota
HOP_BY_HOP = frozenset(
    ("host", "connection", "keep-alive", "proxy-connection", "te", "trailer",
     "transfer-encoding", "upgrade", "content-length", "expect")
)  # fmt: skip


@dataclass(frozen=True)
class Outgoing:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]  # lower-case names
    body: bytes


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


async def send(request: Outgoing, timeout_ms: int) -> Reply:
    return await asyncio.to_thread(_send, request, timeout_ms / 1000)


def _send(request: Outgoing, timeout_s: float) -> Reply:
    parts = urlsplit(request.url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    try:
        connection = kind(parts.hostname or "", parts.port, timeout=timeout_s)
        try:
            connection.request(request.method, target, request.body or None, dict(request.headers))
            answer = connection.getresponse()
            body = answer.read(RESPONSE_LIMIT + 1)
            headers = [(n.lower(), v) for n, v in answer.getheaders()]
            return Reply(answer.status, headers, body[:RESPONSE_LIMIT])
        finally:
            connection.close()
    except TimeoutError:
        raise BackendTimedOut(request.url) from None
    except (OSError, http.client.HTTPException, ValueError):
        raise BackendUnreachable(request.url) from None
