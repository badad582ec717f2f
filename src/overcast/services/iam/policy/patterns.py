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


def _wildcard_regex(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


@lru_cache(maxsize=8192)
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def resolve(piece: Variable, context: Context | None) -> str | None:
    """A variable's value: the request's single value of its key, else its default."""
    if not piece.key:
        return piece.default
    values = context.get(piece.key) if context is not None else None
    if values is not None and len(values) == 1:
        return values[0]
    return piece.default


def regex_for(
    pattern: str, variables: bool, context: Context | None, wildcards: bool = True
) -> str | None:
    """The regular expression `pattern` stands for in this context; None if one of its
    variables has no value (then the pattern matches nothing). Substituted values are
    literal: a `*` in a user's tag does not become a wildcard."""
    out: list[str] = []
    for piece in pieces(pattern, variables):
        if isinstance(piece, Variable):
            value = resolve(piece, context)
            if value is None:
                return None
            out.append(re.escape(value))
        else:
            out.append(_wildcard_regex(piece) if wildcards else re.escape(piece))
    return "".join(out)


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
    regex = _static_regex(pattern, variables)
    if regex is None:
        regex = regex_for(pattern, variables, context)
        if regex is None:
            return False
    return _compiled(regex, ignore_case).fullmatch(value) is not None


@lru_cache(maxsize=8192)
def _static_regex(pattern: str, variables: bool) -> str | None:
    """The regex of a pattern without variables (cached); None when it has some."""
    found = pieces(pattern, variables)
    if any(isinstance(piece, Variable) for piece in found):
        return None
    return regex_for(pattern, False, None)


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
