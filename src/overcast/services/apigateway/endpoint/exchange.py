"""One request on its way through a REST API stage: what every step reads (the request, the
stage, the route) and what earlier steps found for later ones (the API key, the authorizer's
principal and context, an AWS_IAM caller)."""

from __future__ import annotations

from dataclasses import dataclass, field

from overcast.http.integration.mapping import TemplateData
from overcast.http.payload_v2 import HttpRequest
from overcast.services.apigateway.deployed import DeployedStage
from overcast.services.apigateway.endpoint.proxy_event import (
    RequestScope,
    query_pairs,
    request_context,
)
from overcast.services.apigateway.endpoint.routes import Route


@dataclass
class Exchange:
    request: HttpRequest
    stage: DeployedStage
    route: Route
    scope: RequestScope
    api_key: dict | None = None  # the ApiKey the request's x-api-key named
    extra: dict = field(default_factory=dict)

    @property
    def integration(self) -> dict:
        return self.route.method.get("methodIntegration") or {}

    @property
    def http_method(self) -> str:
        return self.request.method

    @property
    def variables(self) -> dict[str, str]:
        return self.scope.stage_variables

    def params(self) -> dict[str, dict[str, str]]:
        """The request's parameters as `$input.params()` and `method.request.*` read them:
        a repeated name's last value."""
        return {
            "path": dict(self.scope.path_parameters),
            "querystring": dict(query_pairs(self.request.raw_query)),
            "header": dict(self.request.headers),
        }

    def template_data(self, body: bytes | None = None) -> TemplateData:
        context = request_context(self.request, self.scope)
        context.setdefault("authorizer", {})
        return TemplateData(
            self.request.body if body is None else body,
            self.params(),
            context,
            dict(self.scope.stage_variables),
        )

    def method_parameter(self, source: str) -> str | None:
        """A `method.request.{header,querystring,path}.NAME` value, a `'static'` one or a
        `stageVariables.NAME`; None if the request has none."""
        if len(source) >= 2 and source[0] == source[-1] == "'":
            return source[1:-1]
        if source.startswith("stageVariables."):
            return self.variables.get(source[len("stageVariables.") :])
        if source.startswith("context.authorizer."):
            return _text((self.scope.authorizer or {}).get(source[len("context.authorizer.") :]))
        prefix, _, name = source.rpartition(".")
        kind = {
            "method.request.header": "header",
            "method.request.querystring": "querystring",
            "method.request.path": "path",
        }.get(prefix)
        if kind is None:
            return None
        values = self.params()[kind]
        return values.get(name.lower() if kind == "header" else name)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
