"""What subscription filters and metric filters share: a group keeps a list of them by name,
and Describe* pages through them in name order by `filterNamePrefix`, `limit`, `nextToken`."""

from __future__ import annotations

from overcast.aws.paging import encode_token
from overcast.services.logs.calls import token_start


def put_named(filters: list[dict], kept: dict) -> list[dict]:
    """`filters` with `kept` in place of the one of its name (or added), in name order."""
    others = [f for f in filters if f["filterName"] != kept["filterName"]]
    return sorted([*others, kept], key=lambda f: f["filterName"])


def page_of(filters: list[dict], body: dict) -> tuple[list[dict], str | None]:
    """The page of `filters` a Describe*Filters request asks for, and the next page's token."""
    prefix = body.get("filterNamePrefix", "")
    chosen = sorted(
        (f for f in filters if f["filterName"].startswith(prefix)),
        key=lambda f: (f.get("logGroupName", ""), f["filterName"]),
    )
    start = token_start(body.get("nextToken"))
    limit = body.get("limit", 50)
    token = encode_token(start + limit) if start + limit < len(chosen) else None
    return chosen[start : start + limit], token
