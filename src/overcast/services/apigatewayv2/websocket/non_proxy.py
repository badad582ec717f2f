"""A WebSocket route's non-proxy integrations, as API Gateway runs them (WebSocket API guide,
"Integrations", "Data transformations"): AWS (a Lambda function, or an AWS service's action
called as the integration's CredentialsArn role), HTTP, and MOCK take the message through
the request template its TemplateSelectionExpression picks (or pass it through, as
PassthroughBehavior says); the backend's answer picks an integration response by its key
(selection.py), whose response template (picked by its own TemplateSelectionExpression)
makes what a two-way route sends the client. HTTP_PROXY sends the message as it is and
passes the endpoint's answer back. ContentHandlingStrategy converts a binary message to
base64 text (CONVERT_TO_TEXT) or base64 text to bytes (CONVERT_TO_BINARY), on either side.

An HTTP or HTTP_PROXY integration's RequestParameters map the message's JSON fields, the
`$connect` request's headers and query string, stage and context variables and static values
into its request's headers, query string and path (parameters.py).

Templates see WebSocket's `$context` (the proxy event's requestContext: connectionId,
routeKey, eventType, requestId, domainName, stage, apiId, connectedAt, messageId, identity,
authorizer...), `$input` over the message (and, on `$connect`, the handshake's headers and
query string as `$input.params()`), and `$stageVariables`.
"""

from __future__ import annotations

import base64
import binascii
import logging
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from overcast.http.integration.errors import BadConfiguration
from overcast.http.integration.http_send import Outgoing, Reply, is_http_url, send
from overcast.http.integration.mapping import (
    BackendAnswer,
    TemplateData,
    error_message,
    map_request,
    mock_status,
    render_template,
    request_template,
)
from overcast.http.integration.service_actions import ServiceActions
from overcast.http.lambda_uri import with_stage_variables
from overcast.services.apigatewayv2.model.http_api import (
    Integration,
    IntegrationResponse,
)
from overcast.services.apigatewayv2.websocket import selection
from overcast.services.apigatewayv2.websocket.parameters import MappedParameters, mapped_parameters
from overcast.types import InvokeResult

log = logging.getLogger(__name__)
JSON = "application/json"
# Invokes a Lambda function (ARN, region) with a payload; None when it could not be had.
FunctionInvoker = Callable[[tuple[str, str | None], bytes], Awaitable[InvokeResult | None]]


@dataclass(frozen=True)
class Mapped:
    """What a non-proxy integration gives back: the status of the backend's answer, and
    what a two-way route sends (None: nothing)."""

    status: int
    reply: bytes | None


@dataclass(frozen=True)
class Call:
    """One message (or `$connect`/`$disconnect`) on its way to a non-proxy integration."""

    integration: Integration
    responses: tuple[IntegrationResponse, ...]
    event: dict  # the proxy event API Gateway would send: body, headers, requestContext
    variables: dict[str, str]  # the stage's
    function: tuple[str, str | None]  # the AWS integration's Lambda function, ("", None) if none
    where: str  # for the logs

    @property
    def extra(self) -> dict:
        return self.integration.extra

    def body(self) -> bytes:
        body = self.event.get("body")
        if body is None:
            return b""
        if self.event.get("isBase64Encoded"):
            return base64.b64decode(body)
        return body.encode()

    def template_data(self, body: bytes) -> TemplateData:
        return TemplateData(
            body,
            {
                "path": {},
                "querystring": dict(self.event.get("queryStringParameters") or {}),
                "header": dict(self.event.get("headers") or {}),
            },
            dict(self.event.get("requestContext") or {}),
            dict(self.variables),
        )


