"""Java's regular expressions, as String.matches/replaceAll/split and selection patterns use
them, on the `regex` module (whose syntax covers Java's: possessive quantifiers, atomic groups,
`\\p{...}`, `(?<name>...)`).

Patterns come from templates and texts from requests, both untrusted: every match runs with a
time limit, so a pattern that backtracks catastrophically fails the template instead of holding
a worker. A limit per match is not enough (a template can loop over matches that each take
just under it), so the matches of one render, or of one choice of selection pattern, also share
one budget (`time_budget`): each match's limit is what is left of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import regex

from overcast.http.templates.errors import TemplateError

T = TypeVar("T")

TIMEOUT_S = 0.5  # per match; a pattern needing longer is a denial of service
BUDGET_S = 1.0  # all the matches of one render (or one selection) together


@dataclass
class _Budget:
    left_s: float


_BUDGET: ContextVar[_Budget | None] = ContextVar("overcast_vtl_regex_budget", default=None)


@contextmanager
def time_budget(seconds: float = BUDGET_S) -> Iterator[None]:
    """Within it, the matches made share `seconds` of matching in all."""
    token = _BUDGET.set(_Budget(seconds))
    try:
        yield
    finally:
        _BUDGET.reset(token)


@lru_cache(maxsize=256)
def compiled(pattern: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, regex.VERSION0)
    except (regex.error, RecursionError, ValueError) as problem:
        raise TemplateError(f"invalid regular expression {pattern!r}: {problem}") from None


def _timed(action: Callable[[float], T]) -> T:
    """`action(limit)`: a regex call given its time limit, the per-match one or what is left
    of the current budget, whichever is less; spent time is taken from the budget."""
    budget = _BUDGET.get()
    limit = TIMEOUT_S if budget is None else min(TIMEOUT_S, budget.left_s)
    if limit <= 0:
        raise TemplateError("regular expressions took too long")
    started = time.monotonic()
    try:
        return action(limit)
    except TimeoutError:
        raise TemplateError("regular expression took too long") from None
    finally:
        if budget is not None:
            budget.left_s -= time.monotonic() - started


def matches(pattern: str, text: str) -> bool:
    """String.matches: the whole text."""
    found = _timed(lambda limit: compiled(pattern).fullmatch(text, timeout=limit))
    return found is not None


def replace(pattern: str, text: str, replacement: str, count: int = 0) -> str:
    """replaceAll (count 0) / replaceFirst (count 1), `$1` / `${name}` / `\\$` as in Java."""
    parts = java_replacement(replacement)

    def expand(found: regex.Match[str]) -> str:
        out = []
        for literal, group in parts:
            if group is None:
                out.append(literal)
                continue
            try:
                out.append(found.group(group) or "")
            except (IndexError, regex.error):
                raise TemplateError(f"No group {group}") from None
        return "".join(out)

    compiled_pattern = compiled(pattern)
    return _timed(lambda limit: compiled_pattern.sub(expand, text, count=count, timeout=limit))


def java_replacement(replacement: str) -> list[tuple[str, int | str | None]]:
    """A Java replacement string as (literal, None) and ("", group) parts."""
    parts: list[tuple[str, int | str | None]] = []
    at = 0
    while at < len(replacement):
        char = replacement[at]
        if char == "\\":
            if at + 1 >= len(replacement):
                raise TemplateError("character to be escaped is missing")
            parts.append((replacement[at + 1], None))
            at += 2
        elif char == "$":
            at = _group_reference(replacement, at + 1, parts)
        else:
            parts.append((char, None))
            at += 1
    return parts


def _group_reference(text: str, at: int, parts: list[tuple[str, int | str | None]]) -> int:
    if at < len(text) and text[at] == "{":
        close = text.find("}", at)
        if close < 0:
            raise TemplateError("named capturing group is missing trailing '}'")
        parts.append(("", text[at + 1 : close]))
        return close + 1
    end = at
    while end < len(text) and text[end].isdigit():
        end += 1
    if end == at:
        raise TemplateError("Illegal group reference")
    parts.append(("", int(text[at:end])))
    return end


def split(pattern: str, text: str, limit: int = 0) -> list[str]:
    """String.split: trailing empty strings dropped (limit 0), at most `limit` parts (> 0);
    a zero-width match at the start leaves no leading empty string."""
    if text == "":
        return [""]
    compiled_pattern = compiled(pattern)
    pieces: list[str] = []
    start = 0
    for found in _timed(lambda limit: list(compiled_pattern.finditer(text, timeout=limit))):
        if limit > 0 and len(pieces) == limit - 1:
            break
        if found.end() == 0:
            continue
        if found.start() == found.end() and found.start() == start and start != 0:
            continue
        pieces.append(text[start : found.start()])
        start = found.end()
    pieces.append(text[start:])
    if limit == 0:
        while len(pieces) > 1 and pieces[-1] == "":
            pieces.pop()
        if pieces == [""] and text:
            return []
    return pieces
