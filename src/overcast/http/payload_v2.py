"""HTTP requests as Lambda events (payload format 2.0) and function results as HTTP responses.

The shapes Lambda's function URLs and API Gateway HTTP APIs produce and accept: headers
lower-cased and joined with commas, cookies apart, query parameters joined likewise, bodies
base64-encoded unless they are text; a result with `statusCode` is a structured response,
anything else is JSON for a 200.
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qsl

from overcast.aws import json_document

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
TEXT_SUFFIXES = ("+json", "+xml", "x-www-form-urlencoded")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token: a header's name
_UNSENDABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u0100-\U0010ffff]")

# Built once, without the search for reference cycles: an event is strings, numbers and the
# containers its builder made. (json.dumps builds an encoder, and a cycle check, per call.)
_event_json = json.JSONEncoder(check_circular=False).encode


def encoded_event(event: dict) -> bytes:
    """An event as the bytes the function receives."""
    return _event_json(event).encode()


@dataclass(frozen=True)
class HttpRequest:
    """What arrived over HTTP, as the front door saw it."""

    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]  # lower-case names, in order, repeats kept
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"
    oversized: bool = False  # the body was over the front door's limit (and is left out)
    # each header's name as the client spelled it, as parsed (http/header_case.py)
    names_as_sent: list[bytes] | None = None

    @cached_property
    def header_map(self) -> dict[str, str]:
        """Header values by name (the last of a repeated header)."""
        return dict(self.headers)

    @property
    def headers_as_sent(self) -> list[tuple[str, str]]:
        """`headers` under the client's own names (REST APIs' events keep them), or
        lower-cased where they were not recorded."""
        names = self.names_as_sent
        if names is None or len(names) != len(self.headers):
            return self.headers
        pairs = zip(names, self.headers, strict=True)
        return [(name.decode("latin-1"), value) for name, (_, value) in pairs]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class InvalidResponse(ValueError):
    """Raised when a function's structured response is not one Lambda can turn into HTTP."""


@dataclass(frozen=True)
class EventContext:
    """Where the request came in: the parts of requestContext that are not the request."""

    account_id: str
    api_id: str
    domain_name: str
    request_id: str
    route_key: str = "$default"
    stage: str = "$default"
    path_parameters: dict[str, str] | None = None
    stage_variables: dict[str, str] | None = None
    extra: dict = field(default_factory=dict)


def event_v2(request: HttpRequest, context: EventContext) -> dict:
    """The payload 2.0 event for `request`."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[name] = f"{headers[name]},{value}" if name in headers else value
    now = time.time()
    event: dict = {
        "version": "2.0",
        "routeKey": context.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _joined_query(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": context.account_id,
        "apiId": context.api_id,
        "domainName": context.domain_name,
        "domainPrefix": context.domain_name.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": context.request_id,
        "routeKey": context.route_key,
        "stage": context.stage,
        "time": request_time(now),
        "timeEpoch": int(now * 1000),
        **context.extra,
    }
    if context.path_parameters:
        event["pathParameters"] = context.path_parameters
    if context.stage_variables:
        event["stageVariables"] = context.stage_variables
    if request.body:
        event["body"], event["isBase64Encoded"] = encoded_body(
            headers.get("content-type", ""), request.body
        )
    else:
        event["isBase64Encoded"] = False
    return event


def encoded_body(content_type: str, body: bytes) -> tuple[str, bool]:
    """An event's `body` and `isBase64Encoded`: text as it is, anything else in base64."""
    if _is_text(content_type) and _decodes(body):
        return body.decode(), False
    return base64.b64encode(body).decode(), True


def response_v2(payload: bytes) -> HttpResponse:
    """Turn a function's result into the HTTP response, as payload 2.0 defines it."""
    result = loaded_result(payload)
    if not (isinstance(result, dict) and "statusCode" in result):
        # Inferred: the result itself is the JSON body of a 200.
        return HttpResponse(200, [("content-type", "application/json")], payload)
    status = result["statusCode"]
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise InvalidResponse(f"statusCode must be an HTTP status, got {status!r}")
    headers = [(str(k).lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name).lower(), str(value)) for value in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or ())
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        data = json.dumps(body).encode()
    else:
        data = decoded_body(body, bool(result.get("isBase64Encoded")))
    return structured_response(status, headers, data)


def loaded_result(payload: bytes) -> object:
    """A function's result read as JSON (None for an empty one)."""
    try:
        return json_document.loads(payload, json_document.PAYLOAD_MAX_DEPTH) if payload else None
    except ValueError as exc:
        raise InvalidResponse(f"the function returned invalid JSON: {exc}") from None


def decoded_body(body: str, is_base64: bool) -> bytes:
    """A structured response's `body` as bytes: base64-decoded if `isBase64Encoded`."""
    if not is_base64:
        return body.encode()
    try:
        return base64.b64decode(body, validate=True)
    except ValueError as exc:
        raise InvalidResponse(f"body is not valid base64: {exc}") from None


def structured_response(status: int, headers: list[tuple[str, str]], data: bytes) -> HttpResponse:
    """The response a structured result describes; JSON unless it names a content type.
    Headers HTTP/1.1 cannot carry (no token name, a control character or a character
    outside Latin-1 in the value) make the response invalid."""
    for name, value in headers:
        if not _TOKEN.fullmatch(name) or _UNSENDABLE.search(value):
            raise InvalidResponse(f"header {name!r} cannot be sent over HTTP: {value!r}")
    if not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(status, headers, data)


def request_time(now: float) -> str:
    """requestContext's time (`12/Mar/2020:19:03:58 +0000`) for a Unix time."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))


def _joined_query(raw_query: str) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _is_text(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return not media or media.startswith(TEXT_TYPES) or media.endswith(TEXT_SUFFIXES)


def _decodes(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True
