"""Non-proxy integrations' two mappings as a REST API runs them (REST API Developer Guide,
"Data transformations"), on the shared machinery of http/integration/mapping.py:

- the integration request: the method request's body through the request template chosen
  by its Content-Type (application/json when it has none), or passed through as
  passthroughBehavior says (NEVER, or WHEN_NO_TEMPLATES with templates: 415);
- the method response: the integration response whose selectionPattern matches the backend's
  answer (its status code for HTTP, MOCK and AWS services; a Lambda function's errorMessage),
  else the one without a pattern; its status, its responseParameters
  (`method.response.header.X`) and its response template (else the backend's body as is).
  No response fits: 500, API Gateway's configuration error.
"""

from __future__ import annotations

from overcast.http.integration.mapping import (
    BackendAnswer,
    IntegrationRequest,
    map_request,
    media_type,
    render_template,
    request_template,
    select_pattern,
)
from overcast.http.payload_v2 import HttpResponse
from overcast.services.apigateway.endpoint.exchange import Exchange
from overcast.services.apigateway.errors import ConfigurationError

JSON = "application/json"
RESPONSE_HEADER = "method.response.header."


def integration_request(exchange: Exchange) -> IntegrationRequest:
    integration = exchange.integration
    content_type = media_type(exchange.request.header_map.get("content-type")) or JSON
    template = request_template(
        integration.get("requestTemplates") or {},
        content_type,
        integration.get("passthroughBehavior"),
    )
    if template is None:
        return IntegrationRequest(exchange.request.body)
    return map_request(template, exchange.template_data())


def method_response(exchange: Exchange, answer: BackendAnswer) -> HttpResponse:
    responses = exchange.integration.get("integrationResponses") or {}
    chosen = choose_response(list(responses.values()), answer.selector)
    if chosen is None:
        raise ConfigurationError()
    status = int(chosen["statusCode"])
    headers: dict[str, str] = {}
    for name, source in (chosen.get("responseParameters") or {}).items():
        if name.startswith(RESPONSE_HEADER):
            value = _response_value(source, exchange, answer)
            if value is not None:
                headers[name[len(RESPONSE_HEADER) :].lower()] = value
    templates = chosen.get("responseTemplates") or {}
    accept = media_type(exchange.request.header_map.get("accept", "").split(",")[0])
    wanted = accept if accept in templates else JSON
    template = templates.get(wanted)
    if template is None and templates and wanted != JSON:
        template = next(iter(templates.values()))
    body = answer.body
    if template is not None and template != "":
        data = exchange.template_data(answer.body)
        rendered = render_template(template, data)
        body = rendered.text.encode()
        if "status" in rendered.overrides:
            status = rendered.overrides["status"]
        for name, value in (rendered.overrides.get("header") or {}).items():
            headers[name.lower()] = value if isinstance(value, str) else ",".join(value)
    elif template == "":
        body = b""
    headers.setdefault("content-type", wanted if template is not None else JSON)
    return HttpResponse(status, list(headers.items()), body)


def choose_response(responses: list[dict], selector: str | None) -> dict | None:
    """The response whose pattern matches `selector` (the whole of it), else the default."""
    patterned = [r for r in responses if r.get("selectionPattern")]
    if patterned and selector is not None:
        matched = select_pattern([r["selectionPattern"] for r in patterned], selector)
        if matched is not None:
            return next(r for r in patterned if r["selectionPattern"] == matched)
    return next((r for r in responses if not r.get("selectionPattern")), None)


def _response_value(source: str, exchange: Exchange, answer: BackendAnswer) -> str | None:
    if source.startswith("integration.response.header."):
        return answer.headers.get(source[len("integration.response.header.") :].lower())
    return exchange.method_parameter(source)
