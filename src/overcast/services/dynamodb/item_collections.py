"""ReturnItemCollectionMetrics: the size of the item collection a write touched, on tables
with a local secondary index.

"An item collection is any group of items that have the same partition key value in a table
and all of its local secondary indexes"; with ReturnItemCollectionMetrics SIZE, PutItem,
UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems answer `ItemCollectionKey` (the
partition key) and `SizeEstimateRangeGB`, "a two-element array containing a lower bound and an
upper bound for the estimate", which "includes the size of all the items in the table, plus
the size of all attributes projected into all of the local secondary indexes on that table".
"If the table does not have any local secondary indexes, this information is not returned in
the response" (API reference, ItemCollectionMetrics; Developer Guide, "Item collections").

The size is measured, not estimated: the collection's items and LSI rows as stored, after the
write. The bounds are the whole gigabytes around it: [0.0, 1.0] below 1 GB, as the Developer
Guide's example shows for a small collection. (How finely DynamoDB's own bounds are cut is not
documented.)
"""

from __future__ import annotations

from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import Item, key_bytes, validate_item

GB = 1 << 30


def asked(params: dict) -> bool:
    return params.get("ReturnItemCollectionMetrics") == "SIZE"


def metrics(items: ItemService, table: Table, key: Item) -> dict | None:
    """The ItemCollectionMetrics of the collection of `key` (an item, or a key, as sent);
    None for a table without a local secondary index."""
    local = [index.name for index in table.indexes.values() if index.local]
    if not local:
        return None
    name = table.keys.hash
    value = validate_item({name: key[name]})[name]  # as stored: numbers normalised
    size = items.store.collection_size(table.table_id, key_bytes(value), local)
    return {"ItemCollectionKey": {name: value}, "SizeEstimateRangeGB": size_range(size)}


def size_range(size: int) -> list[float]:
    """SizeEstimateRangeGB of a collection of `size` bytes: the whole gigabytes around it."""
    low = float(size // GB)
    return [low, low + 1.0]


def per_table(items: ItemService, region: str, writes: list[tuple[str, Item]]) -> dict | None:
    """BatchWriteItem's and TransactWriteItems' ItemCollectionMetrics: by table name, one
    entry per write (its table name or ARN, its item or key) on a table with an LSI; None
    when no write was on one."""
    found: dict[str, list[dict]] = {}
    for name, key in writes:
        table = items.table(region, name)
        measured = metrics(items, table, key)
        if measured is not None:
            found.setdefault(table.name, []).append(measured)
    return found or None
