"""Items by key: PutItem, GetItem, DeleteItem, BatchGetItem, BatchWriteItem.

Each write reads the old item and writes the new one, its index rows, counts and stream record
in one transaction (changes.py), so a concurrent write never interleaves and a refused write
changes nothing. `condition` (an expression `Condition`'s `matches(item) -> bool`) is checked
against the old item inside that transaction; `failed_item` (ReturnValuesOnConditionCheckFailure
ALL_OLD) puts the old item in the ConditionalCheckFailedException.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from overcast.services.dynamodb.changes import Changes, Key
from overcast.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    ResourceNotFoundException,
    ValidationException,
)
from overcast.services.dynamodb.expressions import Update
from overcast.services.dynamodb.keys import check_index_keys, item_key, key_param
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.tables import TableService
from overcast.services.dynamodb.types import (
    MAX_ITEM_BYTES,
    Item,
    check_item_size,
    equal,
    invalid,
    item_size,
    validate_item,
)

MAX_BATCH_GET = 100
MAX_BATCH_WRITE = 25
BATCH_GET_BYTES = 16 * 1024 * 1024  # "up to 16 MB of data" a BatchGetItem answer
Condition = Callable[[Item | None], bool]


def missing_table() -> ResourceNotFoundException:
    return ResourceNotFoundException("Requested resource not found")


def read_units(size: int, consistent: bool) -> float:
    """A strongly consistent read is one unit per 4 KB, an eventually consistent one half."""
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


def capacity(table: Table, units: float, asked: str | None, write: bool = False) -> dict | None:
    """ConsumedCapacity as ReturnConsumedCapacity asks (TOTAL, INDEXES), else None."""
    if asked not in ("TOTAL", "INDEXES"):
        return None
    found: dict = {"TableName": table.name, "CapacityUnits": units}
    found["WriteCapacityUnits" if write else "ReadCapacityUnits"] = units
    if asked == "INDEXES":
        found["Table"] = {"CapacityUnits": units}
    return found


class ItemService:
    def __init__(self, tables: TableService) -> None:
        self.tables = tables
        self.store = tables.store
        self.changes: Changes = tables.changes

    def table(self, region: str, name: str) -> Table:
        table = self.tables.find(region, name)
        if table is None:
            raise missing_table()
        return table

    # --- single items ---

    def put(
        self,
        region: str,
        name: str,
        item: object,
        condition: Condition | None = None,
        failed_item: bool = False,
    ) -> tuple[Item | None, float, Table]:
        """Write the item; the old item (or None) and the write units used."""
        table = self.table(region, name)
        new = validate_item(item)
        key = item_key(table, new)
        size = check_item_size(new)
        with self.store.transaction():
            old, old_size = self.sized(table, key)
            _check(condition, old, failed_item)
            self.changes.write(table, key, old, new, sizes=(old_size, size))
        return old, write_units(max(size, old_size)), table

    def get(self, region: str, name: str, key: object) -> tuple[Item | None, int, Table]:
        """The item (or None), its size (0 for none), and its table."""
        table = self.table(region, name)
        found, size = self.sized(table, key_param(table, key))
        return found, size, table

    def delete(
        self,
        region: str,
        name: str,
        key: object,
        condition: Condition | None = None,
        failed_item: bool = False,
    ) -> tuple[Item | None, float, Table]:
        table = self.table(region, name)
        at = key_param(table, key)
        with self.store.transaction():
            old, old_size = self.sized(table, at)
            _check(condition, old, failed_item)
            if old is not None:
                self.changes.write(table, at, old, None, sizes=(old_size, 0))
        return old, write_units(old_size), table

    def update(
        self,
        region: str,
        name: str,
        key: object,
        change: Update,
        condition: Condition | None = None,
        failed_item: bool = False,
    ) -> tuple[Item | None, Item, float, Table]:
        """Apply `change` to the item (to its key alone when there is none: UpdateItem
        creates it); the old item (or None), the new one, and the write units used."""
        table = self.table(region, name)
        at = key_param(table, key)
        refuse_key_updates(table, change)
        with self.store.transaction():
            old, old_size = self.sized(table, at)
            _check(condition, old, failed_item)
            new, new_size = updated(table, change, old, at.attributes)
            # "If you perform ... an UpdateItem operation that does not change any data in an
            # item, DynamoDB Streams does not write a stream record for that operation."
            if old is None or not equal({"M": old}, {"M": new}):
                self.changes.write(table, at, old, new, sizes=(old_size, new_size))
        return old, new, write_units(max(new_size, old_size)), table

    def current(self, table: Table, key: Key) -> Item | None:
        return self.sized(table, key)[0]

    def sized(self, table: Table, key: Key) -> tuple[Item | None, int]:
        """The item under `key` (or None) and its size as kept with it (0 for none)."""
        found = self.store.item(table.table_id, key.hash, key.range)
        return found if found is not None else (None, 0)

    # --- batches ---

    def batch_get(self, region: str, request: dict) -> tuple[dict, dict, list[tuple]]:
        """Responses by table, UnprocessedKeys (past 16 MB of answer), and per table
        (table, read units) for ConsumedCapacity."""
        total = sum(len(spec.get("Keys") or []) for spec in request.values())
        if total > MAX_BATCH_GET:
            raise ValidationException("Too many items requested for the BatchGetItem call")
        plans = []
        for name, spec in request.items():
            table = self.table(region, name)
            keys = [key_param(table, key) for key in spec["Keys"]]
            if len({(k.hash, k.range) for k in keys}) != len(keys):
                raise ValidationException("Provided list of item keys contains duplicates")
            plans.append((table, spec, keys))
        responses: dict[str, list] = {}
        unprocessed: dict[str, dict] = {}
        used: list[tuple] = []
        size = 0
        for table, spec, keys in plans:
            found, units = [], 0.0
            for position, key in enumerate(keys):
                if size > BATCH_GET_BYTES:
                    rest = {**spec, "Keys": [k.attributes for k in keys[position:]]}
                    unprocessed[table.name] = rest
                    break
                item = self.current(table, key)
                units += read_units(
                    item_size(item) if item else 0, bool(spec.get("ConsistentRead"))
                )
                if item is not None:
                    size += item_size(item)
                    found.append(item)
            responses[table.name] = found
            used.append((table, units))
        return responses, unprocessed, used

    def batch_write(self, region: str, request: dict) -> list[tuple]:
        """Every put and delete, checked first, then written in one transaction; per table
        (table, write units)."""
        total = sum(len(writes) for writes in request.values())
        if total > MAX_BATCH_WRITE:
            raise ValidationException("Too many items requested for the BatchWriteItem call")
        plans = []
        for name, writes in request.items():
            table = self.table(region, name)
            seen: set[tuple] = set()
            for write in writes:
                plan = _planned(table, write)
                if (plan[0].hash, plan[0].range) in seen:
                    raise ValidationException("Provided list of item keys contains duplicates")
                seen.add((plan[0].hash, plan[0].range))
                plans.append((table, *plan))
        units: dict[str, tuple[Table, float]] = {}
        with self.store.transaction():
            for table, key, new in plans:
                old = self.current(table, key)
                if old is not None or new is not None:
                    self.changes.write(table, key, old, new)
                size = max(item_size(new) if new else 0, item_size(old) if old else 0)
                _, before = units.get(table.name, (table, 0.0))
                units[table.name] = (table, before + write_units(size))
        return list(units.values())


def _planned(table: Table, write: dict) -> tuple[Key, Item | None]:
    put, delete = write.get("PutRequest"), write.get("DeleteRequest")
    if (put is None) == (delete is None):
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
            if put is not None
            else "1 validation error detected: Value null at 'requestItems.member.putRequest' "
            "failed to satisfy constraint: Member must not be null"
        )
    if put is not None:
        new = validate_item(put["Item"])
        key = item_key(table, new)
        check_item_size(new)
        return key, new
    return key_param(table, delete["Key"]), None


def _check(condition: Condition | None, old: Item | None, failed_item: bool = False) -> None:
    if condition is not None and not condition(old):
        raise ConditionalCheckFailedException(item=old if failed_item else None)


def refuse_key_updates(table: Table, change: Update) -> None:
    for name in change.paths:
        if name in table.keys.names:
            raise invalid(f"Cannot update attribute {name}. This attribute is part of the key")


def updated(table: Table, change: Update, old: Item | None, key: Item) -> tuple[Item, int]:
    """The item `change` makes of `old` (of the key alone when there is none), checked as a
    written item is: values normalised, index key types, 400 KB; and its size."""
    new = validate_item(change.apply(old if old is not None else dict(key)))
    check_index_keys(table, new)
    size = item_size(new)
    if size > MAX_ITEM_BYTES:
        raise ValidationException("Item size to update has exceeded the maximum allowed size")
    return new, size
