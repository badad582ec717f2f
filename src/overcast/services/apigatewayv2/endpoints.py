"""HTTP APIs: plain HTTP in, a stage and route picked as API Gateway picks them, a payload
1.0 or 2.0 event to the route's function, its answer back as HTTP.

Reached at `/execute-api/<api-id>/...` on the server's own address (no DNS needed), with
API Gateway's host form `<api-id>.execute-api.<region>.amazonaws.com` in the Host header, or
on a custom domain name (`Host: api.example.test`, control/domain_names.py) whose API mapping
picks the API and stage.
What API Gateway answers itself, Overcast answers alike (HTTP API guide: routing, CORS,
quotas, "Troubleshooting issues with HTTP API Lambda integrations"): `{"message": ...}`
with 404 when no stage or route takes the request, 413 for a body over 10 MB, 431 for a
request line and headers over 10240 bytes, 503 when the integration times out, and 500
for every failure of the function or of its invocation (an error, an invalid response, a
throttle, an event Lambda refuses as too large, a function whose resource-based policy does
not let `apigateway.amazonaws.com` invoke it for this route: "The IAM role configured on the
integration or API Gateway doesn't have permissions to call the integration").
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from overcast.aws.errors import ServiceError
from overcast.aws.signed_request import SignedRequest
from overcast.http.front_door import (
    Claim,
    asgi_request,
    claim_of,
    cors_headers,
    function_response,
    preflight,
    scope_path_host,
    send_response,
)
from overcast.http.payload_v1 import event_v1, response_v1
from overcast.http.payload_v2 import (
    EventContext,
    HttpRequest,
    HttpResponse,
    encoded_event,
    event_v2,
    response_v2,
)
from overcast.sandbox.launcher import INIT_LIMIT_S
from overcast.services.apigatewayv2.control.domain_names import DomainNames, Route
from overcast.services.apigatewayv2.errors import InvokeRefused
from overcast.services.apigatewayv2.http_auth.jwks import IssuerKeys
from overcast.services.apigatewayv2.http_auth.lambda_authorizer import AuthorizerCall
from overcast.services.apigatewayv2.http_auth.routes import AUTHORIZED_TYPES, RouteAuthorization
from overcast.services.apigatewayv2.invoke_auth import InvokeAuth
from overcast.services.apigatewayv2.model.http_api import (
    Integration,
    ServedApi,
    ServedStage,
    api_host,
    parse_api_host,
)
from overcast.services.apigatewayv2.model.route_key import RouteKey
from overcast.services.apigatewayv2.websocket.integration import SocketIntegrations
from overcast.types import (
    InvokePermissions,
    Invoker,
    InvokeResult,
    Resolver,
    ServicePrincipal,
)

log = logging.getLogger(__name__)
_random = random.Random()

PATH_PREFIX = "/execute-api/"
HOST_MARK = ".execute-api."
PAYLOAD_LIMIT = 10 * 1024 * 1024  # HTTP API quota: payload size
HEAD_LIMIT = 10240  # HTTP API quota: request line and header values together
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024  # what Lambda takes in a synchronous invoke
PRINCIPAL = "apigateway.amazonaws.com"


def _message(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


NOT_FOUND = _message(404, "Not Found")
INTERNAL_ERROR = _message(500, "Internal Server Error")


@dataclass(frozen=True)
class DomainClaim(Claim):
    """A request to a custom domain name: `route` is the API mapping it takes (None: no
    mapping takes it, 404 as for a missing stage). `raw_path` is the path as sent, which the
    events' rawPath and requestContext.http.path keep, mapping key included."""

    route: Route | None = None


def new_api_request_id() -> str:
    """API Gateway's request ids look like `LV7fzho-PHcEJPw=`; drawn without a system call."""
    return base64.urlsafe_b64encode(_random.getrandbits(88).to_bytes(11, "big")).decode()


