"""Marker/MaxItems pagination as Lambda's List* operations do it.

A marker is an opaque token naming the first item of the next page by its sort key, so a page
boundary survives items being added or removed between calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from overcast.aws import json_document
from overcast.aws.errors import InvalidParameterValueException

T = TypeVar("T")


def page(
    items: Sequence[T],
    sort_key: Callable[[T], list],
    marker: str | None,
    max_items: int | None,
    limit: int,
) -> tuple[list[T], str | None]:
    """The page starting at `marker` (items already sorted by `sort_key`), and the next marker."""
    size = min(max_items or limit, limit)
    start = 0
    if marker:
        wanted = _decode(marker)
        try:
            start = next(
                (i for i, item in enumerate(items) if sort_key(item) >= wanted), len(items)
            )
        except TypeError as exc:  # a marker made for another listing
            raise InvalidParameterValueException(f"Invalid marker: {marker}") from exc
    chosen = list(items[start : start + size])
    following = start + size
    next_marker = _encode(sort_key(items[following])) if following < len(items) else None
    return chosen, next_marker


def _encode(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode(marker: str) -> list:
    try:
        key = json_document.loads(base64.urlsafe_b64decode(marker.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidParameterValueException(f"Invalid marker: {marker}") from exc
    if not isinstance(key, list):
        raise InvalidParameterValueException(f"Invalid marker: {marker}")
    return key
