"""The one write path: an item replaced or removed, with everything that follows from it in the
same transaction: its secondary index rows, the table's and indexes' counts and sizes, its
TTL expiry, and its stream record (INSERT / MODIFY / REMOVE, images per the view type).

An index row exists when the item has the index's key attributes (a sparse index); the row
holds the projected attributes (schema.Index.projected).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from overcast.services.dynamodb.schema import Index, Table
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodb.types import Item, item_size, key_bytes

# "userIdentity" of a record whose item TTL deleted ("Working with Time to Live: TTL and
# DynamoDB Streams", DynamoDB Developer Guide).
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@dataclass(frozen=True)
class Key:
    """An item's primary key: its attributes as the wire has them, and their key bytes."""

    attributes: Item
    hash: bytes
    range: bytes


def key_of(table: Table, item: Item) -> Key:
    """The key of an item whose key attributes are known to be there and of the right type."""
    keys = table.keys
    attributes = {keys.hash: item[keys.hash]}
    range_ = b""
    if keys.range is not None:
        attributes[keys.range] = item[keys.range]
        range_ = key_bytes(item[keys.range])
    return Key(attributes, key_bytes(item[keys.hash]), range_)


def index_key(index: Index, table: Table, item: Item) -> tuple[bytes, bytes] | None:
    """The item's key in the index; None when the item lacks (or mistypes) an index key."""
    parts = []
    for name in index.keys.names:
        value = item.get(name)
        if value is None or next(iter(value)) != table.attribute_type(name):
            return None
        parts.append(key_bytes(value))
    return parts[0], parts[1] if len(parts) == 2 else b""


def expiry(table: Table, item: Item | None) -> int | None:
    """The epoch second the item expires at, when the table's TTL attribute is an N."""
    if item is None or table.ttl_attribute is None:
        return None
    value = item.get(table.ttl_attribute)
    if value is None or "N" not in value:
        return None
    try:
        return int(Decimal(value["N"]))
    except (InvalidOperation, OverflowError):
        return None


def _size(item: Item | None) -> int:
    return item_size(item) if item is not None else 0


class Changes:
    """Applies item changes to the store; call inside `store.transaction()`."""

    def __init__(self, store: DynamoDbStore, clock=time.time) -> None:
        self.store = store
        self.clock = clock

    def write(
        self,
        table: Table,
        key: Key,
        old: Item | None,
        new: Item | None,
        identity: dict | None = None,
        sizes: tuple[int, int] | None = None,
    ) -> None:
        """Replace `old` (None: no item) with `new` (None: delete) under `key`; `sizes`: the
        two items' sizes when the caller knows them already (0 for None)."""
        store, table_id = self.store, table.table_id
        if sizes is None:
            sizes = (_size(old), _size(new))
        old_size, new_size = sizes
        if new is None:
            store.delete_item(table_id, key.hash, key.range)
        else:
            store.put_item(table_id, key.hash, key.range, new, new_size, expiry(table, new))
        count, grown = (new is not None) - (old is not None), new_size - old_size
        if count or grown:  # as for an index's: a statement that changes nothing is skipped
            store.add_stats(table_id, "", count, grown)
        for index in table.indexes.values():
            self.reindex(table, index, key, old, new)
        if table.stream is not None and table.stream.enabled and (old or new):
            self._record(table, key, old, new, identity)

    def reindex(
        self, table: Table, index: Index, key: Key, old: Item | None, new: Item | None
    ) -> None:
        """Move the item's row in one index from what `old` put there to what `new` does."""
        store, base = self.store, (key.hash, key.range)
        before = index_key(index, table, old) if old is not None else None
        after = index_key(index, table, new) if new is not None else None
        count, size = 0, 0
        if before is not None:
            store.delete_index_row(table.table_id, index.name, before, base)
            count, size = count - 1, size - item_size(index.projected(old, table.keys))
        if after is not None:
            projected = index.projected(new, table.keys)
            projected_size = item_size(projected)
            store.put_index_row(table.table_id, index.name, after, base, projected, projected_size)
            count, size = count + 1, size + projected_size
        if count or size:
            store.add_stats(table.table_id, index.name, count, size)

    def _record(
        self, table: Table, key: Key, old: Item | None, new: Item | None, identity: dict | None
    ) -> None:
        stream = table.stream
        now = self.clock()
        event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        view = stream.view_type
        record: dict = {
            "ApproximateCreationDateTime": int(now),
            "Keys": key.attributes,
        }
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            record["NewImage"] = new
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            record["OldImage"] = old
        record["SequenceNumber"] = ""
        record["SizeBytes"] = sum(
            item_size(record[part]) for part in ("Keys", "NewImage", "OldImage") if part in record
        )
        record["StreamViewType"] = view
        self.store.add_record(stream.arn, int(now * 1000), event, record, identity)
