"""What every HTTP front door shares: claiming a request by path or Host, reading an ASGI
request, turning a function's result into the response, writing it, CORS."""

from __future__ import annotations

from collections.abc import Callable

from overcast.engine.engine import Engine
from overcast.engine.invocation import InvokeResult
from overcast.triggers.http_event import HttpRequest, HttpResponse, InvalidResponse


def front_match(
    scope: dict, prefix: str, host_mark: bytes, parse_host: Callable[[str], tuple | None]
) -> tuple[str, str] | None:
    """(the id a request names, the path within it) if the request is for this front door:
    `<prefix><id>/...` on the server's own address, or a Host like `<id><host_mark>...`."""
    path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
    if path.startswith(prefix):
        named, _, rest = path[len(prefix) :].partition("/")
        return named, "/" + rest
    for name, value in scope["headers"]:
        if name == b"host" and host_mark in value:
            parsed = parse_host(value.decode("latin-1"))
            return (parsed[0], path) if parsed else None
    return None


async def asgi_request(
    scope: dict, receive: Callable, raw_path: str, limit: int
) -> HttpRequest | None:
    """The request, body included; None if the body is larger than `limit`."""
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    client = scope.get("client") or ("127.0.0.1", 0)
    return HttpRequest(
        method=scope["method"],
        raw_path=raw_path,
        raw_query=scope.get("query_string", b"").decode("latin-1"),
        headers=[(n.decode("latin-1").lower(), v.decode("latin-1")) for n, v in scope["headers"]],
        body=b"".join(chunks),
        source_ip=client[0],
        protocol=f"HTTP/{scope.get('http_version', '1.1')}",
    )


def function_response(
    engine: Engine,
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


def note_invalid(engine: Engine, result: InvokeResult | None, where: str, exc: Exception) -> None:
    # The caller sees only an error status, as on AWS; the function's own log says why.
    if result is not None:
        engine.note(result, f"[ERROR] {where}: invalid response: {exc}")


REMAPPED = {"content-length": "x-amzn-remapped-content-length"}


async def send_response(send: Callable, response: HttpResponse) -> None:
    # The front door frames the message itself. A Content-Length the function set (Starlette
    # and Werkzeug set one) is sent as x-amzn-Remapped-Content-Length, as AWS's front ends do,
    # never as a second Content-Length header, which strict clients reject.
    headers = [
        (REMAPPED.get(n, n).encode("latin-1"), v.encode("latin-1")) for n, v in response.headers
    ]
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
