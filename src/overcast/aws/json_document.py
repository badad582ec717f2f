"""JSON text from outside the server, parsed with a limit on how deeply it nests.

Everything a client or a function sends as JSON (request bodies, Invoke payloads, event
patterns, policies, function results) is parsed here. Python's parser recurses once per level
and raises RecursionError near the interpreter's recursion limit, minus whatever the caller's
stack already holds, and the server's own walks of a document (model shapes, event patterns,
records re-encoded for destinations) recurse too. So a document nested past a fixed depth is
refused here, the same at any stack depth, as a `json.JSONDecodeError`: every caller's handling
of malformed JSON answers it with its own service's error (Lambda's
InvalidRequestContentException, a JSON service's SerializationException, ...).

The message follows the Jackson parser's, which Lambda's error texts show it parses with
(`Document nesting depth (1001) exceeds the maximum allowed (1000, ...)`); the limits are
lower than Jackson's default 1000, which Python's recursion limit cannot reach.
"""

from __future__ import annotations

import json
from typing import Any

# Documents the server interprets: a request's members, event patterns, filter policies.
# Matching a pattern takes up to four Python frames a level, well inside the 1000-frame limit.
MAX_DEPTH = 128
# Payloads passed on untouched (Invoke's event, a function's result), which only C code walks.
PAYLOAD_MAX_DEPTH = 512


class JsonDepthError(json.JSONDecodeError):
    """Raised when a JSON document nests deeper than the limit it was parsed under."""

    def __init__(self, limit: int) -> None:
        message = f"Document nesting depth ({limit + 1}) exceeds the maximum allowed ({limit})"
        ValueError.__init__(self, message)
        self.msg, self.doc, self.pos, self.lineno, self.colno = message, "", 0, 1, 1


def loads(text: str | bytes | bytearray, max_depth: int = MAX_DEPTH, **options: Any) -> object:
    """`json.loads(text, **options)`, refused with JsonDepthError past `max_depth` levels (an
    object or array at the top is level 1). Malformed text raises json.JSONDecodeError as usual, and
    bytes that are not UTF-8/16/32 raise UnicodeDecodeError (both ValueErrors)."""
    try:
        document = json.loads(text, **options)
    except RecursionError:
        raise JsonDepthError(max_depth) from None
    if _openers(text) > max_depth and _nests_past(document, max_depth):
        raise JsonDepthError(max_depth)
    return document


def _openers(text: str | bytes | bytearray) -> int:
    """An upper bound of the depth, at C speed: most documents open few objects and arrays."""
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def _nests_past(document: object, limit: int) -> bool:
    """Whether `document` nests deeper than `limit`, walked a level at a time (no recursion)."""
    level = [document] if isinstance(document, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, (dict, list))
        ]
    return False
