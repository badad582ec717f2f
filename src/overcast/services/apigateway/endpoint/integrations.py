"""A method's integration, by its type: AWS_PROXY (proxy.py), HTTP_PROXY and HTTP
(http_backend.py), MOCK, AWS (a Lambda function without the proxy, or another AWS service's
action: http/integration/service_actions.py); the non-proxy ones through the mappings of
non_proxy.py. What the shared integration code raises (http/integration/errors.py) the door
answers as REST APIs do (errors.refusal_of)."""

from __future__ import annotations

from overcast.http.integration.http_send import HOP_BY_HOP, send
from overcast.http.integration.mapping import (
    BackendAnswer,
    IntegrationRequest,
    error_message,
    mock_status,
)
from overcast.http.integration.service_actions import ServiceActions
from overcast.http.lambda_uri import with_stage_variables
from overcast.http.payload_v2 import HttpResponse
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.functions import (
    FunctionCalls,
    function_of,
)
from overcast.services.apigateway.endpoint.http_backend import outgoing
from overcast.services.apigateway.endpoint.non_proxy import integration_request, method_response
from overcast.services.apigateway.endpoint.proxy import lambda_proxy, method_caller_of, where
from overcast.services.apigateway.errors import ConfigurationError

DEFAULT_TIMEOUT_MS = 29000


class Integrations:
    def __init__(self, functions: FunctionCalls, services: ServiceActions | None = None) -> None:
        self.functions = functions
        self.services = services  # AWS service actions

    async def answer(self, exchange: Exchange) -> HttpResponse:
        integration = exchange.integration
        kind = integration.get("type")
        timeout_ms = integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS
        if kind == "AWS_PROXY":
            return await lambda_proxy(self.functions, exchange)
        if kind == "HTTP_PROXY":
            reply = await send(outgoing(exchange, exchange.request.body, {}, True), timeout_ms)
            headers = [(n, v) for n, v in reply.headers if n not in HOP_BY_HOP]
            return HttpResponse(reply.status, headers, reply.body)
        mapped = integration_request(exchange)
        if kind == "MOCK":
            templated = bool(integration.get("requestTemplates"))
            answer = BackendAnswer(mock_status(mapped.body, templated))
        elif kind == "HTTP":
            sent = outgoing(exchange, mapped.body, mapped.overrides, False)
            reply = await send(sent, timeout_ms)
            answer = BackendAnswer(str(reply.status), reply.body, dict(reply.headers))
        elif kind == "AWS":
            answer = await self._aws(exchange, mapped, timeout_ms)
        else:
            raise ConfigurationError()
        return method_response(exchange, answer)

    async def _aws(
        self, exchange: Exchange, mapped: IntegrationRequest, timeout_ms: int
    ) -> BackendAnswer:
        uri = exchange.integration.get("uri", "")
        function = function_of(uri, exchange.variables) if ":lambda:path/" in uri else None
        if function is None:
            if self.services is None:  # a test's own wiring, without other services
                raise ConfigurationError()
            uri = with_stage_variables(uri, exchange.variables)
            credentials = exchange.integration.get("credentials")
            api = f"REST API {exchange.scope.api_id}"
            return await self.services.call(uri, credentials, mapped.body, api)
        result = await self.functions.invoke(
            function, mapped.body, method_caller_of(exchange), timeout_ms, where(exchange)
        )
        if result.function_error:
            # Selection patterns are matched against the error's errorMessage.
            return BackendAnswer(error_message(result.payload), result.payload)
        return BackendAnswer(None, result.payload)
