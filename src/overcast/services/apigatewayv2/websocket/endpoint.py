"""WebSocket APIs' endpoint: `ws://HOST:PORT/execute-api/{api-id}/{stage}`, or the host form
`{api-id}.execute-api.{region}.{domain}` with the stage as the path, as on AWS
(`wss://{api-id}.execute-api.{region}.amazonaws.com/{stage}`), or a custom domain name whose
API mapping names the API (`Host: chat.example.test`, path `/{mapping key}`; the events'
domainName is then the custom domain).

A connection's life, as API Gateway runs it (WebSocket API guide): the handshake invokes the
`$connect` route, whose answer lets the client in (2xx) or refuses it with the answer's own
status ("Unexpected server response: 400"), a failed integration with 502; each message then
goes to the route the API's RouteSelectionExpression picks (else `$default`; with neither the
client is told `{"message": "Forbidden", ...}`), and a two-way route's answer (one with a
route response) is sent back; when either side closes, `$disconnect` is invoked. Idle
connections are closed after `idle_timeout_s` (10 minutes on AWS) and every connection after
`max_duration_s` (2 hours). Plain HTTP requests below a stage reach the `@connections`
management API (management.py); anything else is answered 403 Forbidden.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

from overcast.aws.authorizer import AllowAll
from overcast.aws.gateway import serve
from overcast.aws.request_auth import RequestAuth
from overcast.aws.request_context import request_context
from overcast.http.front_door import Claim, claim_of, scope_path_host, send_response
from overcast.http.header_case import headers_as_sent
from overcast.http.integration.service_actions import ServiceActions
from overcast.http.payload_v2 import HttpResponse
from overcast.services.apigatewayv2.control.domain_names import DomainNames, Route
from overcast.services.apigatewayv2.endpoints import HOST_MARK, PATH_PREFIX, new_api_request_id
from overcast.services.apigatewayv2.errors import INTEGRATION_FAILED, NO_ROUTE, InvokeRefused
from overcast.services.apigatewayv2.invoke_auth import InvokeAuth
from overcast.services.apigatewayv2.model.http_api import DEFAULT_STAGE, api_host, parse_api_host
from overcast.services.apigatewayv2.model.websocket_api import (
    CONNECT,
    DISCONNECT,
    ServedSocketApi,
    ServedSocketStage,
)
from overcast.services.apigatewayv2.websocket import events, management
from overcast.services.apigatewayv2.websocket.authorization import ConnectAuthorization
from overcast.services.apigatewayv2.websocket.connections import (
    Connection,
    Connections,
    new_connection_id,
    now_ms,
)
from overcast.services.apigatewayv2.websocket.integration import SocketIntegrations
from overcast.types import InvokePermissions, Invoker, Resolver

log = logging.getLogger(__name__)

IDLE_TIMEOUT_S = 600.0  # WebSocket API quota: idle connection timeout, 10 minutes
MAX_DURATION_S = 7200.0  # WebSocket API quota: connection duration, 2 hours
MESSAGE_LIMIT = management.MESSAGE_LIMIT
CONNECTIONS = "/@connections/"
FORBIDDEN = HttpResponse(403, [("content-type", "application/json")], b'{"message":"Forbidden"}')
GOING_AWAY = 1001  # RFC 6455: an endpoint is going away (idle, or the 2-hour limit)
TOO_BIG = 1009  # RFC 6455: a message too big to process


class WebSocketApis:
    """Every WebSocket API of this server: a front door for `websocket` scopes (the
    connections) and `http` ones (the management API)."""

    def __init__(
        self,
        served: Callable[[str], ServedSocketApi | None],
        resolver: Resolver,
        engine: Invoker,
        account_id: str,
        permissions: InvokePermissions,
        request_auth: RequestAuth | None = None,
        *,
        default_region: str = "us-east-1",
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        max_duration_s: float = MAX_DURATION_S,
        tls_authority: str | None = None,
        domains: DomainNames | None = None,
        services: ServiceActions | None = None,
    ) -> None:
        self._served = served
        self._domains = domains
        self._tls_authority = tls_authority
        self._account_id = account_id
        self._auth = request_auth
        self._default_region = default_region
        self.idle_timeout_s = idle_timeout_s
        self.max_duration_s = max_duration_s
        self.connections = Connections()
        self.integrations = SocketIntegrations(resolver, engine, permissions, account_id, services)
        self.authorization = ConnectAuthorization(
            InvokeAuth(request_auth, account_id, default_region), self.integrations, account_id
        )
        self._management = management.management_api()

    def match(self, scope: dict) -> Claim | None:
        """A request for a WebSocket API (by path or Host); an HTTP API's are not ours."""
        path, host = scope_path_host(scope)
        claim = claim_of(path, host, PATH_PREFIX, HOST_MARK, parse_api_host)
        if claim is None and self._domains is not None and host and self._domains.knows(host):
            claim = _domain_claim(self._domains.route(host, path), path)
        if claim is None or self._served(claim.name) is None:
            return None
        return claim

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        claim = self.match(scope)
        api = self._served(claim.name) if claim is not None else None
        mapped = getattr(claim, "route", None)
        # DisableExecuteApiEndpoint turns off the default endpoint, not a custom domain
        served = api is not None and (not api.disabled or mapped is not None)
        found = api.stage_for(claim.raw_path) if served else None
        if scope["type"] == "websocket":
            if found is None or found[1] not in ("", "/"):
                await _deny(scope, send, FORBIDDEN)
                return
            domain = mapped.domain_name if mapped is not None else self._domain_name(api)
            await self._session(api, found[0], domain, scope, receive, send)
            return
        if found is None or not found[1].startswith(CONNECTIONS):
            await send_response(send, _copy(FORBIDDEN))
            return
        await self._manage(api, found[0], found[1], scope, receive, send)

    # --- the management API ---------------------------------------------------------

    async def _manage(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        inner_path: str,
        scope: dict,
        receive: Callable,
        send: Callable,
    ) -> None:
        scope[management.INNER_PATH] = inner_path
        request = Request(scope, receive)
        context = request_context(request, self._default_region, self._account_id)
        target = management.StageConnections(
            self.connections, api.api_id, stage.name, api.region, self._account_id
        )
        auth = self._auth or RequestAuth()
        authorizer = auth.authorizer if self._auth is not None else AllowAll()
        bound = management.for_stage(self._management, target)
        response = await serve(bound, request, context, authorizer, auth.authenticator)
        await response(scope, receive, send)

    # --- a connection -------------------------------------------------------------------

    async def _session(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        domain_name: str,
        scope: dict,
        receive: Callable,
        send: Callable,
    ) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        handshake = _handshake(scope)
        connection = Connection(
            connection_id=new_connection_id(),
            api_id=api.api_id,
            stage=stage.name,
            source_ip=(scope.get("client") or ("127.0.0.1", 0))[0],
            user_agent=next((v for n, v in handshake.headers if n.lower() == "user-agent"), None),
            connected_at=now_ms(),
            send_message=send,
        )
        where = events.Where(api.api_id, stage.name, domain_name, self._account_id)
        admitted = await self._connect(api, stage, where, connection, handshake, scope)
        if admitted is None:
            return
        await send({"type": "websocket.accept", **admitted})
        self.connections.add(connection)
        try:
            code, reason = await self._converse(api, stage, where, connection, receive)
        finally:
            self.connections.remove(connection.connection_id)
            connection.closed.set()
        route = stage.routes.get(DISCONNECT)
        if route is not None:
            request_id = new_api_request_id()
            event = events.disconnect_event(where, connection, handshake, code, reason, request_id)
            await self.integrations.call(api, stage, route, event)

    def _domain_name(self, api: ServedSocketApi) -> str:
        """The events' domainName. AWS's (`{api-id}.execute-api.{region}.amazonaws.com`)
        resolves nowhere here, and code written for API Gateway calls the `@connections` API
        at `"https://" + domainName + "/" + stage` (AWS's chat samples): with an HTTPS
        listener, domainName is `HOST:TLSPORT/execute-api/{api-id}`, so that this URL is
        the management API's path form. (AWS's never has a port or a path.)"""
        if self._tls_authority is None:
            return api_host(api.api_id, api.region)
        return f"{self._tls_authority}{PATH_PREFIX}{api.api_id}"

    async def _connect(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        where: events.Where,
        connection: Connection,
        handshake: events.Handshake,
        scope: dict,
    ) -> dict | None:
        """The accept message's members if `$connect` lets the client in; else the client
        has been refused (None)."""
        route = stage.routes.get(CONNECT)
        if route is None:
            return {}
        request_id = new_api_request_id()
        if route.authorization_type != "NONE":
            event = events.connect_event(where, connection, handshake, request_id)
            try:
                admission = await self.authorization.admit(api, stage, route, event, handshake)
            except InvokeRefused as refused:
                await _deny(scope, send_of(connection), refused.response())
                return None
            connection.authorizer, connection.caller = admission.authorizer, admission.identity
        event = events.connect_event(where, connection, handshake, request_id)
        outcome = await self.integrations.call(api, stage, route, event)
        if outcome.failed:
            await _deny(scope, send_of(connection), _status_response(502, "Internal server error"))
            return None
        if not 200 <= outcome.status < 300:
            body = outcome.body if isinstance(outcome.body, bytes) else b""
            denial = HttpResponse(outcome.status, [], body)
            await _deny(scope, send_of(connection), denial)
            return None
        protocol = outcome.header("sec-websocket-protocol")
        return {"subprotocol": protocol} if protocol else {}

    async def _converse(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        where: events.Where,
        connection: Connection,
        receive: Callable,
    ) -> tuple[int, str]:
        """Take the client's messages until the connection closes: its close code and
        reason, as `$disconnect` reports them."""
        ends_at = time.monotonic() + self.max_duration_s
        while True:
            idle_ends = time.monotonic() + self.idle_timeout_s - _idle_s(connection)
            wait = min(ends_at, idle_ends) - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), max(wait, 0))
            except TimeoutError:
                if time.monotonic() >= ends_at or _idle_s(connection) >= self.idle_timeout_s:
                    await connection.close(GOING_AWAY, "Going away")
                    return GOING_AWAY, "Going away"
                continue
            if message["type"] == "websocket.disconnect":
                code = connection.close_code or message.get("code", 1005)
                return code, message.get("reason") or ""
            data = message.get("text")
            if data is None:
                data = message.get("bytes") or b""
            size = len(data.encode() if isinstance(data, str) else data)
            if size > MESSAGE_LIMIT:
                await connection.close(TOO_BIG, "Message too big")
                return TOO_BIG, "Message too big"
            connection.last_active = now_ms()
            await self._message(api, stage, where, connection, data)

    async def _message(
        self,
        api: ServedSocketApi,
        stage: ServedSocketStage,
        where: events.Where,
        connection: Connection,
        data: str | bytes,
    ) -> None:
        request_id = new_api_request_id()
        route = stage.route_for(api.selection.select(data))
        if route is None:
            await connection.send(NO_ROUTE.frame(connection.connection_id, request_id).encode())
            return
        event = events.message_event(
            where, connection, route.route_key, data, request_id, new_api_request_id()
        )
        outcome = await self.integrations.call(api, stage, route, event)
        if outcome.failed:
            refusal = INTEGRATION_FAILED.frame(connection.connection_id, request_id)
            await connection.send(refusal.encode())
        elif route.route_id in stage.two_way and outcome.reply is not None:
            await connection.send(outcome.reply)


