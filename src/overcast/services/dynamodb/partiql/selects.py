"""PartiQL SELECT: a Query of each partition key value the WHERE clause pins (`pk = v`,
`pk IN [...]`, ORs of them), else a Scan; the whole clause filters what is read, so a page ends
after `Limit` items read or 1 MB, as Query's and Scan's do ("ExecuteStatement", API Reference).

NextToken is opaque to clients: it carries where to resume (the partition and the last key
read) and a digest of the request it belongs to, so a token of another statement, parameters or
table is refused ("NextToken does not match request"), and one that is not ours too ("Invalid
NextToken"; DynamoDB Local's wordings).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import KeyCondition, Projection
from overcast.services.dynamodb.partiql import conditions
from overcast.services.dynamodb.partiql.syntax import Select
from overcast.services.dynamodb.reads import PAGE_BYTES, Read, query, scan
from overcast.services.dynamodb.schema import Index, Table
from overcast.services.dynamodb.types import Item, key_bytes


@dataclass
class Found:
    items: list[Item]
    read_bytes: int
    next_token: str | None


@dataclass(frozen=True)
class Page:
    """What the request asks of the read beyond the statement."""

    limit: int | None = None
    token: str | None = None
    consistent: bool = False
    digest: str = ""


def digest_of(statement: str, parameters: list) -> str:
    text = json.dumps([statement, parameters], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def index_of(table: Table, name: str | None) -> Index | None:
    if name is None:
        return None
    index = table.index(name)
    if index is None:
        raise ValidationException(f"The table does not have the specified index: {name}")
    if index.status == "CREATING":
        raise ValidationException(f"Cannot read from backfilling global secondary index: {name}")
    return index


def select(store, table: Table, statement: Select, parameters: list, page: Page) -> Found:
    index = index_of(table, statement.source.index)
    if page.consistent and index is not None and not index.local:
        raise ValidationException(
            "Strongly consistent read is not supported on Global Secondary Indexes"
        )
    keys = index.keys if index is not None else table.keys
    where = statement.where
    keep = conditions.condition(where, parameters)
    hashes = conditions.hash_values(where, keys.hash, parameters)
    for value in hashes or ():
        conditions.check_key_type(keys.hash, value, table.attribute_type(keys.hash))
    forward = _order(statement, keys.names, hashes)
    if hashes is not None and any(name == keys.hash and down for name, down in statement.order):
        hashes = sorted(hashes, key=key_bytes, reverse=True)
    elif hashes is not None and any(name == keys.hash for name, _ in statement.order):
        hashes = sorted(hashes, key=key_bytes)
    part, start = _resume(page)
    projection = projection_of(statement)
    fetch = _fetches(table, index, projection)
    matches = keep.matches if keep is not None else None
    if hashes is None:
        found = scan(store, table, Read(index, page.limit, start, True, matches, fetch=fetch))
        return _found(found.items, found.read_bytes, projection, page, 0, found.last_key)
    items: list[Item] = []
    read_bytes = scanned = 0
    ranged = None
    if keys.range is not None:
        wanted = table.attribute_type(keys.range)
        ranged = conditions.range_condition(where, keys.range, wanted, parameters)
    for position in range(part, len(hashes)):
        left = None if page.limit is None else page.limit - scanned
        read = Read(index, left, start if position == part else None, forward, matches,
                    fetch=fetch)  # fmt: skip
        found = query(store, table, KeyCondition(hashes[position], ranged), read)
        items += found.items
        read_bytes += found.read_bytes
        scanned += found.scanned
        if found.last_key is not None:
            return _found(items, read_bytes, projection, page, position, found.last_key)
        full = (page.limit is not None and scanned >= page.limit) or read_bytes >= PAGE_BYTES
        if full and position + 1 < len(hashes):
            return _found(items, read_bytes, projection, page, position + 1, None, more=True)
    return _found(items, read_bytes, projection, page, 0, None)


def _order(statement: Select, key_names: tuple[str, ...], hashes: list | None) -> bool:
    """Whether the sort key reads ascending, after DynamoDB Local's checks of ORDER BY."""
    if not statement.order:
        return True
    for name, _ in statement.order:
        if name not in key_names:
            raise ValidationException(
                f"Variable reference {name} in ORDER BY clause must be part of the primary key"
            )
    if statement.where is None:
        raise ValidationException(
            "Must have WHERE clause in the statement when using ORDER BY clause."
        )
    if hashes is None:
        raise ValidationException(
            "Must have at least one non-optional hash key condition in WHERE clause when using "
            "ORDER BY clause."
        )
    named = {name for name, _ in statement.order}
    if len(hashes) > 1 and key_names[0] not in named:
        raise ValidationException(
            "Must have hash key in ORDER BY clause when more than one hash key condition "
            "specified in WHERE clause."
        )
    return not any(down for name, down in statement.order if name in key_names[1:])


def projection_of(statement: Select) -> Projection | None:
    if statement.projection is None:
        return None
    return Projection(tuple(path.elements for path in statement.projection))


def _fetches(table: Table, index: Index | None, projection: Projection | None) -> bool:
    """A local index serves attributes it does not project from the table."""
    if index is None or not index.local or index.projection == "ALL" or projection is None:
        return False
    kept = set(index.keys.names) | set(table.keys.names) | set(index.non_key)
    return not set(projection.attributes) <= kept


def _found(items: list[Item], read_bytes: int, projection: Projection | None, page: Page,
           position: int, last_key: Item | None, more: bool = False) -> Found:  # fmt: skip
    if projection is not None:
        items = [projection.apply(item) for item in items]
    token = None
    if last_key is not None or more:
        state = {"d": page.digest, "p": position, "k": last_key}
        token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
    return Found(items, read_bytes, token)


def _resume(page: Page) -> tuple[int, Item | None]:
    if page.token is None:
        return 0, None
    try:
        state = json.loads(base64.urlsafe_b64decode(page.token.encode()))
        digest, position, key = state["d"], state["p"], state["k"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
        raise ValidationException("Invalid NextToken") from None
    if not isinstance(position, int) or not (key is None or isinstance(key, dict)):
        raise ValidationException("Invalid NextToken")
    if digest != page.digest:
        raise ValidationException("NextToken does not match request")
    return position, key
