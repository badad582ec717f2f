"""What every HTTP front door shares: claiming a request by path or Host, reading it (from
ASGI, or whole from the HTTP protocol's shortcut in http/fast_http.py), turning a function's
result into the response, writing it, CORS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from overcast.http.header_case import NAMES_AS_SENT
from overcast.http.payload_v2 import HttpRequest, HttpResponse, InvalidResponse
from overcast.types import Invoker, InvokeResult


@dataclass(frozen=True)
class Claim:
    """A request a front door takes: the id it names (URL id, API id) and the path within it;
    `path` is the whole path as sent (what a SigV4 signature covers)."""

    name: str
    raw_path: str
    path: str = ""


def claim_of(
    path: str, host: str, prefix: str, host_mark: str, parse_host: Callable[[str], tuple | None]
) -> Claim | None:
    """The claim if the request is for this front door: `<prefix><id>/...` on the server's
    own address, or a Host like `<id><host_mark>...`."""
    if path.startswith(prefix):
        named, _, rest = path[len(prefix) :].partition("/")
        return Claim(named, "/" + rest, path)
    if host_mark in host:
        parsed = parse_host(host)
        return Claim(parsed[0], path, path) if parsed else None
    return None


def scope_path_host(scope: dict) -> tuple[str, str]:
    """An ASGI request's raw path and Host header (empty if none)."""
    path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
    for name, value in scope["headers"]:
        if name == b"host":
            return path, value.decode("latin-1")
    return path, ""


def host_name(host: str) -> str:
    """A Host header's name, without its port, lower-cased: `API.example.test:4566` ->
    `api.example.test` (`[::1]` stays whole)."""
    return host.rsplit(":", 1)[0].lower() if not host.endswith("]") else host.lower()


def http_request(
    method: str,
    raw_path: str,
    raw_query: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes | None,
    client: tuple[str, int] | None,
    http_version: str,
    names_as_sent: list[bytes] | None = None,
) -> HttpRequest:
    """The request as the event builders take it; `body` None when it was over the limit.
    `names_as_sent`: the header names as the client spelled them (http/header_case.py)."""
    return HttpRequest(
        method=method,
        raw_path=raw_path,
        raw_query=raw_query.decode("latin-1"),
        headers=[(n.decode("latin-1").lower(), v.decode("latin-1")) for n, v in headers],
        body=body or b"",
        source_ip=(client or ("127.0.0.1", 0))[0],
        protocol=f"HTTP/{http_version}",
        oversized=body is None,
        names_as_sent=names_as_sent,  # decoded only by the events that use them
    )


async def asgi_request(scope: dict, receive: Callable, raw_path: str, limit: int) -> HttpRequest:
    """The request, body included (`oversized` if the body is larger than `limit`)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            break
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return http_request(
        scope["method"],
        raw_path,
        scope.get("query_string", b""),
        scope["headers"],
        b"".join(chunks) if size <= limit else None,
        scope.get("client"),
        scope.get("http_version", "1.1"),
        scope.get(NAMES_AS_SENT),
    )


def function_response(
    engine: Invoker,
    result: InvokeResult,
    parse: Callable[[bytes], HttpResponse],
    where: str,
) -> HttpResponse | None:
    """The HTTP response `parse` reads from the function's result; None if the function
    failed or answered something that is not a response (the caller answers its own error)."""
    if result.function_error:
        return None
    try:
        return parse(result.payload)
    except InvalidResponse as exc:
        note_invalid(engine, result, where, exc)
        return None


def note_invalid(engine: Invoker, result: InvokeResult | None, where: str, exc: Exception) -> None:
    # The caller sees only an error status, as on AWS; the function's own log says why.
    if result is not None:
        engine.note(result, f"[ERROR] {where}: invalid response: {exc}")


REMAPPED = {"content-length": "x-amzn-remapped-content-length"}


def response_headers(response: HttpResponse) -> list[tuple[str, str]]:
    """The headers to send: the front door frames the message itself. A Content-Length the
    function set (Starlette and Werkzeug set one) is sent as x-amzn-Remapped-Content-Length,
    as AWS's front ends do, never as a second Content-Length, which strict clients reject."""
    return [(REMAPPED.get(n, n), v) for n, v in response.headers]


async def send_response(send: Callable, response: HttpResponse) -> None:
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in response_headers(response)]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def origin_allowed(cors: dict, origin: str) -> str | None:
    """The Access-Control-Allow-Origin value for `origin`, or None if it is not allowed."""
    allowed = cors.get("AllowOrigins") or []
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def cors_headers(cors: dict, origin: str) -> list[tuple[str, str]]:
    """The CORS headers added to an ordinary response, as the URL's Cors configures them."""
    allow = origin_allowed(cors, origin)
    if allow is None:
        return []
    headers = [("access-control-allow-origin", allow)]
    if cors.get("ExposeHeaders"):
        headers.append(("access-control-expose-headers", ",".join(cors["ExposeHeaders"])))
    if cors.get("AllowCredentials"):
        headers.append(("access-control-allow-credentials", "true"))
    return headers


def preflight(cors: dict, request_headers: dict[str, str]) -> HttpResponse:
    """Answer an OPTIONS preflight from the Cors configuration, without invoking anything."""
    headers = cors_headers(cors, request_headers.get("origin", ""))
    if headers:
        methods = cors.get("AllowMethods") or []
        if methods:
            headers.append(("access-control-allow-methods", ",".join(methods)))
        allow_headers = cors.get("AllowHeaders") or []
        if allow_headers:
            headers.append(("access-control-allow-headers", ",".join(allow_headers)))
        if cors.get("MaxAge") is not None:
            headers.append(("access-control-max-age", str(cors["MaxAge"])))
    return HttpResponse(200, headers, b"")