def send_of(connection: Connection) -> Callable:
    return connection.send_message


def _idle_s(connection: Connection) -> float:
    return max(now_ms() - connection.last_active, 0) / 1000


@dataclass(frozen=True)
class DomainClaim(Claim):
    """A request to a custom domain name whose API mapping (`route`) names a WebSocket API:
    `raw_path` is `/<stage>/<path after the mapping key>`, as the path form has it."""

    route: Route | None = None


def _domain_claim(route: Route | None, path: str) -> DomainClaim | None:
    if route is None:
        return None
    inner = route.rest if route.stage == DEFAULT_STAGE else f"/{route.stage}{route.rest}"
    return DomainClaim(route.api_id, inner, path, route)


def _handshake(scope: dict) -> events.Handshake:
    # The header names as the client sent them, as API Gateway passes them on.
    headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers_as_sent(scope)]
    raw_query = scope.get("query_string", b"").decode("latin-1")
    query = parse_qsl(raw_query, keep_blank_values=True)
    host = next((v for n, v in headers if n.lower() == "host"), "")
    raw_path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
    return events.Handshake(headers, list(query), host, raw_path, raw_query)


def _status_response(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


def _copy(response: HttpResponse) -> HttpResponse:
    return HttpResponse(response.status, list(response.headers), response.body)


async def _deny(scope: dict, send: Callable, response: HttpResponse) -> None:
    """Refuse the handshake with `response` where the server can send one (ASGI's denial
    response extension), else with a bare 403 (a close before the accept)."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send(
        {"type": "websocket.http.response.start", "status": response.status, "headers": headers}
    )
    await send({"type": "websocket.http.response.body", "body": response.body})