class NonProxyIntegrations:
    def __init__(self, invoke: FunctionInvoker, services: ServiceActions | None) -> None:
        self._invoke = invoke
        self._services = services

    async def answer(self, call: Call) -> Mapped | None:
        """The mapped answer; None when the integration failed (the client is told so).
        Raises IntegrationProblem (http/integration/errors.py) when it cannot run."""
        kind = call.integration.integration_type
        message = call.body()
        if kind == "HTTP_PROXY":
            reply = await self._send(call, message, [])
            return Mapped(reply.status, reply.body or None)
        key = selection.evaluate(
            call.extra.get("TemplateSelectionExpression"), selection.body_lookup(message)
        )
        templates = call.extra.get("RequestTemplates") or {}
        template = request_template(
            templates, key, call.extra.get("PassthroughBehavior"), selection.DEFAULT_KEY
        )
        binary = bool(call.event.get("isBase64Encoded"))
        converted = _converted(message, call.extra.get("ContentHandlingStrategy"), binary)
        mapped = map_request(template, call.template_data(converted))
        if kind == "MOCK":
            answer = BackendAnswer(mock_status(mapped.body, template is not None))
        elif kind == "HTTP":
            headers = list((mapped.overrides.get("header") or {}).items())
            reply = await self._send(call, mapped.body, headers)
            answer = BackendAnswer(str(reply.status), reply.body, dict(reply.headers))
        elif kind == "AWS":
            found = await self._aws(call, mapped.body)
            if found is None:
                return None
            answer = found
        else:
            raise BadConfiguration(f"integration type {kind} is not served")
        return self._response(call, message, answer)

    async def _aws(self, call: Call, body: bytes) -> BackendAnswer | None:
        if call.function[0]:
            result = await self._invoke(call.function, body)
            if result is None:
                return None
            if result.function_error:
                # Integration response keys are matched against the errorMessage.
                return BackendAnswer(error_message(result.payload), result.payload)
            return BackendAnswer(None, result.payload)
        if self._services is None:  # a test's own wiring, without other services
            raise BadConfiguration("no AWS services are wired here")
        uri = with_stage_variables(call.integration.integration_uri, call.variables)
        return await self._services.call(uri, call.extra.get("CredentialsArn"), body, call.where)

    async def _send(self, call: Call, body: bytes, headers: list[tuple[str, str]]) -> Reply:
        url = with_stage_variables(call.integration.integration_uri, call.variables)
        if not is_http_url(url):
            raise BadConfiguration(f"an HTTP integration's URI is no http(s) URL: {url!r}")
        method = call.extra.get("IntegrationMethod") or "POST"
        mapped = mapped_parameters(
            call.extra.get("RequestParameters") or {}, call.event, call.variables, call.body()
        )
        url = _with_parameters(url, mapped)
        sent = [("content-type", JSON), *mapped.headers, *headers]
        request = Outgoing(method, url, sent, body)
        return await send(request, call.integration.timeout_ms)

    def _response(self, call: Call, message: bytes, answer: BackendAnswer) -> Mapped:
        selector = answer.selector
        status = int(selector) if selector is not None and selector.isdigit() else 200
        chosen = selection.choose_response(call.responses, selector)
        if chosen is None:
            log.warning("%s: no integration response fits %r", call.where, selector)
            return Mapped(status, None)
        given = selection.body_lookup(message)

        def lookup(name: str) -> str | None:
            if name == "integration.response.statuscode":
                return str(status)
            if name.startswith(("integration.response.header.", "integration.response.multi")):
                return answer.headers.get(name.rpartition(".")[2].lower())
            return given(name)

        key = selection.evaluate(chosen.extra.get("TemplateSelectionExpression"), lookup)
        template = selection.choose_template(chosen.extra.get("ResponseTemplates") or {}, key)
        reply = answer.body
        if template:
            reply = render_template(template, call.template_data(answer.body)).text.encode()
        reply = _converted(reply, chosen.extra.get("ContentHandlingStrategy"))
        return Mapped(status, reply or None)


def _with_parameters(url: str, mapped: MappedParameters) -> str:
    """The integration's URL with its `{name}` path parameters filled and its mapped query
    string parameters added."""
    for name, value in mapped.path.items():
        url = url.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
    if mapped.query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(mapped.query)
    return url


def _converted(data: bytes, strategy: str | None, binary: bool | None = None) -> bytes:
    """`data` as ContentHandlingStrategy says; `binary`: whether it came as a binary frame
    (None: binary when it is no UTF-8 text, as a backend's answer is judged)."""
    if strategy == "CONVERT_TO_TEXT":
        if binary is None:
            binary = not _is_text(data)
        return base64.b64encode(data) if binary else data
    if strategy == "CONVERT_TO_BINARY":
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise BadConfiguration("CONVERT_TO_BINARY: the payload is no base64 text") from None
    return data


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
