"""Rendering helpers for the mapping template tests."""

from __future__ import annotations

from overcast.http.templates import TemplateInput, render

PARAMS = {"path": {"id": "7"}, "querystring": {"q": "x"}, "header": {"Host": "h"}}


def vtl(
    template: str,
    body: bytes = b"",
    params: dict | None = None,
    context: dict | None = None,
    stage_variables: dict | None = None,
) -> str:
    data = TemplateInput(body, params or PARAMS, context or {}, stage_variables or {})
    return render(template, data).text
