"""A method's integration, by its type: AWS_PROXY (proxy.py), HTTP_PROXY and HTTP
(http_backend.py), MOCK, AWS (a Lambda function without the proxy, or another AWS service's
action: service_actions.py); the non-proxy ones through the mappings of non_proxy.py."""

from __future__ import annotations

import json
import re

from overcast.http.payload_v2 import HttpResponse
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.functions import FunctionCalls, function_of
from overcast.services.apigateway.endpoint.http_backend import HOP_BY_HOP, outgoing, send
from overcast.services.apigateway.endpoint.non_proxy import (
    BackendAnswer,
    IntegrationRequest,
    integration_request,
    method_response,
)
from overcast.services.apigateway.endpoint.proxy import lambda_proxy, method_caller_of, where
from overcast.services.apigateway.errors import ConfigurationError

DEFAULT_TIMEOUT_MS = 29000


class Integrations:
    def __init__(self, functions: FunctionCalls, services=None) -> None:
        self.functions = functions
        self.services = services  # AWS service actions (service_actions.ServiceActions)

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
            answer = BackendAnswer(mock_status(mapped.body, exchange))
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
            return await self.services.call(exchange, mapped, timeout_ms)
        result = await self.functions.invoke(
            function, mapped.body, method_caller_of(exchange), timeout_ms, where(exchange)
        )
        if result.function_error:
            # Selection patterns are matched against the error's errorMessage.
            return BackendAnswer(_error_message(result.payload), result.payload)
        return BackendAnswer(None, result.payload)


_LENIENT_STATUS = re.compile(r"""["']?statusCode["']?\s*:\s*["']?(\d{3})""")


def mock_status(body: bytes, exchange: Exchange) -> str:
    """The status a MOCK integration answers: its request template's `statusCode`."""
    if not exchange.integration.get("requestTemplates"):
        return "200"
    try:
        status = json.loads(body or b"{}").get("statusCode", 200)
    except (ValueError, AttributeError):
        # API Gateway reads the key from a template that is not strict JSON too: the
        # Serverless Framework's CORS preflight sends `{statusCode:200}` (unquoted key).
        lenient = _LENIENT_STATUS.search(body.decode("utf-8", "replace"))
        if lenient is None:
            raise ConfigurationError() from None
        status = lenient.group(1)
    return str(status)


def _error_message(payload: bytes) -> str:
    try:
        message = json.loads(payload).get("errorMessage")
    except (ValueError, AttributeError):
        return ""
    return message if isinstance(message, str) else json.dumps(message)
