"""A WebSocket route's integration, invoked: a Lambda proxy (the route's function, with the
WebSocket event, as API Gateway itself: `apigateway.amazonaws.com` with the route's
execute-api ARN, `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/ROUTE-KEY`, as its source),
or a non-proxy one (AWS, HTTP, HTTP_PROXY, MOCK: non_proxy.py). A MOCK without request
templates or integration responses answers 200 and nothing else.

The outcome is what the front door needs of the answer: whether it failed (an error, a
throttle, a refused permission, a timeout: the client is told "Internal server error"), the
proxy response's statusCode and headers (`$connect`), and what a two-way route sends back.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass, field

from overcast.aws.errors import ServiceError
from overcast.http.integration.errors import IntegrationProblem
from overcast.http.integration.service_actions import ServiceActions
from overcast.services.apigatewayv2.model.http_api import Route
from overcast.services.apigatewayv2.model.websocket_api import ServedSocketApi, ServedSocketStage
from overcast.services.apigatewayv2.websocket.non_proxy import Call, NonProxyIntegrations
from overcast.types import InvokePermissions, Invoker, InvokeResult, Resolver, ServicePrincipal

log = logging.getLogger(__name__)

PRINCIPAL = "apigateway.amazonaws.com"
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    failed: bool = False
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes | None = None  # the proxy response's body, decoded
    reply: bytes | None = None  # what a two-way route sends the client

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


FAILED = Outcome(failed=True, status=502)


@dataclass(frozen=True)
class FunctionCall:
    """A function API Gateway invokes: its ARN and region, the execute-api ARN its resource
    policy sees as `aws:SourceArn`, and how long API Gateway waits for it."""

    arn: str
    region: str
    source: str
    timeout_s: float


MOCKED = Outcome()


class SocketIntegrations:
    def __init__(
        self,
        resolver: Resolver,
        engine: Invoker,
        permissions: InvokePermissions,
        account_id: str,
        services: ServiceActions | None = None,
    ) -> None:
        self._resolver = resolver
        self._engine = engine
        self._permissions = permissions
        self._account_id = account_id
        self._overdue: set[asyncio.Future] = set()
        self._services = services

    async def call(
        self, api: ServedSocketApi, stage: ServedSocketStage, route: Route, event: dict
    ) -> Outcome:
        integration = stage.integrations.get(route.integration_id or "")
        where = f"WebSocket API {api.api_id} stage {stage.name} route {route.route_key}"
        if integration is None:
            log.warning("%s: no integration", where)
            return FAILED
        source = (
            f"arn:aws:execute-api:{api.region}:{self._account_id}:{api.api_id}/"
            f"{stage.name}/{route.route_key}"
        )
        timeout_s = integration.timeout_ms / 1000

        async def invoke(function: tuple[str, str | None], payload: bytes | dict):
            call = FunctionCall(function[0], function[1] or api.region, source, timeout_s)
            return await self.invoke(call, payload, where)

        if integration.integration_type != "AWS_PROXY":
            return await self._non_proxy(stage, route, event, invoke, where)
        result = await invoke(stage.functions[integration.integration_id], event)
        if result is None:
            return FAILED
        return _outcome(result)

    async def _non_proxy(
        self, stage: ServedSocketStage, route: Route, event: dict, invoke, where: str
    ) -> Outcome:
        integration = stage.integrations[route.integration_id or ""]
        integration_id = integration.integration_id
        responses = stage.responses.get(integration_id, ())
        if (
            integration.integration_type == "MOCK"
            and not responses
            and not (integration.extra.get("RequestTemplates"))
        ):
            return MOCKED
        call = Call(
            integration, responses, event, stage.variables, stage.functions[integration_id], where
        )
        try:
            mapped = await NonProxyIntegrations(invoke, self._services).answer(call)
        except IntegrationProblem as problem:
            log.warning("%s: %s", where, problem)
            return FAILED
        if mapped is None:
            return FAILED
        return Outcome(status=mapped.status, reply=mapped.reply)

    async def invoke(
        self, call: FunctionCall, event: dict | bytes, where: str
    ) -> InvokeResult | None:
        """The function's answer to `event` (a payload already encoded, or an event to
        encode as JSON); None when it could not be had (the event too large, the function
        missing or not letting API Gateway invoke it for `call.source`, a throttle, a
        timeout: each logged under `where`)."""
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        if len(payload) > LAMBDA_PAYLOAD_LIMIT:
            log.warning("%s: the event is larger than Lambda accepts", where)
            return None
        try:
            target = self._resolver.resolve(call.region, call.arn, None)
        except ServiceError as exc:
            log.warning("%s: %s", where, exc.message)
            return None
        caller = ServicePrincipal(PRINCIPAL, call.source, self._account_id)
        refusal = self._permissions.refusal(target, caller)
        if refusal is not None:
            log.warning("%s: %s", where, refusal)
            return None
        invocation = asyncio.ensure_future(self._engine.invoke(target, payload))
        done, _ = await asyncio.wait({invocation}, timeout=call.timeout_s)
        if not done:  # the function runs on, as on AWS; the client is told it failed
            self._overdue.add(invocation)
            invocation.add_done_callback(self._overdue.discard)
            log.warning("%s: the function timed out", where)
            return None
        try:
            return invocation.result()
        except ServiceError as exc:
            log.warning("%s: %s", where, exc.message)
            return None


def _outcome(result: InvokeResult) -> Outcome:
    if result.function_error:
        return FAILED
    try:
        answer = json.loads(result.payload) if result.payload else None
    except ValueError:
        return Outcome(reply=result.payload or None)
    if not isinstance(answer, dict) or not ("statusCode" in answer or "body" in answer):
        # Not a proxy response: a two-way route sends the answer as the function gave it.
        return Outcome(reply=None if answer is None else result.payload)
    body = answer.get("body")
    data = _body_bytes(body, bool(answer.get("isBase64Encoded")))
    headers = answer.get("headers") if isinstance(answer.get("headers"), dict) else {}
    status = answer.get("statusCode", 200)
    try:
        status = int(status)
    except (TypeError, ValueError):
        return FAILED
    if not 100 <= status <= 599:
        return FAILED
    return Outcome(
        status=status,
        headers={str(k).lower(): str(v) for k, v in headers.items()},
        body=data,
        reply=data,
    )


def _body_bytes(body: object, encoded: bool) -> bytes | None:
    if body is None:
        return None
    text = body if isinstance(body, str) else json.dumps(body)
    if encoded:
        try:
            return base64.b64decode(text, validate=True)
        except ValueError:
            return text.encode()
    return text.encode()
