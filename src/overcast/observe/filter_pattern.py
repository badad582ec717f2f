"""CloudWatch Logs filter patterns, as FilterLogEvents applies them to each message.

Overcast takes the term syntax for unstructured logs: every plain or "quoted" term must occur
in the message, `-term` must not, and at least one `?term` must when any is given. JSON and
space-delimited patterns are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from overcast.services.logs.errors import InvalidParameterException

_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def matcher(pattern: str) -> Callable[[str], bool]:
    """CloudWatch's term syntax for unstructured logs; JSON and space-delimited patterns not yet."""
    pattern = pattern.strip()
    if pattern.startswith(("{", "[")):
        raise InvalidParameterException(
            'Overcast supports only term filter patterns (terms, "phrases", -term, ?term).'
        )
    required, excluded, optional = [], [], []
    for sign, quoted, bare in _TERM.findall(pattern):
        term = quoted.replace('\\"', '"') if quoted else bare
        {"": required, "-": excluded, "?": optional}[sign].append(term)

    def matches(message: str) -> bool:
        return (
            all(term in message for term in required)
            and not any(term in message for term in excluded)
            and (not optional or any(term in message for term in optional))
        )

    return matches
