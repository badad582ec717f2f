"""Query and Scan, on a table or one of its indexes, as range scans of the store in
DynamoDB's key order (key bytes: types.key_bytes), with DynamoDB's paging: a page ends after
`Limit` items read or once 1 MB of items has been read ("The Query operation will read up to
the maximum number of items set (if using the Limit parameter) or a maximum of 1 MB of data"),
with `LastEvaluatedKey` the key of the last item read.

A Query's key condition comes as an expressions.KeyCondition (`hash_value`, and `range` with
`op` and `values`), from a KeyConditionExpression or the legacy KeyConditions. `keep` (a
filter's Condition.matches) is applied to each item read, as DynamoDB applies a
FilterExpression; `fetch` reads a local index's items from the table (attributes the index
does not project).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from overcast.services.dynamodb.changes import key_of
from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import KeyCondition, RangeCondition
from overcast.services.dynamodb.keys import NO_MATCH
from overcast.services.dynamodb.schema import Index, KeySchema, Table
from overcast.services.dynamodb.types import Item, Value, key_bytes, kind_of, validate_item

PAGE_BYTES = 1024 * 1024
RANGE_OPS = ("=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH")


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)
    scanned: int = 0
    read_bytes: int = 0
    last_key: Item | None = None


@dataclass(frozen=True)
class Read:
    """What a Query or Scan asks beyond its key condition."""

    index: Index | None = None
    limit: int | None = None
    start: Item | None = None
    forward: bool = True
    keep: Callable[[Item], bool] | None = None
    segment: tuple[int, int] | None = None  # (Segment, TotalSegments)
    fetch: bool = False  # a local index's read takes each item from the table


def _schema(table: Table, index: Index | None) -> KeySchema:
    return index.keys if index is not None else table.keys


def query(store, table: Table, condition: KeyCondition, read: Read) -> Page:
    keys = _schema(table, read.index)
    hash_value = condition.hash_value
    if kind_of(hash_value) != table.attribute_type(keys.hash):
        raise ValidationException(
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type"
        )
    where, args = ["hash = ?"], [key_bytes(hash_value)]
    if condition.range is not None:
        if keys.range is None:
            raise ValidationException("Query key condition not supported")
        _range_sql(table, keys.range, condition.range, where, args)
    return _page(store, table, read, " AND ".join(where), tuple(args))


def scan(store, table: Table, read: Read) -> Page:
    return _page(store, table, read, "1", ())


def _range_sql(table: Table, name: str, cond: RangeCondition, where: list, args: list) -> None:
    for value in cond.values:
        if kind_of(value) != table.attribute_type(name):
            raise ValidationException(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type"
            )
    bounds = [key_bytes(v) for v in cond.values]
    op = cond.op
    if op in ("=", "<", "<=", ">", ">="):
        where.append(f"range {op} ?")
        args.append(bounds[0])
    elif op == "BETWEEN":
        if bounds[0] > bounds[1]:
            raise ValidationException(
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                f"greater than or equal to lower bound; lower bound operand: AttributeValue: "
                f"{_shown(cond.values[0])}, upper bound operand: AttributeValue: "
                f"{_shown(cond.values[1])}"
            )
        where.append("range >= ? AND range <= ?")
        args.extend(bounds)
    elif op == "BEGINS_WITH":
        if kind_of(cond.values[0]) == "N":
            raise ValidationException(
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                "operator or function: begins_with, operand type: N"
            )
        where.append("range >= ?")
        args.append(bounds[0])
        after = _successor(bounds[0])
        if after is not None:
            where.append("range < ?")
            args.append(after)
    else:
        raise ValidationException(f"Unsupported key condition operator: {op}")


def _shown(value: Value) -> str:
    kind = kind_of(value)
    return "{" + f"{kind}:{value[kind]}" + "}"


def _successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string that starts with `prefix`."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def _page(store, table: Table, read: Read, where: str, args: tuple) -> Page:
    index = read.index
    page = Page()
    start = _start(table, index, read.start)
    descending = not read.forward
    if start is not None:
        op = "<" if descending else ">"
        columns = "(hash, range, base_hash, base_range)" if index else "(hash, range)"
        where += f" AND {columns} {op} ({', '.join('?' * len(start))})"
        args = (*args, *start)
    rows = _rows(store, table, index, where, args, descending, read.fetch)
    for position, item, size in rows:
        if read.segment is not None and not _in_segment(position, read.segment):
            continue
        page.scanned += 1
        page.read_bytes += size
        if read.keep is None or read.keep(item):
            page.items.append(item)
        if read.limit is not None and page.scanned >= read.limit or page.read_bytes >= PAGE_BYTES:
            page.last_key = _last_key(table, index, item)
            break
    return page


def _rows(
    store, table: Table, index: Index | None, where: str, args: tuple, descending: bool,
    fetch: bool = False,
):  # fmt: skip
    """(position key, item, size) in order; a position key's first element is the base hash."""
    if index is None:
        for hash_, range_, text, size in store.rows(table.table_id, where, args, descending):
            yield (hash_, range_), json.loads(text), size
        return
    rows: Iterator = store.index_rows(table.table_id, index.name, where, args, descending)
    for _, _, base_hash, base_range, text in rows:
        item = json.loads(text)
        if fetch:
            found = store.item(table.table_id, base_hash, base_range)
            item = found[0] if found is not None else item
        yield (base_hash, base_range), item, _size(item)


def _size(item: Item) -> int:
    from overcast.services.dynamodb.types import item_size

    return item_size(item)


def _in_segment(position: tuple, segment: tuple[int, int]) -> bool:
    """Parallel scan: each item's partition (its hash key) belongs to one segment."""
    number, total = segment
    return zlib.crc32(position[0]) % total == number


def _last_key(table: Table, index: Index | None, item: Item) -> Item:
    names = list(table.keys.names)
    if index is not None:
        names += [n for n in index.keys.names if n not in names]
    return {name: item[name] for name in names}


def _start(table: Table, index: Index | None, start: Item | None) -> tuple | None:
    """ExclusiveStartKey as the position to read after."""
    if start is None:
        return None
    values = validate_item(start)
    names = set(table.keys.names) | (set(index.keys.names) if index else set())
    if set(values) != names or any(kind_of(values[n]) != table.attribute_type(n) for n in names):
        raise ValidationException(f"The provided starting key is invalid: {NO_MATCH}")
    base = key_of(table, values)
    if index is None:
        return base.hash, base.range
    parts = [key_bytes(values[n]) for n in index.keys.names]
    return parts[0], parts[1] if len(parts) == 2 else b"", base.hash, base.range
