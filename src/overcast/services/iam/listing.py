"""IAM's paging: `MaxItems` (100 unless given) and `Marker`, answered with `IsTruncated` and
the `Marker` of the next page. A marker names the sort key of the next page's first item,
so a page boundary survives entities being added or removed between calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.services.iam.errors import InvalidInput

T = TypeVar("T")
DEFAULT_MAX_ITEMS = 100


def page(
    items: Sequence[T], sort_key: Callable[[T], str], params: dict, name: str
) -> dict[str, object]:
    """`{name: [...page], "IsTruncated": ..., "Marker": ...}` for `items` (in any order),
    the page that `params`' Marker and MaxItems ask for."""
    ordered = sorted(items, key=sort_key)
    start = 0
    marker = params.get("Marker")
    if marker is not None:
        try:
            first = decode_text(marker)
        except InvalidToken as exc:
            raise InvalidInput("Invalid Marker.") from exc
        start = next((i for i, item in enumerate(ordered) if sort_key(item) >= first), len(ordered))
    size = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    chosen = ordered[start : start + size]
    following = start + size
    out: dict[str, object] = {name: chosen, "IsTruncated": following < len(ordered)}
    if following < len(ordered):
        out["Marker"] = encode_text(sort_key(ordered[following]))
    return out
