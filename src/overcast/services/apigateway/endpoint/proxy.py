"""Lambda proxy integrations (AWS_PROXY): the request as a payload 1.0 event, the function's
answer as the response (REST API Developer Guide, "Output format of a Lambda function for
proxy integration"). A function that fails, or answers no object with a valid statusCode, is
502 `{"message": "Internal server error"}`.

Binary bodies: a response with `isBase64Encoded` is decoded only when the request's Accept
(or the response's Content-Type) is one of the API's binaryMediaTypes; otherwise its base64
text is sent as it is, as API Gateway does.
"""

from __future__ import annotations

import base64
import json

from overcast.http.front_door import function_response
from overcast.http.payload_v1 import response_v1
from overcast.http.payload_v2 import HttpResponse, encoded_event
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.endpoint.functions import (
    FunctionCalls,
    function_of,
    method_caller,
)
from overcast.services.apigateway.endpoint.proxy_event import is_binary, proxy_event
from overcast.services.apigateway.errors import ConfigurationError, IntegrationError


def method_caller_of(exchange: Exchange):
    scope = exchange.scope
    return method_caller(
        exchange.stage.region,
        scope.account_id,
        scope.api_id,
        scope.stage,
        exchange.http_method,
        scope.resource_path,
    )


def where(exchange: Exchange) -> str:
    scope = exchange.scope
    return (
        f"REST API {scope.api_id} stage {scope.stage} {exchange.http_method} {scope.resource_path}"
    )


async def lambda_proxy(functions: FunctionCalls, exchange: Exchange) -> HttpResponse:
    integration = exchange.integration
    function = function_of(integration.get("uri", ""), exchange.variables)
    if function is None:
        raise ConfigurationError()
    binary_types = exchange.stage.api.get("binaryMediaTypes") or []
    event = proxy_event(exchange.request, exchange.scope, binary_types)
    result = await functions.invoke(
        function,
        encoded_event(event),
        method_caller_of(exchange),
        integration.get("timeoutInMillis") or 29000,
        where(exchange),
    )
    response = function_response(functions.engine, result, response_v1, where(exchange))
    if response is None:
        raise IntegrationError()
    if b'"isBase64Encoded"' in result.payload:
        response = _binary_or_text(response, exchange, binary_types, result.payload)
    return response


def _binary_or_text(
    response: HttpResponse, exchange: Exchange, binary_types: list[str], payload: bytes
) -> HttpResponse:
    try:
        encoded = bool(json.loads(payload).get("isBase64Encoded"))
    except (ValueError, AttributeError):
        return response
    if not encoded:
        return response
    accept = exchange.request.header_map.get("accept", "").split(",")[0]
    content_type = next((v for n, v in response.headers if n == "content-type"), "")
    if is_binary(accept, binary_types) or is_binary(content_type, binary_types):
        return response
    return HttpResponse(response.status, response.headers, base64.b64encode(response.body))
