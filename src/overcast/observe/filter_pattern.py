"""CloudWatch Logs filter patterns, as FilterLogEvents, subscription filters and metric filters
apply them to each message ("Filter pattern syntax for metric filters, subscription filters,
filter log events, and Live Tail").

Two of CloudWatch's three forms:
- terms, for unstructured logs: every plain or "quoted" term must occur in the message (case
  sensitive), `-term` must not, and at least one `?term` must when any is given. A term that
  is not quoted may hold only letters, digits and underscores;
- JSON, `{ $.field = value }` and the rest (observe/_json_pattern.py).

Space-delimited patterns (`[ip, user, ...]`) and regular expressions (`%...%`) are refused
with InvalidParameterException rather than matched wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from overcast.observe._json_pattern import json_matcher
from overcast.services.logs.errors import InvalidParameterException

Matcher = Callable[[str], bool]

_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')
_BARE = re.compile(r"\w+")


def matcher(pattern: str) -> Matcher:
    """A predicate on messages for `pattern`; InvalidParameterException if it is malformed."""
    pattern = pattern.strip()
    if not pattern:
        return _everything
    if pattern.startswith("{"):
        return json_matcher(pattern)
    if pattern.startswith("["):
        raise InvalidParameterException(
            "Overcast does not support space-delimited filter patterns ([field, ...]) yet."
        )
    return _terms(pattern)


def _terms(pattern: str) -> Matcher:
    required, excluded, optional = [], [], []
    for sign, quoted, bare in _TERM.findall(pattern):
        if bare:
            if bare.startswith("%") and bare.endswith("%") and len(bare) > 1:
                raise InvalidParameterException(
                    "Overcast does not support regular expressions (%...%) in filter patterns."
                )
            if not _BARE.fullmatch(bare):
                raise InvalidParameterException(f"Invalid character(s) in term '{bare}'")
            term = bare
        else:
            term = re.sub(r"\\(.)", r"\1", quoted)
            if not term:
                raise InvalidParameterException("Invalid character(s) in term '\"\"'")
        {"": required, "-": excluded, "?": optional}[sign].append(term)

    def matches(message: str) -> bool:
        return (
            all(term in message for term in required)
            and not any(term in message for term in excluded)
            and (not optional or any(term in message for term in optional))
        )

    return matches


def _everything(message: str) -> bool:
    return True
