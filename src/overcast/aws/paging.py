"""Paging tokens, and Marker/MaxItems pagination as Lambda's List* operations do it.

Every service's paging token (Lambda's Marker, SQS's and EventBridge's NextToken, S3's
ContinuationToken, CloudWatch Logs' nextToken) is opaque to clients: a position encoded as
URL-safe base64, of JSON (`encode_token`) or of plain text (`encode_text`). A token that does
not decode is an InvalidToken, which each service answers with its own error.

A Lambda marker names the first item of the next page by its sort key, so a page boundary
survives items being added or removed between calls.
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
        wanted = _marker_key(marker)
        try:
            start = next(
                (i for i, item in enumerate(items) if sort_key(item) >= wanted), len(items)
            )
        except TypeError as exc:  # a marker made for another listing
            raise InvalidParameterValueException(f"Invalid marker: {marker}") from exc
    chosen = list(items[start : start + size])
    following = start + size
    next_marker = encode_token(sort_key(items[following])) if following < len(items) else None
    return chosen, next_marker


def _marker_key(marker: str) -> list:
    try:
        key = decode_token(marker)
    except InvalidToken:
        key = None
    if not isinstance(key, list):
        raise InvalidParameterValueException(f"Invalid marker: {marker}")
    return key


class InvalidToken(ValueError):
    """A token this server did not hand out."""


def encode_token(position: object) -> str:
    """A position (any JSON value) as an opaque token."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_token(token: str) -> object:
    """The position `encode_token` put in `token`; InvalidToken when it holds none."""
    try:
        return json_document.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidToken(token) from exc


def encode_text(text: str) -> str:
    """A text position (a key, a name) as an opaque token. Lone surrogates survive: an S3
    key may hold them."""
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


def decode_text(token: str) -> str:
    """The text `encode_text` put in `token`; InvalidToken when it holds none."""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode("utf-8", "surrogatepass")
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken(token) from exc
