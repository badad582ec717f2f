"""A function's streamed response as an HTTP response (RESPONSE_STREAM function URLs).

Lambda sends each chunk on as the function writes it (chunked transfer coding). A stream of
type `application/vnd.awslambda.http-integration-response` (what the Node runtime's
`awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` writes) starts
with a JSON prelude, then 8 NUL bytes, then the body; any other stream is the body of a
200 whose Content-Type is the stream's. A function that does not stream (Python's runtime)
answers in one chunk, which is the body as it is: such a URL does not read `statusCode`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws import json_document
from overcast.runtimes.response_stream import DEFAULT_CONTENT_TYPE
from overcast.types import InvocationStream

HTTP_INTEGRATION_TYPE = "application/vnd.awslambda.http-integration-response"
DELIMITER = b"\0" * 8
PRELUDE_LIMIT = 64 * 1024  # Overcast's bound on the prelude it waits for (Lambda names none)


class InvalidPrelude(ValueError):
    """Raised when a stream's HTTP prelude is not JSON Lambda can turn into status and headers."""


@dataclass(frozen=True)
class Head:
    """What goes out before the body: the status, the headers, and the body's first bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


def parse_prelude(data: bytes) -> tuple[int, list[tuple[str, str]]]:
    """Status and headers from a prelude: `{"statusCode": 201, "headers": {...},
    "cookies": ["a=1"]}` -> (201, [..., ("set-cookie", "a=1")]). statusCode defaults to 200."""
    try:
        prelude = json_document.loads(data) if data.strip() else {}
    except ValueError as exc:
        raise InvalidPrelude(f"the prelude is not JSON: {exc}") from None
    if not isinstance(prelude, dict):
        raise InvalidPrelude("the prelude must be a JSON object")
    status = prelude.get("statusCode", 200)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise InvalidPrelude(f"statusCode must be an HTTP status, got {status!r}")
    headers = [(str(k).lower(), str(v)) for k, v in (prelude.get("headers") or {}).items()]
    for name, values in (prelude.get("multiValueHeaders") or {}).items():
        headers.extend((str(name).lower(), str(value)) for value in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in prelude.get("cookies") or ())
    return status, headers


async def read_head(stream: InvocationStream) -> Head | None:
    """Read the stream until the response's status and headers are known; None if it ended
    in an error before any byte of the body (the caller answers 502, as for a failure)."""
    prelude = bytearray()
    async for chunk in stream:
        if stream.content_type != HTTP_INTEGRATION_TYPE:
            return Head(200, [("content-type", stream.content_type)], chunk)
        prelude += chunk
        end = prelude.find(DELIMITER)
        if end >= 0:
            return Head(*parse_prelude(bytes(prelude[:end])), bytes(prelude[end + 8 :]))
        if len(prelude) > PRELUDE_LIMIT:
            raise InvalidPrelude(f"no end of the prelude in its first {PRELUDE_LIMIT} bytes")
    if stream.error is not None:
        return None
    if stream.content_type == HTTP_INTEGRATION_TYPE:  # ended before the delimiter
        return Head(*parse_prelude(bytes(prelude)))
    return Head(200, [("content-type", stream.content_type or DEFAULT_CONTENT_TYPE)])


async def send_stream(
    send: Callable, stream: InvocationStream, head: Head, extra: list[tuple[str, str]]
) -> None:
    """Send the head, then each chunk as it comes. An error once the body has begun (a
    timeout, a function error) cuts the response short: the last chunk is never sent, so the
    client sees an incomplete response rather than a complete wrong one."""
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in head.headers + extra]
    await send({"type": "http.response.start", "status": head.status, "headers": headers})
    if head.body:
        await send({"type": "http.response.body", "body": head.body, "more_body": True})
    async for chunk in stream:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    if stream.error is None:
        await send({"type": "http.response.body", "body": b"", "more_body": False})
