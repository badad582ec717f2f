"""The selection expressions of a WebSocket API's non-proxy integration (WebSocket API guide,
"Selection expressions"): which request template, which integration response, which
response template.

- A template selection expression is text with variables: `$name` or `${name}` where name
  is `request.body.<json path>` (of the client's message) or, for a response template,
  `integration.response.statuscode` / `integration.response.header.<name>`; `\\$` is a
  literal dollar sign, so `\\$default` evaluates to the catch-all key `$default`. A variable
  with no value is empty. "$default is supported as a catch-all": a key with no template
  falls back to the `$default` template.
- An integration response key is `$default` or a pattern wrapped in slashes (`/4\\d{2}/`),
  matched against the whole of the backend's status code, or a Lambda function's
  errorMessage; `$default` answers what no pattern matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from overcast.http.templates import select_pattern
from overcast.services.apigatewayv2.model.http_api import IntegrationResponse

DEFAULT_KEY = "$default"
_ESCAPED = "\x00"
_VARIABLE = re.compile(r"\$\{([^}]*)\}|\$([A-Za-z][A-Za-z0-9_.-]*)")


def evaluate(expression: str | None, lookup: Callable[[str], str | None]) -> str:
    """The key `expression` gives: its variables filled by `lookup` (None: empty); no
    expression gives `$default`.

    >>> evaluate("\\\\$default", lambda name: None)
    '$default'
    >>> evaluate("${request.body.action}-v1", {"request.body.action": "join"}.get)
    'join-v1'
    """
    if not expression:
        return DEFAULT_KEY
    text = expression.replace("\\$", _ESCAPED)
    filled = _VARIABLE.sub(lambda found: lookup(found[1] or found[2]) or "", text)
    return filled.replace(_ESCAPED, "$")


def body_lookup(body: bytes) -> Callable[[str], str | None]:
    """`request.body.a.b` of a JSON message (None for anything else)."""
    document: object = None
    try:
        document = json.loads(body) if body else None
    except (ValueError, RecursionError):
        pass

    def lookup(name: str) -> str | None:
        if not name.startswith("request.body."):
            return None
        found = document
        for part in name[len("request.body.") :].split("."):
            if not isinstance(found, dict) or part not in found:
                return None
            found = found[part]
        if found is None or isinstance(found, (dict, list)):
            return None if found is None else json.dumps(found)
        return found if isinstance(found, str) else json.dumps(found)

    return lookup


def choose_template(templates: dict[str, str], key: str) -> str | None:
    """The template for `key`, else the `$default` one."""
    found = templates.get(key)
    return found if found is not None else templates.get(DEFAULT_KEY)


def choose_response(
    responses: tuple[IntegrationResponse, ...], selector: str | None
) -> IntegrationResponse | None:
    """The integration response whose key matches `selector`, else the `$default` one."""
    if selector is not None:
        patterns = {r.integration_response_key[1:-1]: r for r in responses if _is_pattern(r)}
        matched = select_pattern(list(patterns), selector)
        if matched is not None:
            return patterns[matched]
        # unconfirmed: a key that is no pattern (the CLI guide's `200`) is matched as it is
        exact = [r for r in responses if r.integration_response_key == selector]
        if exact:
            return exact[0]
    return next((r for r in responses if r.integration_response_key == DEFAULT_KEY), None)


def _is_pattern(response: IntegrationResponse) -> bool:
    key = response.integration_response_key
    return len(key) > 2 and key.startswith("/") and key.endswith("/")
