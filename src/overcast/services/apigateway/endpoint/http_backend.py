"""HTTP and HTTP_PROXY integrations: the request sent on to an HTTP endpoint (REST API
Developer Guide, "HTTP integrations"). HTTP_PROXY passes the method request through (its
headers but Host and the hop-by-hop ones, its query string, its body) and the endpoint's
answer back as it is; HTTP sends the integration request the mappings made, and maps the
answer through an integration response. Sending it is http/integration/http_send.py's.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from overcast.http.integration.errors import BadConfiguration
from overcast.http.integration.http_send import HOP_BY_HOP, Outgoing, is_http_url
from overcast.http.lambda_uri import with_stage_variables
from overcast.services.apigateway.endpoint.exchange import Exchange

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9._-]+)\+?\}")


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
    if not is_http_url(url):
        raise BadConfiguration(f"an HTTP integration's URI is no http(s) URL: {url!r}")
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
