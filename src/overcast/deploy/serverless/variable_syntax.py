"""The framework's variable syntax: where a string holds `${...}` variables, and what one says
(`${opt:stage, self:provider.stage, 'dev'}`: fallbacks tried in order), as sf-core's
src/lib/resolvers/placeholders.js reads them.

Only `${...}` with a `:` or a `(...)` is a variable: `${Foo}` and `${Foo.Arn}` are left for
`Fn::Sub`, and so are `${AWS::Region}`, CloudWatch's `${PROP:...}`, IoT's `${iot:...}` and
`${!Literal}`, which the framework skips by name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# placeholders.js shouldBeIgnored: a lone fallback from these "sources" is not a variable
IGNORED_SOURCES = frozenset({"AWS", "PROP", "iot"})

# `ssm(region, raw):/path`, `cf(region):stack.output`: the forms with an optional region
_LEGACY = re.compile(r"^(s3|ssm|output|cf)(?:\(([^,]*?)(?:,\s*([^)]+))?\))?:(.*)$", re.S)
# `source:address`, `source(params):address`, `file(./x.yml)`
_MAIN = re.compile(r"^([^:()]+)(?:\((.*)\))?(?::(.*))?$", re.S)
_INDEX = re.compile(r"^([^\[\]]*)\[(\d+)\]$")
MAX_NESTING = 20  # `${a, ${b, ${c...}}}`: resolving recurses once per level


class SyntaxProblem(ValueError):
    """Raised when a variable is written in a form the framework cannot read."""


@dataclass(frozen=True)
class Literal:
    """A fallback written as a value: `'dev'`, `"dev"`, `5`, `true`, `null`."""

    value: Any


@dataclass(frozen=True)
class Reference:
    """A fallback naming a source: `opt:stage`, `file(./x.yml):key`, or a whole nested
    variable `${env:B, 'x'}` (`nested`). Its text may hold variables of its own
    (`self:custom.${sls:stage}.memory`) that are resolved before it is read."""

    text: str
    nested: bool = False


@dataclass(frozen=True)
class Address:
    """A reference once its own variables are resolved: `cf(us-west-2):stack.Output` is
    source `cf`, params `("us-west-2",)`, key `stack.Output`."""

    source: str
    params: tuple[str, ...]
    key: str


def placeholders(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each outermost variable in `text`, in order. Raises SyntaxProblem
    for variables nested more than MAX_NESTING deep.

    >>> placeholders("arn:${aws:region}:${Foo}")
    [(4, 17)]
    """
    spans: list[tuple[int, int]] = []
    depth, start, i = 0, -1, 0
    while i < len(text):
        if text.startswith("${", i):
            if depth == 0:
                start = i
            depth += 1
            if depth > MAX_NESTING:
                raise SyntaxProblem(f"variables nested more than {MAX_NESTING} deep")
            i += 2
            continue
        if text[i] == "}" and depth > 0:
            depth -= 1
            if depth == 0 and is_variable(text[start : i + 1]):
                spans.append((start, i + 1))
        i += 1
    return spans


def is_variable(placeholder: str) -> bool:
    """Whether `${...}` is the framework's (placeholders.js extractPlaceholdersFromString and
    shouldBeIgnored), not a `Fn::Sub` placeholder."""
    body = placeholder[2:-1]
    if ":" not in body and not ("(" in body and ")" in body):
        return False
    parts = split_top_level(body, ",")
    first = _MAIN.match(parts[0].strip()) if parts else None
    source = first.group(1) if first else ""
    if len(parts) == 1 and source in IGNORED_SOURCES:
        return False
    return not source.startswith("!")


def fallbacks(placeholder: str) -> list[Literal | Reference]:
    """The fallbacks of `${a, b, c}`, in order. Raises SyntaxProblem for a bare word
    (`${opt:stage, dev}`): the framework reads an unquoted fallback as JSON, so a string
    must be quoted."""
    found: list[Literal | Reference] = []
    for part in split_top_level(placeholder[2:-1], ","):
        part = part.strip()
        if not part:
            raise SyntaxProblem(f"an empty fallback in {placeholder}")
        if part[0] in "'\"" and part[-1] == part[0] and len(part) > 1:
            found.append(Literal(_quoted(part)))
        elif placeholders(part) == [(0, len(part))]:
            found.append(Reference(part, nested=True))
        elif ":" in part or "(" in part:
            found.append(Reference(part))
        else:
            found.append(Literal(_json_literal(part, placeholder)))
    return found


def address(text: str, placeholder: str) -> Address:
    """What a reference's text names: its source, the params in its parentheses, its key."""
    legacy = _LEGACY.match(text)
    if legacy:
        source, first, second, key = legacy.groups()
        return Address(source, tuple(p.strip() for p in (first, second) if p), key.strip())
    main = _MAIN.match(text)
    if not main or (main.group(2) is None and main.group(3) is None):
        raise SyntaxProblem(f"invalid variable {text!r} in {placeholder}")
    source, params, key = main.groups()
    values = tuple(
        _quoted(p) if p[:1] in "'\"" and p[-1:] == p[:1] and len(p) > 1 else p
        for p in (part.strip() for part in split_top_level(params or "", ","))
        if p
    )
    return Address(source.strip(), values, (key or "").strip())


def property_path(text: str) -> list[str]:
    """`a.b[0].c` / `a.b.0.c` -> ["a", "b", "0", "c"] (file.js getValueAtPath's forms)."""
    segments: list[str] = []
    for part in text.split("."):
        indexed = _INDEX.match(part)
        if indexed:
            segments.extend(s for s in indexed.groups() if s)
        else:
            segments.append(part)
    return segments


def split_top_level(text: str, separator: str) -> list[str]:
    """`text` split at `separator`s outside `(...)`, `${...}` and a quoted fallback
    (placeholders.js findIndicesOutsideParenthesesAndBraces, which also keeps `'a,b'` whole
    here: the framework would split it)."""
    parts: list[str] = []
    parens = braces = 0
    start = i = 0
    while i < len(text):
        char = text[i]
        if text.startswith("${", i):
            braces += 1
            i += 2
            continue
        if char in "'\"" and not parens and not braces and not text[start:i].strip():
            end = _closing_quote(text, i)
            if end > 0:
                i = end + 1
                continue
        if char == "}" and braces:
            braces -= 1
        elif char == "(":
            parens += 1
        elif char == ")":
            parens -= 1
        elif char == separator and not parens and not braces:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _closing_quote(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def _quoted(text: str) -> str:
    """placeholders.js parseLiteralValue: 'x' as written, "x" as JSON reads it."""
    if text[0] == "'":
        return text[1:-1]
    try:
        value = json.loads(text)
    except ValueError:
        return text[1:-1]
    return value if isinstance(value, str) else text[1:-1]


def _json_literal(text: str, placeholder: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise SyntaxProblem(
            f"invalid fallback {text} in {placeholder}: quote a string ('{text}')"
        ) from None
