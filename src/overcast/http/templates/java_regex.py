"""Java's regular expressions, as String.matches/replaceAll/split and selection patterns use
them, on the `regex` module (whose syntax covers Java's: possessive quantifiers, atomic groups,
`\\p{...}`, `(?<name>...)`).

Patterns come from templates and texts from requests, both untrusted: every match runs with a
time limit, so a pattern that backtracks catastrophically fails the template instead of holding
a worker.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from overcast.http.templates.errors import TemplateError

TIMEOUT_S = 0.5  # per match; a pattern needing longer is a denial of service


@lru_cache(maxsize=256)
def compiled(pattern: str) -> regex.Pattern[str]:
    try:
        return regex.compile(pattern, regex.VERSION0)
    except (regex.error, RecursionError, ValueError) as problem:
        raise TemplateError(f"invalid regular expression {pattern!r}: {problem}") from None


def _timed(action):  # noqa: ANN001, ANN202 - a small wrapper over regex calls
    try:
        return action()
    except TimeoutError:
        raise TemplateError("regular expression took too long") from None


def matches(pattern: str, text: str) -> bool:
    """String.matches: the whole text."""
    found = _timed(lambda: compiled(pattern).fullmatch(text, timeout=TIMEOUT_S))
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
    return _timed(lambda: compiled_pattern.sub(expand, text, count=count, timeout=TIMEOUT_S))


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
    for found in _timed(lambda: list(compiled_pattern.finditer(text, timeout=TIMEOUT_S))):
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
