"""WebSocket APIs (apigatewayv2 with ProtocolType WEBSOCKET): route keys, route selection,
and what the front door serves of each stage.

A WebSocket API's routes are named, not matched: `$connect`, `$disconnect`, `$default` and
any key the API's RouteSelectionExpression may pick from a message (`$request.body.action`
reads `action` of a JSON message). "API Gateway calls the $default route if the route
selection expression cannot be evaluated against the message or if no matching route is
found" (WebSocket API guide, "Routes"). A route with a route response is two-way: the
integration's answer is sent back to the client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from overcast.services.apigatewayv2.model.authorizer import Authorizer
from overcast.services.apigatewayv2.model.http_api import (
    DEFAULT_STAGE,
    ApiRecord,
    Integration,
    IntegrationResponse,
    Route,
    integration_functions,
)

CONNECT = "$connect"
DISCONNECT = "$disconnect"
DEFAULT_ROUTE = "$default"
ROUTE_KEY_LIMIT = 128  # unconfirmed: AWS states no limit on WebSocket route keys we found
ROUTE_RESPONSE_KEYS = (DEFAULT_ROUTE,)  # "You can only define the $default route response"
# `$request.body.a.b`, alone or as `${request.body.a.b}` inside text (selection expressions,
# WebSocket API guide); a member name is letters, digits, `_` and `-`.
_BODY_PATH = r"request\.body\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)"
_WHOLE = re.compile(rf"\${_BODY_PATH}")
_EMBEDDED = re.compile(rf"\$\{{{_BODY_PATH}\}}")


class InvalidSelectionExpression(ValueError):
    """Raised when a route selection expression reads nothing API Gateway can evaluate."""


@dataclass(frozen=True)
class SelectionExpression:
    """A parsed RouteSelectionExpression: `text` with the body paths it reads."""

    text: str

    @classmethod
    def parse(cls, text: str) -> SelectionExpression:
        whole = _WHOLE.fullmatch(text)
        if whole is None and not _EMBEDDED.search(text):
            raise InvalidSelectionExpression(
                f"The selection expression '{text}' is not valid: use $request.body.<member> "
                "or ${request.body.<member>}"
            )
        return cls(text)

    def select(self, body: str | bytes) -> str | None:
        """The route key a message picks, or None when the expression cannot be evaluated
        against it (not JSON, or a member it reads is missing)."""
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return None
        whole = _WHOLE.fullmatch(self.text)
        if whole is not None:
            return _member(document, whole[1])
        missing = False

        def put(found: re.Match) -> str:
            nonlocal missing
            value = _member(document, found[1])
            missing = missing or value is None
            return value or ""

        key = _EMBEDDED.sub(put, self.text)
        return None if missing else key


def _member(document: object, path: str) -> str | None:
    for name in path.split("."):
        if not isinstance(document, dict) or name not in document:
            return None
        document = document[name]
    if document is None or isinstance(document, (dict, list)):
        return None
    return document if isinstance(document, str) else json.dumps(document)


def check_route_key(key: str) -> str:
    """A WebSocket route key as API Gateway takes it: any text, `$` reserved for its own."""
    if not key or len(key) > ROUTE_KEY_LIMIT:
        raise InvalidSelectionExpression(
            f"Route key must be 1 to {ROUTE_KEY_LIMIT} characters: {key[:ROUTE_KEY_LIMIT]}"
        )
    if key.startswith("$") and key not in (CONNECT, DISCONNECT, DEFAULT_ROUTE):
        raise InvalidSelectionExpression(
            f"Route key {key} is invalid: keys starting with $ are reserved "
            "($connect, $disconnect, $default)"
        )
    return key


@dataclass(frozen=True)
class ServedSocketStage:
    """One stage as the WebSocket front door serves it: its deployed routes by key."""

    name: str
    variables: dict[str, str]
    routes: dict[str, Route]
    integrations: dict[str, Integration]
    two_way: frozenset[str]  # ids of the routes with a route response
    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    # each non-proxy integration's responses, by its id
    responses: dict[str, tuple[IntegrationResponse, ...]] = field(default_factory=dict)

    @cached_property
    def functions(self) -> dict[str, tuple[str, str | None]]:
        return integration_functions(self.integrations, self.variables)

    def route_for(self, key: str | None) -> Route | None:
        """The route a message's selected key names, else `$default` (None if neither)."""
        if key is not None and key not in (CONNECT, DISCONNECT):
            found = self.routes.get(key)
            if found is not None:
                return found
        return self.routes.get(DEFAULT_ROUTE)


@dataclass(frozen=True)
class ServedSocketApi:
    """A WebSocket API as the front door sees it; remade whole on every change."""

    api_id: str
    region: str
    disabled: bool
    selection: SelectionExpression
    stages: dict[str, ServedSocketStage]

    @classmethod
    def of(cls, record: ApiRecord) -> ServedSocketApi:
        stages = {}
        for stage in record.stages.values():
            deployment = record.deployments.get(stage.deployment_id or "")
            if deployment is None:
                continue  # nothing deployed: the stage takes no connection
            stages[stage.name] = ServedSocketStage(
                stage.name,
                dict(stage.variables),
                {r.route_key: r for r in deployment.routes},
                deployment.integrations,
                frozenset(r.route_id for r in deployment.route_responses),
                deployment.authorizers,
                _by_integration(deployment.integration_responses),
            )
        api = record.api
        return cls(
            api.api_id,
            api.region,
            api.disable_execute_api_endpoint,
            SelectionExpression(api.route_selection_expression),
            stages,
        )

    def stage_for(self, raw_path: str) -> tuple[ServedSocketStage, str] | None:
        """The stage a path names and the path within it (`/prod/@connections/x` ->
        prod, `/@connections/x`); the `$default` stage takes the root."""
        first, _, rest = raw_path[1:].partition("/")
        named = self.stages.get(first) if first != DEFAULT_STAGE else None
        if named is not None:
            return named, "/" + rest
        default = self.stages.get(DEFAULT_STAGE)
        return (default, raw_path) if default is not None else None


def _by_integration(
    responses: tuple[IntegrationResponse, ...],
) -> dict[str, tuple[IntegrationResponse, ...]]:
    found: dict[str, list[IntegrationResponse]] = {}
    for response in responses:
        found.setdefault(response.integration_id, []).append(response)
    return {key: tuple(items) for key, items in found.items()}
