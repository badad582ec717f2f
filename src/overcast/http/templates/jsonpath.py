"""JSONPath as `$input.path()` / `$input.json()` evaluate it (Jayway JsonPath's results).

A *definite* path (only `.name`, `['name']` and `[n]` steps) answers the one value it points at,
or null; any other path (`[*]`, `..`, filters, slices, unions) answers the array of everything
it matched, as Jayway does. Definite paths, nearly all that templates use, are walked here
directly; the others go to jsonpath-ng, whose parses are cached.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext.parser import ExtentedJsonPathParser

from overcast.http.templates.errors import TemplateError
from overcast.http.templates.values import JsonArray

STEP = re.compile(
    r"""\.(?P<name>[^.\[\]()*?@$'"\s]+)"""  # .name
    r"""|\[\s*'(?P<quoted>(?:[^'\\]|\\.)*)'\s*\]"""  # ['name']
    r"""|\[\s*"(?P<dquoted>(?:[^"\\]|\\.)*)"\s*\]"""  # ["name"]
    r"""|\[\s*(?P<index>-?\d+)\s*\]"""  # [n]
)
_parser_lock = threading.Lock()
_parser: ExtentedJsonPathParser | None = None


def evaluate(document: object, path: str) -> object:
    """The value(s) `path` selects in `document` (see the module docstring)."""
    path = path.strip()
    if not path.startswith("$"):
        # Jayway reads a path without its root as relative to the root.
        path = "$." + path if path and path[0] not in ".[" else "$" + path
    steps = definite_steps(path)
    if steps is not None:
        return walk(document, steps)
    expression = compiled(path)
    try:
        return JsonArray(match.value for match in expression.find(document))
    except RecursionError:
        raise TemplateError("JSON too deeply nested for JSONPath") from None
    except Exception as problem:  # jsonpath-ng's filters raise what Python raises
        raise TemplateError(f"JSONPath {path!r} failed: {problem}") from None


def definite_steps(path: str) -> list[str | int] | None:
    steps: list[str | int] = []
    at = 1
    while at < len(path):
        found = STEP.match(path, at)
        if not found:
            return None
        if found.group("index") is not None:
            steps.append(int(found.group("index")))
        else:
            name = found.group("name") or found.group("quoted") or found.group("dquoted") or ""
            steps.append(re.sub(r"\\(.)", r"\1", name))
        at = found.end()
    return steps


def walk(document: object, steps: list[str | int]) -> object:
    value = document
    for step in steps:
        if isinstance(step, int) and isinstance(value, list):
            index = step + len(value) if step < 0 else step
            value = value[index] if 0 <= index < len(value) else None
        elif isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        else:
            return None
        if value is None:
            return None
    return value


@lru_cache(maxsize=256)
def compiled(path: str):  # noqa: ANN201 - jsonpath-ng's expression classes
    global _parser
    with _parser_lock:  # one PLY parser, built once (building one costs ~40 ms)
        if _parser is None:
            _parser = ExtentedJsonPathParser()
        try:
            return _parser.parse(path)
        except (JsonPathLexerError, JsonPathParserError, Exception) as problem:
            raise TemplateError(f"invalid JSONPath {path!r}: {problem}") from None
