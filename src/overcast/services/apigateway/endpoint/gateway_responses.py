"""What API Gateway answers when it refuses a request itself (errors.GatewayRefusal): the
stage's gateway response of the refusal's type, else the API's customised DEFAULT_4XX /
DEFAULT_5XX, else API Gateway's own (REST API Developer Guide, "Gateway responses in API
Gateway": an uncustomised type falls back to DEFAULT_4XX or DEFAULT_5XX).

A response's `responseParameters` set headers (`gatewayresponse.header.Name`) from a static
`'value'`, a request header, query parameter or path parameter
(`method.request.header.Origin`), or a stage variable; its `responseTemplates` word the body,
with `$context.error.message`, `messageString`, `responseType` and `validationErrorString`.
"""

from __future__ import annotations

import json
import logging

from overcast.http.integration.errors import IntegrationProblem
from overcast.http.integration.mapping import TemplateData, render_template
from overcast.http.payload_v2 import HttpRequest, HttpResponse
from overcast.services.apigateway.deployed import DeployedStage
from overcast.services.apigateway.endpoint.proxy_event import query_pairs
from overcast.services.apigateway.errors import GatewayRefusal
from overcast.services.apigateway.models import DEFAULT_TEMPLATES

log = logging.getLogger(__name__)
HEADER = "gatewayresponse.header."
JSON = "application/json"


def refusal_response(
    refusal: GatewayRefusal,
    stage: DeployedStage | None,
    request: HttpRequest | None = None,
    data: TemplateData | None = None,
) -> HttpResponse:
    """The response for `refusal`: `data` (the request's parameters and context) is what a
    customised template or parameter reads."""
    chosen = _chosen(refusal, stage)
    status = refusal.status
    if chosen is None or chosen.get("defaultResponse", True):
        return _default(refusal, status)
    if chosen.get("statusCode"):
        status = int(chosen["statusCode"])
    headers = [("content-type", JSON), ("x-amzn-errortype", refusal.error_type)]
    for name, source in (chosen.get("responseParameters") or {}).items():
        if name.startswith(HEADER):
            value = _parameter(source, request, stage)
            if value is not None:
                headers.append((name[len(HEADER) :].lower(), value))
    templates = chosen.get("responseTemplates") or {}
    # A customised response without templates keeps API Gateway's own body.
    template = templates.get(JSON, next(iter(templates.values()), DEFAULT_TEMPLATES[JSON]))
    if template == DEFAULT_TEMPLATES[JSON]:
        return HttpResponse(status, headers, _default_body(refusal))
    data = data or TemplateData(stage_variables=_variables(stage))
    data.context["error"] = error_context(refusal)
    try:
        rendered = render_template(template, data)
    except IntegrationProblem:  # a template that cannot be rendered: the default
        return HttpResponse(status, headers, _default_body(refusal))
    return HttpResponse(status, headers, rendered.text.encode())


def error_context(refusal: GatewayRefusal) -> dict:
    return {
        "message": refusal.message,
        "messageString": json.dumps(refusal.message),
        "responseType": refusal.response_type,
        "validationErrorString": refusal.message or "",
    }


def _chosen(refusal: GatewayRefusal, stage: DeployedStage | None) -> dict | None:
    if stage is None:
        return None
    own = stage.gateway_responses.get(refusal.response_type)
    if own is not None and not own.get("defaultResponse", True):
        return own
    family = "DEFAULT_5XX" if refusal.status >= 500 else "DEFAULT_4XX"
    return stage.gateway_responses.get(family)


def _default(refusal: GatewayRefusal, status: int) -> HttpResponse:
    headers = [("content-type", JSON), ("x-amzn-errortype", refusal.error_type)]
    return HttpResponse(status, headers, _default_body(refusal))


def _default_body(refusal: GatewayRefusal) -> bytes:
    return json.dumps({refusal.message_key: refusal.message}).encode()


def _variables(stage: DeployedStage | None) -> dict[str, str]:
    return dict(stage.stage.get("variables") or {}) if stage is not None else {}


def _parameter(source: str, request: HttpRequest | None, stage: DeployedStage | None) -> str | None:
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    if source.startswith("stageVariables."):
        return _variables(stage).get(source[len("stageVariables.") :])
    if request is None:
        return None
    if source.startswith("method.request.header."):
        wanted = source[len("method.request.header.") :].lower()
        return request.header_map.get(wanted)
    if source.startswith("method.request.querystring."):
        wanted = source[len("method.request.querystring.") :]
        values = [v for k, v in query_pairs(request.raw_query) if k == wanted]
        return values[-1] if values else None
    return None