class HttpApis:
    """Every HTTP API of this server: answered whole (`respond`, for the HTTP protocol's
    shortcut) or through ASGI (`__call__`)."""

    body_limit = PAYLOAD_LIMIT

    def __init__(
        self,
        served: Callable[[str], ServedApi | None],
        resolver: Resolver,
        engine: Invoker,
        account_id: str,
        permissions: InvokePermissions,
        declines: Callable[[str], bool] = lambda api_id: False,
        invoke_auth: InvokeAuth | None = None,
        issuer_keys: IssuerKeys | None = None,
        domains: DomainNames | None = None,
    ) -> None:
        self._served = served
        self._domains = domains
        # AWS_IAM routes; without one (in-process tests) nothing is verified
        self._invoke_auth = invoke_auth or InvokeAuth(None, account_id, "us-east-1")
        self._declines = declines  # WebSocket APIs: their own front door answers them
        self._resolver = resolver
        self._engine = engine
        self._permissions = permissions
        self._account_id = account_id
        self._overdue: set[asyncio.Task] = set()  # invocations that outlived their timeout
        functions = SocketIntegrations(resolver, engine, permissions, account_id)
        self._authorization = RouteAuthorization(functions, account_id, issuer_keys)

    def claim(self, path: str, host: str) -> Claim | None:
        """The claim if the request is for an HTTP API (or for no API at all: 404)."""
        claim = claim_of(path, host, PATH_PREFIX, HOST_MARK, parse_api_host)
        if claim is None and self._domains is not None and host and self._domains.knows(host):
            route = self._domains.route(host, path)
            claim = DomainClaim(route.api_id if route else "", path, path, route)
        if claim is not None and self._declines(claim.name):
            return None
        return claim

    def match(self, scope: dict) -> Claim | None:
        return self.claim(*scope_path_host(scope))

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        claim = self.match(scope)
        request = await asgi_request(scope, receive, claim.raw_path, PAYLOAD_LIMIT)
        await send_response(send, await self.respond(claim, request))

    async def respond(self, claim: Claim, request: HttpRequest) -> HttpResponse:
        request_id = new_api_request_id()
        response = await self._answer(claim, request, request_id)
        response.headers.append(("apigw-requestid", request_id))
        return response

    async def _answer(self, claim: Claim, request: HttpRequest, request_id: str) -> HttpResponse:
        api = self._served(claim.name)
        if api is None:
            return _copy(NOT_FOUND)
        mapped = getattr(claim, "route", None)
        if api.disabled and mapped is None:
            # DisableExecuteApiEndpoint: the default endpoint refuses everything (a custom
            # domain still serves the API)
            return _message(403, "Forbidden")
        if _head_size(request) > HEAD_LIMIT:
            return _message(431, "Request Header Fields Too Large")
        found = _stage_of(api, mapped, claim.raw_path)
        if found is None:
            return _copy(NOT_FOUND)
        stage, path = found
        if request.oversized:
            return _message(413, "Request Entity Too Large")
        if stage.cors and _is_preflight(request.method, request.header_map):
            # API Gateway answers preflights itself, whatever the routes are.
            answer = preflight(stage.cors, request.header_map)
            return HttpResponse(204, answer.headers, b"")
        domain = mapped.domain_name if mapped else api_host(api.api_id, api.region)
        response = await self._route(api, stage, (path, domain), request, request_id, claim.path)
        origin = request.header_map.get("origin") if stage.cors else None
        if origin is not None:
            # With CORS configured, API Gateway drops the integration's own CORS headers.
            kept = [(n, v) for n, v in response.headers if not n.startswith("access-control-")]
            response = HttpResponse(
                response.status, kept + cors_headers(stage.cors, origin), response.body
            )
        return response

    async def _route(
        self,
        api: ServedApi,
        stage: ServedStage,
        where: tuple[str, str],
        request: HttpRequest,
        request_id: str,
        path_as_sent: str,
    ) -> HttpResponse:
        path, domain_name = where  # the path within the stage; the events' domainName
        matched = stage.table.match(request.method, path) if stage.table else None
        if matched is None:
            return _copy(NOT_FOUND)
        route, key, parameters = matched
        arn = ""  # the request's execute-api ARN, made only for routes that authorize
        if route.authorization_type != "NONE":
            arn = (
                f"arn:aws:execute-api:{api.region}:{self._account_id}:{api.api_id}/"
                f"{stage.name}/{request.method}{path}"
            )
        if route.authorization_type == "AWS_IAM":
            # The signature covers the path as sent (with `/execute-api/{id}` in the path
            # form); IAM's resource is the request's `api-id/stage/METHOD/path`.
            signed = SignedRequest(
                request.method,
                path_as_sent or request.raw_path,
                request.raw_query,
                request.header_map,
                request.body,
            )
            try:
                self._invoke_auth.caller(signed, arn, request.source_ip)
            except InvokeRefused as refused:
                return refused.response()
        context = EventContext(
            account_id=self._account_id,
            api_id=api.api_id,
            domain_name=domain_name,
            request_id=request_id,
            route_key=key.text,
            stage=stage.name,
            path_parameters=parameters or None,
            stage_variables=stage.variables or None,
        )
        granted = None
        if route.authorization_type in AUTHORIZED_TYPES:
            resource = key.text if key.is_default else key.text.partition(" ")[2]
            call = AuthorizerCall(api.api_id, api.region, request, context, resource, arn)
            try:
                granted = await self._authorization.authorize(stage, route, call)
            except InvokeRefused as refused:
                return refused.response()
        integration = stage.integrations.get(route.integration_id or "")
        if integration is None:  # a route with no integration attached
            return _copy(NOT_FOUND)
        if granted is not None:
            authorizer = granted.for_event(integration.payload_format_version)
            context = replace(context, extra={"authorizer": authorizer})
        event = _event(request, context, integration, key)
        caller = _caller(
            api.region, self._account_id, api.api_id, stage.name, request.method, key.text
        )
        return await self._invoke(api, stage, integration, encoded_event(event), caller)

    async def _invoke(
        self,
        api: ServedApi,
        stage: ServedStage,
        integration: Integration,
        payload: bytes,
        caller: ServicePrincipal,
    ) -> HttpResponse:
        where = f"HTTP API {api.api_id} stage {stage.name}"
        if len(payload) > LAMBDA_PAYLOAD_LIMIT:
            log.warning("%s: the event is larger than Lambda accepts", where)
            return _copy(INTERNAL_ERROR)
        arn, region = stage.functions[integration.integration_id]
        # API Gateway may integrate a function of another region: look it up where it lives.
        region = region or api.region
        try:
            target = self._resolver.resolve(region, arn, None)
        except ServiceError as exc:
            log.warning("%s: %s", where, exc.message)
            return _copy(INTERNAL_ERROR)
        refusal = self._permissions.refusal(target, caller)
        if refusal is not None:
            log.warning("%s: %s", where, refusal)
            return _copy(INTERNAL_ERROR)
        if target.function.timeout + INIT_LIMIT_S < integration.timeout_ms / 1000:
            # The function's own timeout (and the init limit) end it first: no watch needed.
            invocation = self._engine.invoke(target, payload)
            return await self._result_of(invocation, integration, where)
        invocation = asyncio.ensure_future(self._engine.invoke(target, payload))
        done, _ = await asyncio.wait({invocation}, timeout=integration.timeout_ms / 1000)
        if not done:
            # The function runs on, as on AWS; the client is told the integration timed out.
            self._overdue.add(invocation)
            invocation.add_done_callback(_forgotten(self._overdue))
            return _message(503, "Service Unavailable")
        return await self._result_of(invocation, integration, where)

    async def _result_of(
        self, invocation: Awaitable[InvokeResult], integration: Integration, where: str
    ) -> HttpResponse:
        try:
            result = await invocation
        except ServiceError as exc:  # a throttle, or a failure to start the function
            log.warning("%s: %s", where, exc.message)
            return _copy(INTERNAL_ERROR)
        return self._response(result, integration, where)

    def _response(self, result: InvokeResult, integration: Integration, where: str) -> HttpResponse:
        parse = response_v1 if integration.payload_format_version == "1.0" else response_v2
        response = function_response(self._engine, result, parse, where)
        return _copy(INTERNAL_ERROR) if response is None else response


