"""The mappings of a non-proxy integration, as REST and WebSocket APIs share them (REST API
Developer Guide, "Data transformations"; WebSocket API guide, "Data transformations"):

- a request template is chosen by a key (a REST API's Content-Type; a WebSocket API's
  TemplateSelectionExpression) and the body is rendered through it, or passed through as
  PassthroughBehavior says (WHEN_NO_MATCH: passed when no template fits; WHEN_NO_TEMPLATES:
  only when none is defined; NEVER: never);
- the backend's answer is reduced to a selector (an HTTP status code, a Lambda function's
  errorMessage) that picks the integration response by its pattern, else the default one.

A template that fails is a BadConfiguration (errors.py); the door words it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from overcast.http import templates
from overcast.http.integration.errors import BadConfiguration, NoTemplateMatch

log = logging.getLogger(__name__)
WHEN_NO_MATCH = "WHEN_NO_MATCH"


@dataclass
class TemplateData:
    body: bytes = b""
    # {"path": {...}, "querystring": {...}, "header": {...}}: a repeated name's last value
    params: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"path": {}, "querystring": {}, "header": {}}
    )
    context: dict = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)


@dataclass
class IntegrationRequest:
    body: bytes
    overrides: dict = field(default_factory=dict)  # $context.requestOverride


@dataclass
class BackendAnswer:
    """What the backend answered, before the integration response maps it."""

    # what selection patterns are matched against; None: a Lambda function that did not
    # fail, answered by the default response
    selector: str | None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


def render_template(template: str, data: TemplateData) -> templates.Rendered:
    """The rendered template (text and overrides); raises BadConfiguration if it fails."""
    try:
        return templates.render(
            template,
            templates.TemplateInput(data.body, data.params, data.context, data.stage_variables),
        )
    except templates.TemplateError as exc:
        log.warning("a mapping template failed: %s", exc)
        raise BadConfiguration(exc.message) from None


def request_template(
    given: dict[str, str], key: str, behaviour: str | None, fallback: str | None = None
) -> str | None:
    """The request template for `key` (else the one for `fallback`, when given); None when
    the body passes through untouched; raises NoTemplateMatch when passthrough behaviour
    forbids that."""
    template = given.get(key)
    if template is None and fallback is not None:
        template = given.get(fallback)
    if template is not None:
        return template
    behaviour = behaviour or WHEN_NO_MATCH
    if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and given):
        raise NoTemplateMatch(f"no request template for {key!r}")
    return None


def map_request(template: str | None, data: TemplateData) -> IntegrationRequest:
    """The integration request: `data.body` through `template`, or as it is (None)."""
    if template is None:
        return IntegrationRequest(data.body)
    rendered = render_template(template, data)
    return IntegrationRequest(rendered.text.encode(), rendered.overrides)


def select_pattern(patterns: list[str], text: str) -> str | None:
    """The first of `patterns` (Java regular expressions) matching all of `text`."""
    return templates.select_pattern(patterns, text)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


_LENIENT_STATUS = re.compile(r"""["']?statusCode["']?\s*:\s*["']?(\d{3})""")


def mock_status(body: bytes, templated: bool) -> str:
    """The status a MOCK integration answers: its request template's `statusCode` (200
    when the integration has no request template, or its output names none)."""
    if not templated:
        return "200"
    try:
        status = json.loads(body or b"{}").get("statusCode", 200)
    except (ValueError, AttributeError):
        # API Gateway reads the key from a template that is not strict JSON too: the
        # Serverless Framework's CORS preflight sends `{statusCode:200}` (unquoted key).
        lenient = _LENIENT_STATUS.search(body.decode("utf-8", "replace"))
        if lenient is None:
            raise BadConfiguration("a MOCK integration's template gives no statusCode") from None
        status = lenient.group(1)
    return str(status)


def error_message(payload: bytes) -> str:
    """A Lambda function error's `errorMessage`: what selection patterns are matched
    against for a Lambda (non-proxy) integration."""
    try:
        message = json.loads(payload).get("errorMessage")
    except (ValueError, AttributeError):
        return ""
    return message if isinstance(message, str) else json.dumps(message)
