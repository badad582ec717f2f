"""HTTP and HTTP_PROXY integrations: the request sent on to an HTTP endpoint (REST API
Developer Guide, "HTTP integrations"). HTTP_PROXY passes the method request through (its
headers but Host and the hop-by-hop ones, its query string, its body) and the endpoint's
answer back as it is; HTTP sends the integration request the mappings made, and maps the
answer through an integration response. Redirects are not followed; an endpoint that
cannot be reached is 504 INTEGRATION_FAILURE, one slower than timeoutInMillis 504
INTEGRATION_TIMEOUT.
"""

from __future__ import annotations

import asyncio
import http.client
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.functions import with_stage_variables
from overcast.services.apigateway.errors import (
    ConfigurationError,
    IntegrationFailure,
    IntegrationTimeout,
)

RESPONSE_LIMIT = 10 * 1024 * 1024  # REST APIs' payload quota
HOP_BY_HOP = frozenset(
    ("host", "connection", "keep-alive", "proxy-connection", "te", "trailer",
     "transfer-encoding", "upgrade", "content-length", "expect")
)  # fmt: skip
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9._-]+)\+?\}")


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


def outgoing(exchange: Exchange, body: bytes, overrides: dict, proxy: bool) -> Outgoing:
    """The request to send: the URI's `{name}` parts filled from the integration's
    `integration.request.path.*` parameters (else the method's own path parameters), its
    query and headers as the type says, the template's overrides last."""
    integration = exchange.integration
    mapped = _mapped(exchange, integration.get("requestParameters") or {})
    path_values = {**exchange.scope.path_parameters, **mapped["path"], **overrides.get("path", {})}
    uri = with_stage_variables(integration.get("uri", ""), exchange.variables)

    def fill(found: re.Match) -> str:
        value = path_values.get(found[1])
        if value is None:
            return found[0]
        # A greedy path's value keeps its slashes (`http://host/{proxy}`)
        return quote(value, safe="/")

    url = _PLACEHOLDER.sub(fill, uri)
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigurationError()
    if proxy:
        query = exchange.request.raw_query
        headers = [(n, v) for n, v in exchange.request.headers if n not in HOP_BY_HOP]
    else:
        query = urlencode({**mapped["querystring"], **overrides.get("querystring", {})})
        headers = list(mapped["header"].items())
        content_type = exchange.request.header_map.get("content-type")
        if content_type and "content-type" not in mapped["header"]:
            headers.append(("content-type", content_type))
    for name, value in (overrides.get("header") or {}).items():
        headers = [(n, v) for n, v in headers if n != name.lower()]
        headers.append((name.lower(), value if isinstance(value, str) else ",".join(value)))
    if query:
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    method = exchange.http_method if proxy else integration.get("httpMethod") or "POST"
    if method == "ANY":
        method = exchange.http_method
    return Outgoing(method, url, headers, body)


def _mapped(exchange: Exchange, parameters: dict[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {"path": {}, "querystring": {}, "header": {}}
    for target, source in parameters.items():
        prefix, _, name = target.rpartition(".")
        kind = prefix.removeprefix("integration.request.")
        if kind not in found:
            continue
        value = exchange.method_parameter(source)
        if value is not None:
            found[kind][name.lower() if kind == "header" else name] = value
    return found


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
        raise IntegrationTimeout() from None
    except (OSError, http.client.HTTPException, ValueError):
        raise IntegrationFailure() from None