def _event(
    request: HttpRequest, context: EventContext, integration: Integration, key: RouteKey
) -> dict:
    if integration.payload_format_version == "1.0":
        resource = key.text if key.is_default else key.text.partition(" ")[2]
        return event_v1(request, context, resource)
    return event_v2(request, context)


@lru_cache(maxsize=4096)  # the same few routes are called over and over
def _caller(
    region: str, account_id: str, api_id: str, stage: str, method: str, route_key: str
) -> ServicePrincipal:
    """API Gateway as the function's policy sees it: `aws:SourceArn` is the route's
    execute-api ARN, `arn:aws:execute-api:REGION:ACCOUNT:api-id/stage/METHOD/path` with the
    route's path as written (`/items/{id}`), or `api-id/stage/$default` for `$default`; the
    ARNs that `aws lambda add-permission --source-arn .../*/*/items/{id}` matches."""
    path = route_key.partition(" ")[2]
    route = f"{method}/{path.lstrip('/')}" if path else route_key  # `$default` has no path
    arn = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{route}"
    return ServicePrincipal(PRINCIPAL, arn, account_id)


def _stage_of(
    api: ServedApi, mapped: Route | None, raw_path: str
) -> tuple[ServedStage, str] | None:
    """The stage and the path within it: the API mapping's stage and the path after its key
    on a custom domain, else the stage the path names."""
    if mapped is None:
        return api.stage_for(raw_path)
    stage = api.stages.get(mapped.stage)
    return (stage, mapped.rest) if stage is not None else None


def _is_preflight(method: str, headers: dict[str, str]) -> bool:
    asks = "origin" in headers and "access-control-request-method" in headers
    return method == "OPTIONS" and asks


def _head_size(request: HttpRequest) -> int:
    """The request line and header values, as the HTTP API quota counts them."""
    line = len(request.method) + len(request.raw_path) + len(request.raw_query) + 10
    return line + sum(len(value) for _, value in request.headers)


def _copy(response: HttpResponse) -> HttpResponse:
    """A response of our own to add headers to (the shared constants stay as they are)."""
    return HttpResponse(response.status, list(response.headers), response.body)


def _forgotten(tasks: set[asyncio.Task]) -> Callable[[asyncio.Task], None]:
    def forget(task: asyncio.Task) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("an HTTP API invocation that timed out failed: %s", task.exception())

    return forget
