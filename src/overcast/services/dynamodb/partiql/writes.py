"""PartiQL's single-item writes, through the item service (one SQLite transaction each, stream
records and indexes kept as for PutItem / UpdateItem / DeleteItem):

- INSERT writes an item whose key no item has; one that exists is DuplicateItemException
  ("Duplicate primary key exists in table"; "PartiQL insert statements for DynamoDB");
- UPDATE changes the one item its WHERE names by its whole key, and only if the rest of the
  clause holds of it; no such item is ConditionalCheckFailedException ("If the WHERE clause of
  the UPDATE statement does not evaluate to true for any item ...");
- DELETE removes the item its WHERE names; none there is success, an item the rest of the
  clause rejects is ConditionalCheckFailedException.

`RETURNING ALL OLD *` (and for UPDATE `MODIFIED OLD`, `ALL NEW`, `MODIFIED NEW`) puts the item
in `Items`; ReturnValuesOnConditionCheckFailure ALL_OLD puts it in the refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from overcast.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    DuplicateItemException,
    ValidationException,
)
from overcast.services.dynamodb.expressions import Condition, Projection
from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.partiql import conditions, updates
from overcast.services.dynamodb.partiql.syntax import Delete, Insert, Update
from overcast.services.dynamodb.partiql.values import value_of
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import Item

NOT_ON_INDEX = "This operation is not supported on an index"


@dataclass
class Written:
    table: Table
    units: float
    items: list[Item]


def item_of(statement: Insert, parameters: list) -> Item:
    value = value_of(statement.item, parameters)
    if "M" not in value:
        raise ValidationException(
            "Unsupported format in item expression. Please use struct format {...} to express "
            "item values for insert statement."
        )
    return value["M"]


def exists_and(rest: Condition | None) -> Callable[[Item | None], bool]:
    """The item is there, and the rest of the WHERE clause holds of it."""
    return lambda old: old is not None and (rest is None or rest.matches(old))


def absent_or(rest: Condition | None) -> Callable[[Item | None], bool] | None:
    """No item (nothing to delete), or one the rest of the WHERE clause holds of."""
    if rest is None:
        return None
    return lambda old: old is None or rest.matches(old)


def refuse_index(index: str | None) -> None:
    if index is not None:
        raise ValidationException(NOT_ON_INDEX)


def insert(items: ItemService, region: str, statement: Insert, parameters: list) -> Written:
    refuse_index(statement.source.index)
    item = item_of(statement, parameters)
    try:
        _, units, table = items.put(region, statement.source.table, item, lambda old: old is None)
    except ConditionalCheckFailedException:
        raise DuplicateItemException() from None
    return Written(table, units, [])


def update(items: ItemService, region: str, statement: Update, parameters: list,
           failed_item: bool) -> Written:  # fmt: skip
    refuse_index(statement.source.index)
    table = items.table(region, statement.source.table)
    key, rest = conditions.key_values(statement.where, table, parameters)
    change = updates.update(statement.actions, parameters)
    check = exists_and(conditions.condition(rest, parameters))
    old, new, units, table = items.update(region, table.name, key, change, check, failed_item)
    returned = {"ALL OLD": old, "MODIFIED OLD": old, "ALL NEW": new, "MODIFIED NEW": new}
    item = returned.get(statement.returning or "")
    if item is not None and (statement.returning or "").startswith("MODIFIED"):
        item = Projection(change.targets).apply(item)
    return Written(table, units, [item] if item is not None else [])


def delete(items: ItemService, region: str, statement: Delete, parameters: list,
           failed_item: bool) -> Written:  # fmt: skip
    refuse_index(statement.source.index)
    if statement.returning not in (None, "ALL OLD"):
        raise ValidationException(
            f"Invalid returning clause: RETURNING {statement.returning} *. Only RETURNING ALL "
            "OLD * is allowed in DELETE statements."
        )
    table = items.table(region, statement.source.table)
    key, rest = conditions.key_values(statement.where, table, parameters)
    check = absent_or(conditions.condition(rest, parameters))
    old, units, table = items.delete(region, table.name, key, check, failed_item)
    returned = [old] if statement.returning and old is not None else []
    return Written(table, units, returned)
