"""Wildcard patterns with policy variables: what Action, Resource, StringLike and ArnLike
values are.

`*` matches any run of characters (including none) and `?` any one character, across the
whole string (IAM's Resource matching lets `*` span `:` and `/`). In documents of version
2012-10-17, `${key}` is replaced by the request's value of a condition key ("IAM policy
elements: Variables and tags"): `${aws:username}`, `${aws:PrincipalTag/team}`; `${*}`,
`${?}` and `${$}` stand for the literal characters; `${key, 'default'}` gives a value for
a key the request lacks. A variable whose key is absent and has no default matches
nothing, so a statement can never apply more widely because a value is missing.

Patterns are parsed and compiled once (lru_cache): evaluation runs on every request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

# The context as evaluation sees it: lower-cased keys, each with its values.
Values = tuple[str, ...]
Context = Mapping[str, Values]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Variable:
    key: str  # lower-cased condition key
    default: str | None = None


# A pattern's pieces: literal text (with wildcards) and variables.
Piece = str | Variable


@lru_cache(maxsize=8192)
def pieces(pattern: str, variables: bool) -> tuple[Piece, ...]:
    """Split a pattern into wildcard text and variables (none unless `variables`)."""
    if not variables or "${" not in pattern:
        return (pattern,)
    out: list[Piece] = []
    last = 0
    for found in _VARIABLE.finditer(pattern):
        out.append(pattern[last : found.start()])
        out.append(_variable(found.group(1)))
        last = found.end()
    out.append(pattern[last:])
    return tuple(piece for piece in out if piece != "")


def _variable(inner: str) -> Piece:
    text = inner.strip()
    if text in _LITERALS:
        return Variable("", _LITERALS[text])  # a literal: the "default" with no key
    with_default = _DEFAULT.match(inner)
    if with_default:
        return Variable(with_default.group(1).strip().lower(), with_default.group(2))
    return Variable(text.lower())


# A pattern split at its `*` wildcards: each segment is a regex of fixed length (literal
# characters and `?`), with that length. Matching segment by segment (prefix anchored,
# suffix anchored, the middle ones leftmost) takes time linear in the value for each
# segment, where one regex of `.*`s could backtrack exponentially on a hostile resource
# name.
Segments = tuple[tuple[str, int], ...]


def segments_for(pattern: str, variables: bool, context: Context | None) -> Segments | None:
    """The pattern's segments in this context; None if one of its variables has no value.
    Substituted values are literal: a `*` in a user's tag does not become a wildcard."""
    out: list[tuple[str, int]] = []
    regex: list[str] = []
    length = 0
    for piece in pieces(pattern, variables):
        if isinstance(piece, Variable):
            value = resolve(piece, context)
            if value is None:
                return None
            regex.append(re.escape(value))
            length += len(value)
            continue
        for c in piece:
            if c == "*":
                out.append(("".join(regex), length))
                regex, length = [], 0
            else:
                regex.append("." if c == "?" else re.escape(c))
                length += 1
    out.append(("".join(regex), length))
    return tuple(out)


@lru_cache(maxsize=8192)
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _glob(segments: Segments, value: str, ignore_case: bool) -> bool:
    if len(segments) == 1:
        return _compiled(segments[0][0], ignore_case).fullmatch(value) is not None
    (first, first_len), *middle, (last, last_len) = segments
    tail = len(value) - last_len
    if tail < first_len or not _compiled(first, ignore_case).match(value, 0, first_len):
        return False
    if not _compiled(last, ignore_case).fullmatch(value, tail):
        return False
    at = first_len
    for regex, _ in middle:
        found = _compiled(regex, ignore_case).search(value, at, tail)
        if found is None:
            return False
        at = found.end()
    return True


def resolve(piece: Variable, context: Context | None) -> str | None:
    """A variable's value: the request's single value of its key, else its default."""
    if not piece.key:
        return piece.default
    values = context.get(piece.key) if context is not None else None
    if values is not None and len(values) == 1:
        return values[0]
    return piece.default


def matches(
    pattern: str,
    value: str,
    *,
    variables: bool = False,
    context: Context | None = None,
    ignore_case: bool = False,
) -> bool:
    """Whether `value` matches the wildcard `pattern` as a whole."""
    if pattern == "*":
        return True
    segments = _static_segments(pattern, variables)
    if segments is None:
        segments = segments_for(pattern, variables, context)
        if segments is None:
            return False
    return _glob(segments, value, ignore_case)


@lru_cache(maxsize=8192)
def _static_segments(pattern: str, variables: bool) -> Segments | None:
    """The segments of a pattern without variables (cached); None when it has some."""
    if any(isinstance(piece, Variable) for piece in pieces(pattern, variables)):
        return None
    return segments_for(pattern, False, None)


def substitute(text: str, variables: bool, context: Context | None) -> str | None:
    """`text` with its variables replaced (for operators without wildcards, such as
    StringEquals); None if a variable has no value."""
    found = pieces(text, variables)
    if len(found) == 1 and isinstance(found[0], str):
        return text
    out: list[str] = []
    for piece in found:
        if isinstance(piece, Variable):
            value = resolve(piece, context)
            if value is None:
                return None
            out.append(value)
        else:
            out.append(piece)
    return "".join(out)
