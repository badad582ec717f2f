"""Template values, and how they turn into text as API Gateway's Java objects do.

Values are plain Python ones: None (Java null), bool, int, float, str, list, dict, plus
`JsonArray` (an array that came from JSON) and the `HostObject`s a template is given (`$input`,
`$util`, `$foreach`...). Nothing else is reachable: a template can only call the methods the
tables of methods.py and the host objects list, never a Python attribute.

Text as Java writes it: null renders as nothing (API Gateway prints an undefined or null
reference as an empty string, where plain Velocity prints the reference itself); booleans as
`true`/`false`; doubles as Java's `Double.toString` (`1.0`, `1.0E10`); a map as Java's
`{key=value, ...}` (objects from JSON are Java maps there); an array from JSON as compact JSON
(json-smart's JSONArray, which Jayway JsonPath gives); a list built in the template as Java's
`[a, b]`.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from overcast.http.templates.errors import TemplateError

MAX_TEXT = 10 * 1024 * 1024  # characters in one string: API Gateway's payloads stop at 10 MB
MAX_NESTING = 200  # of lists and maps inside each other, when written out


class JsonArray(list):
    """A list that came from JSON ($input.path, $util.parseJson): it prints as JSON."""


class HostObject:
    """An object the template is given. Subclasses answer properties and methods from their
    own explicit tables (`property`, `call`); anything else is null."""

    java_class = "java.lang.Object"

    def property(self, name: str) -> object:
        return None

    def call(self, name: str, args: list[object]) -> object:
        return None

    def text(self) -> str:
        return ""


def text_result(value: str) -> str:
    """`value`, when it is within the size any string may have."""
    if len(value) > MAX_TEXT:
        raise TemplateError("string too long in mapping template")
    return value


def from_json(value: object, depth: int = 0) -> object:
    """A parsed JSON document as template values: arrays become JsonArray. A document nested
    deeper than MAX_NESTING fails the template (it could not be written out either)."""
    if depth > MAX_NESTING:
        raise TemplateError("JSON nested too deeply for a mapping template")
    if isinstance(value, list):
        return JsonArray([from_json(item, depth + 1) for item in value])
    if isinstance(value, dict):
        return {key: from_json(item, depth + 1) for key, item in value.items()}
    return value


def parse_json(text: str) -> object:
    """`text` parsed as JSON; ValueError when it is no JSON."""
    try:
        return from_json(json.loads(text))
    except RecursionError:
        raise TemplateError("JSON nested too deeply for a mapping template") from None


def to_text(value: object, depth: int = 0) -> str:
    """The text of `value` when written into the output (see the module docstring)."""
    if value is None:
        return ""
    return _java_string(value, depth)


def _java_string(value: object, depth: int) -> str:
    if depth > MAX_NESTING:
        raise TemplateError("value nested too deeply to write")
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, JsonArray):
        return to_json(value, depth)
    if isinstance(value, list):
        return "[" + ", ".join(_java_string(item, depth + 1) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (
            f"{_java_string(k, depth + 1)}={_java_string(v, depth + 1)}" for k, v in value.items()
        )
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, HostObject):
        return value.text()
    return ""


def java_double(value: float) -> str:
    """Java's Double.toString: `1.0`, `0.001`, `1.0E-4`, `1.2345678E7`, `NaN`, `Infinity`
    (the shortest digits that read back, as Java 19+ writes them)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    places = "".join(map(str, digits))
    power = len(places) - 1 + int(exponent)
    places = places.rstrip("0") or "0"
    prefix = "-" if sign else ""
    if -3 <= power < 7:
        if power < 0:
            return f"{prefix}0.{'0' * (-power - 1)}{places}"
        whole, fraction = places[: power + 1].ljust(power + 1, "0"), places[power + 1 :]
        return f"{prefix}{whole}.{fraction or '0'}"
    return f"{prefix}{places[0]}.{places[1:] or '0'}E{power}"


def to_json(value: object, depth: int = 0) -> str:
    """Compact JSON of a template value, numbers written as Java writes them."""
    if depth > MAX_NESTING:
        raise TemplateError("value nested too deeply to write")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(to_json(item, depth + 1) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (
            f"{to_json(_java_string(k, depth + 1))}:{to_json(v, depth + 1)}"
            for k, v in value.items()
        )
        return "{" + ",".join(pairs) + "}"
    return json.dumps(to_text(value), ensure_ascii=False)
