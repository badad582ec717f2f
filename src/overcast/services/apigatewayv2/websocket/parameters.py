"""A WebSocket integration's RequestParameters (WebSocket API guide, "Set up data mapping for
WebSocket APIs in API Gateway"): the integration request's headers, query string and path
parameters (`integration.request.header|querystring|path.NAME`), each from

- the route request's header or query string, single or multi-value
  (`route.request.header|multivalueheader|querystring|multivaluequerystring.NAME`): "supported
  only for the $connect route", the one request that has them;
- a JSON field of the message (`route.request.body.JSONPath`, `$.a.b` or `a.b`);
- a stage variable (`stageVariables.NAME`) or a context variable (`context.NAME`, dotted for
  `context.identity.sourceIp` and `context.authorizer.*`);
- a static value in single quotes (`'text'`).

A source with no value leaves its target out, as a missing parameter is left out of the
integration request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from overcast.http.integration.http_send import HOP_BY_HOP
from overcast.services.apigatewayv2.websocket.selection import body_lookup

_TARGET = "integration.request."


@dataclass
class MappedParameters:
    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    path: dict[str, str] = field(default_factory=dict)


def mapped_parameters(
    parameters: dict[str, str], event: dict, variables: dict[str, str], message: bytes
) -> MappedParameters:
    """What `parameters` put in the integration request, for the route request `event` (the
    proxy event API Gateway would send) carrying `message`."""
    found = MappedParameters()
    body = body_lookup(message)
    for target, source in parameters.items():
        kind, _, name = target.removeprefix(_TARGET).partition(".")
        values = _values(source, event, variables, body)
        if not target.startswith(_TARGET) or not name or not values:
            continue
        if kind == "header" and name.lower() not in HOP_BY_HOP:
            # One field of several values is the same header as repeated ones (RFC 9110 5.3)
            found.headers.append((name.lower(), ",".join(values)))
        elif kind == "querystring":
            found.query += [(name, value) for value in values]
        elif kind == "path":
            found.path[name] = values[0]
    return found


def _values(
    source: str, event: dict, variables: dict[str, str], body: Callable[[str], str | None]
) -> list[str]:
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return [source[1:-1]]
    prefix, _, name = source.partition(".")
    if prefix == "stageVariables":
        return _some(variables.get(name))
    if prefix == "context":
        return _some(_dotted(event.get("requestContext") or {}, name))
    if prefix != "route" or not name.startswith("request."):
        return []
    kind, _, name = name[len("request.") :].partition(".")
    if kind == "body":
        return _some(body("request.body." + name.removeprefix("$.")))
    if kind == "header":
        return _some(_headers(event, "headers").get(name.lower()))
    if kind == "multivalueheader":
        return list(_headers(event, "multiValueHeaders").get(name.lower()) or [])
    if kind == "querystring":
        return _some((event.get("queryStringParameters") or {}).get(name))
    if kind == "multivaluequerystring":
        return list((event.get("multiValueQueryStringParameters") or {}).get(name) or [])
    return []


def _headers(event: dict, key: str) -> dict:
    """The event's headers by lower-cased name (HTTP names are case-insensitive)."""
    return {name.lower(): value for name, value in (event.get(key) or {}).items()}


def _dotted(found: object, name: str) -> object:
    for part in name.split("."):
        if not isinstance(found, dict):
            return None
        found = found.get(part)
    return found


def _some(value: object) -> list[str]:
    if value is None or isinstance(value, (dict, list)):
        return []
    return [value if isinstance(value, str) else str(value)]
