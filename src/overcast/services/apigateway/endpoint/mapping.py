"""Mapping templates as the data plane runs them: a template's input (the request's body,
parameters and `$context`) and its rendering through templates/ (Velocity, as API Gateway
runs it); a template that fails is API Gateway's 500 configuration error."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from overcast.services.apigateway import templates
from overcast.services.apigateway.errors import ConfigurationError

log = logging.getLogger(__name__)


@dataclass
class TemplateData:
    body: bytes = b""
    # {"path": {...}, "querystring": {...}, "header": {...}}: a repeated name's last value
    params: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"path": {}, "querystring": {}, "header": {}}
    )
    context: dict = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)


def render_template(template: str, data: TemplateData) -> templates.Rendered:
    """The rendered template (text and overrides); raises ConfigurationError if it fails."""
    try:
        return templates.render(
            template,
            templates.TemplateInput(data.body, data.params, data.context, data.stage_variables),
        )
    except templates.TemplateError as exc:
        log.warning("a mapping template failed: %s", exc)
        raise ConfigurationError() from None


def select_pattern(patterns: list[str], text: str) -> str | None:
    return templates.select_pattern(patterns, text)
