"""Query and Scan, on a table or one of its indexes, as range scans of the store in
DynamoDB's key order (key bytes: types.key_bytes), with DynamoDB's paging: a page ends after
`Limit` items read or once 1 MB of items has been read ("The Query operation will read up to
the maximum number of items set (if using the Limit parameter) or a maximum of 1 MB of data"),
with `LastEvaluatedKey` the key of the last item read.

A page is one SELECT in key order (store.read_rows), read until the page is full. A Query fixes
the hash, so its SQL bounds only the columns after it: the key condition's bounds on the range,
and where the page starts (ExclusiveStartKey) in place of the bound on its side when it is the
tighter one; each side then has one constraint SQLite seeks with. (A row value that repeats the
fixed hash, `(hash, range) > (?, ?)`, makes SQLite sort the rest of the partition for every
page.) A Scan continues with the row value over the whole key; a parallel Scan's segment reads
its own buckets (segments.py) in bucket order, continuing with the row value over the bucket
and the key.

A Query's key condition comes as an expressions.KeyCondition (`hash_value`, and `range` with
`op` and `values`), from a KeyConditionExpression or the legacy KeyConditions. `keep` (a
filter's Condition.matches) is applied to each item read, as DynamoDB applies a
FilterExpression; `fetch` reads a local index's items from the table (attributes the index
does not project). With `raw`, a page's items are their stored JSON text, unparsed (no
filter, projection or fetch: the answer sends them as they are).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from overcast.services.dynamodb.changes import key_of
from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import KeyCondition, RangeCondition
from overcast.services.dynamodb.keys import NO_MATCH
from overcast.services.dynamodb.schema import Index, KeySchema, Table
from overcast.services.dynamodb.segments import bucket_of, bucket_range
from overcast.services.dynamodb.types import Item, Value, key_bytes, kind_of, validate_item

PAGE_BYTES = 1024 * 1024
RANGE_OPS = ("=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH")


@dataclass
class Page:
    items: list = field(default_factory=list)  # Items, or their JSON text when the read is raw
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
    raw: bool = False  # items as their stored JSON text (no keep, no fetch)


@dataclass(frozen=True)
class Bound:
    """One end of a Query's range: key bytes, and whether they are in it."""

    value: bytes
    inclusive: bool


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
    hash_ = key_bytes(hash_value)
    lower = upper = None
    if condition.range is not None:
        if keys.range is None:
            raise ValidationException("Query key condition not supported")
        lower, upper = _bounds(table, keys.range, condition.range)
    start = _start(table, read.index, read.start)
    if start is not None and start[0] != hash_:
        if (start[0] > hash_) == read.forward:
            return Page()  # the partition is wholly before where the page starts
        start = None  # wholly after it
    after = start[1:] if start is not None else None
    columns = ("range", "base_hash", "base_range") if read.index else ("range",)
    where, args = _range_sql(columns, lower, upper, after, not read.forward)
    return _page(store, table, read, " AND ".join(["hash = ?", *where]), (hash_, *args))


def scan(store, table: Table, read: Read) -> Page:
    start = _start(table, read.index, read.start)
    if read.segment is not None:
        return _segment(store, table, read, start)
    if start is None:
        return _page(store, table, read, "1", ())
    columns = "(hash, range, base_hash, base_range)" if read.index else "(hash, range)"
    op = ">" if read.forward else "<"
    return _page(store, table, read, f"{columns} {op} ({', '.join('?' * len(start))})", start)


def _segment(store, table: Table, read: Read, start: tuple | None) -> Page:
    """A parallel Scan's page: the segment's own buckets (segments.py), in bucket then key
    order, from the start key's position in them. A start key of an earlier segment reads the
    segment from its beginning; of a later one, nothing."""
    store.segment(table.table_id)  # the table's rows get their buckets, the first time
    low, high = bucket_range(*read.segment)
    at = bucket_of(start[0]) if start is not None else low
    if at >= high:
        return Page()
    if start is None or at < low:
        return _page(store, table, read, "bucket >= ? AND bucket < ?", (low, high))
    key = "hash, range, base_hash, base_range" if read.index else "hash, range"
    where = f"bucket < ? AND (bucket, {key}) > ({', '.join('?' * (len(start) + 1))})"
    return _page(store, table, read, where, (high, at, *start))


