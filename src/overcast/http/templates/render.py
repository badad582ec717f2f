"""`render(template, data)`: a mapping template's text and the overrides it set.

The variables a template sees: `$input` (input_variable.py), `$util` (util_variable.py),
`$context` (a copy of `data.context`, with `requestOverride` / `responseOverride` ready for
`#set`), and `$stageVariables`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from overcast.http.templates import java_regex
from overcast.http.templates.errors import TemplateError
from overcast.http.templates.evaluator import Evaluator
from overcast.http.templates.input_variable import InputVariable, check_params
from overcast.http.templates.parser import parse
from overcast.http.templates.util_variable import UtilVariable
from overcast.http.templates.values import to_text


@dataclass
class TemplateInput:
    body: bytes
    # {"path": {...}, "querystring": {...}, "header": {...}}; for a name given several values,
    # the last one (as `$input.params` answers).
    params: dict[str, dict[str, str]] = field(default_factory=dict)
    context: dict = field(default_factory=dict)  # $context: requestId, stage, identity{...}...
    stage_variables: dict[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    text: str
    # What `$context.requestOverride` / `$context.responseOverride` set:
    # {"status": int (only when set), "header": {...}, "querystring": {...}, "path": {...}};
    # a header's value is a string, or a list of strings for several values.
    overrides: dict


def render(template: str, data: TemplateInput) -> Rendered:
    """Renders `template`; raises TemplateError when it cannot be parsed or fails.

    >>> render('{"id": "$input.params(\\'id\\')"}', TemplateInput(b"", {"path": {"id": "7"}})).text
    '{"id": "7"}'
    """
    block = parse(template)
    check_params(data.params)
    context = copy.deepcopy(data.context) if data.context else {}
    request = _override_maps(context, "requestOverride", ("header", "querystring", "path"))
    response = _override_maps(context, "responseOverride", ("header",))
    namespace: dict[str, object] = {
        "input": InputVariable(data.body, data.params),
        "util": UtilVariable(),
        "context": context,
        "stageVariables": dict(data.stage_variables or {}),
    }
    with java_regex.time_budget():
        text = Evaluator(namespace).render(block)
    if not text.isascii():
        # A lone surrogate (JSON can carry one) is written as `?`, as Java writes it.
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return Rendered(text, overrides(request, response))


def _override_maps(context: dict, name: str, kinds: tuple[str, ...]) -> dict:
    given = context.get(name)
    holder = given if isinstance(given, dict) else {}
    for kind in kinds:
        if not isinstance(holder.get(kind), dict):
            holder[kind] = {}
    context[name] = holder
    return holder


def overrides(request: dict, response: dict) -> dict:
    result: dict = {
        "header": {**_strings(request["header"]), **_strings(response["header"])},
        "querystring": _strings(request["querystring"]),
        "path": _strings(request["path"]),
    }
    status = response.get("status")
    if status is not None:
        try:
            result["status"] = int(to_text(status).strip())
        except ValueError:
            raise TemplateError(
                f"$context.responseOverride.status is no status code: {to_text(status)!r}"
            ) from None
    return result


def _strings(values: dict) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for name, value in values.items():
        if value is None:
            continue
        out[to_text(name)] = (
            [to_text(v) for v in value] if isinstance(value, list) else to_text(value)
        )
    return out