def _bounds(table: Table, name: str, cond: RangeCondition) -> tuple[Bound | None, Bound | None]:
    """The range a key condition on the sort key allows, as its lower and upper bounds."""
    for value in cond.values:
        if kind_of(value) != table.attribute_type(name):
            raise ValidationException(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type"
            )
    bounds = [key_bytes(v) for v in cond.values]
    op = cond.op
    if op in ("=", "<", "<=", ">", ">="):
        at = Bound(bounds[0], "=" in op)
        return (at if op[0] != "<" else None), (at if op[0] != ">" else None)
    if op == "BETWEEN":
        if bounds[0] > bounds[1]:
            raise ValidationException(
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                f"greater than or equal to lower bound; lower bound operand: AttributeValue: "
                f"{_shown(cond.values[0])}, upper bound operand: AttributeValue: "
                f"{_shown(cond.values[1])}"
            )
        return Bound(bounds[0], True), Bound(bounds[1], True)
    if op == "BEGINS_WITH":
        if kind_of(cond.values[0]) == "N":
            raise ValidationException(
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                "operator or function: begins_with, operand type: N"
            )
        after = _successor(bounds[0])
        return Bound(bounds[0], True), (Bound(after, False) if after is not None else None)
    raise ValidationException(f"Unsupported key condition operator: {op}")


def _range_sql(
    columns: tuple[str, ...],
    lower: Bound | None,
    upper: Bound | None,
    after: tuple | None,
    descending: bool,
) -> tuple[list[str], list]:
    """SQL over the sort columns past a fixed hash (`range`, then a GSI row's base key): the
    range's bounds, and the position the page starts after, which replaces the bound on its
    side when it is tighter, so each side has one constraint."""
    where: list[str] = []
    args: list = []
    if after is not None:
        side = upper if descending else lower
        if side is None or _tighter(after[0], side, descending):
            op = "<" if descending else ">"
            where.append(f"({', '.join(columns)}) {op} ({', '.join('?' * len(after))})")
            args.extend(after)
            lower, upper = (lower, None) if descending else (None, upper)
    if lower is not None:
        where.append("range >= ?" if lower.inclusive else "range > ?")
        args.append(lower.value)
    if upper is not None:
        where.append("range <= ?" if upper.inclusive else "range < ?")
        args.append(upper.value)
    return where, args


def _tighter(first: bytes, side: Bound, descending: bool) -> bool:
    """Whether starting after a position whose range is `first` excludes more than `side`."""
    if first == side.value:
        return side.inclusive
    return first < side.value if descending else first > side.value


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
    descending = not read.forward
    texts: list[str] = []  # the items read, as stored JSON text
    page = Page()

    def take(rows: Iterable[tuple]) -> bool:
        """(item, size) rows into `texts` until the page is full (`Limit` rows, or 1 MB of
        them): whether it is."""
        if read.fetch:
            rows = (_fetched(store, table, row) for row in rows)
        read_bytes, full, limit = 0, False, read.limit
        for text, size in rows:
            texts.append(text)
            read_bytes += size
            if read_bytes >= PAGE_BYTES or limit is not None and len(texts) >= limit:
                full = True
                break
        page.read_bytes = read_bytes
        return full

    by_bucket, items_only = read.segment is not None, not read.fetch
    if index is None:
        full = store.read_rows(table.table_id, where, args, descending, take, by_bucket, items_only)
    else:
        full = store.read_index_rows(
            table.table_id, index.name, where, args, descending, take, by_bucket, items_only
        )
    page.scanned = len(texts)
    item = None
    if read.raw:
        page.items = texts
    else:
        for text in texts:
            item = json.loads(text)
            if read.keep is None or read.keep(item):
                page.items.append(item)
    if full:
        last = item if item is not None else json.loads(texts[-1])
        page.last_key = _last_key(table, index, last)
    return page


def _fetched(store, table: Table, row: tuple) -> tuple[str, int]:
    """A local index row's item as the table has it (the index row's when it is gone)."""
    found = store.read_rows(
        table.table_id, "hash = ? AND range = ?", (row[2], row[3]), False,
        lambda rows: next(iter(rows), None),
    )  # fmt: skip
    return (found[2], found[3]) if found is not None else (row[4], row[5])


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
