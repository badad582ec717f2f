"""ExecuteTransaction: up to 100 statements, all or nothing, through the same transaction path
as TransactWriteItems / TransactGetItems ("Performing transactions with PartiQL for DynamoDB").

A transaction reads (SELECTs of one item each, by its whole key, not on an index: one snapshot)
or writes (INSERT, UPDATE, DELETE, and EXISTS(SELECT ...) as a ConditionCheck), never both
("ExecuteTransaction API does not support both read and write operations in the same
request."). A write that fails cancels them all: TransactionCanceledException with one reason
per statement (ConditionalCheckFailed, DuplicateItem, ValidationError, or None). The
ClientRequestToken makes it idempotent for 10 minutes, as for TransactWriteItems.

Wordings: DynamoDB Local's ("Reads on indices are not supported within transactions.",
"Select statements within ExecuteTransaction must specify the primary key in the where
clause.", "EXISTS() must contain a single item read with additional condition", "Operations
on indices are not supported in transactions").
"""

from __future__ import annotations

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import Projection
from overcast.services.dynamodb.items import ItemService, refuse_key_updates
from overcast.services.dynamodb.keys import item_key, key_param
from overcast.services.dynamodb.partiql import conditions, updates, writes
from overcast.services.dynamodb.partiql.statements import prepare
from overcast.services.dynamodb.partiql.syntax import Delete, Exists, Insert, Select, Update
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.transactions import Action, Transactions, digest
from overcast.services.dynamodb.types import check_item_size, item_size, validate_item

MIXED = (
    "ExecuteTransaction API does not support both read and write operations in the same request."
)
READ_BY_KEY = (
    "Select statements within ExecuteTransaction must specify the primary key in the where clause."
)


def execute(items: ItemService, region: str, params: dict) -> tuple[list[dict] | None, list]:
    """The Responses (one per read; None for writes) and per table (table, units)."""
    prepared = [
        (prepare(entry["Statement"], entry.get("Parameters")), entry)
        for entry in params["TransactStatements"]
    ]
    reads = [isinstance(parsed.statement, Select) for (parsed, _), _ in prepared]
    if any(reads) and not all(reads):
        raise ValidationException(MIXED)
    for position, ((parsed, _), _) in enumerate(prepared):
        if getattr(parsed.statement, "returning", None) is not None:
            raise ValidationException(
                f"Validation failed in statements[{position}]: RETURNING clause is not "
                "supported in ExecuteTransaction."
            )
    if all(reads):
        return _read(items, region, prepared)
    actions = [_action(items, region, parsed.statement, parameters, entry)
               for (parsed, parameters), entry in prepared]  # fmt: skip
    used = Transactions(items).commit(
        region, actions, params.get("ClientRequestToken"), digest(params)
    )
    return None, used


def _read(items: ItemService, region: str, prepared: list) -> tuple[list[dict], list]:
    plans = []
    for (parsed, parameters), _ in prepared:
        statement: Select = parsed.statement
        table = items.table(region, statement.source.table)
        if statement.source.index is not None:
            raise ValidationException("Reads on indices are not supported within transactions.")
        key, rest = _keyed(statement.where, table, parameters, READ_BY_KEY)
        keep = conditions.condition(rest, parameters)
        projection = None
        if statement.projection is not None:
            projection = Projection(tuple(p.elements for p in statement.projection))
        plans.append((table, key_param(table, key), keep, projection))
    if len({(t.table_id, k.hash, k.range) for t, k, _, _ in plans}) != len(plans):
        raise ValidationException(
            "Transaction request cannot include multiple operations on one item"
        )
    responses, units = [], {}
    with items.store.transaction():  # one snapshot for every read
        for table, key, keep, projection in plans:
            item = items.current(table, key)
            size = item_size(item) if item else 0
            if item is not None and keep is not None and not keep.matches(item):
                item = None
            responses.append({} if item is None else
                             {"Item": projection.apply(item) if projection else item})  # fmt: skip
            _, before = units.get(table.name, (table, 0.0))
            units[table.name] = (table, before + 2.0 * max(1, -(-size // 4096)))
    return responses, list(units.values())


def _keyed(where, table: Table, parameters: list, refusal: str):
    try:
        return conditions.key_values(where, table, parameters)
    except ValidationException as refused:
        if refused.message == conditions.NO_KEY:
            raise ValidationException(refusal) from None
        raise


def _action(items: ItemService, region: str, statement, parameters: list,
            entry: dict) -> Action:  # fmt: skip
    failed = entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    source = statement.select.source if isinstance(statement, Exists) else statement.source
    if source.index is not None:
        raise ValidationException("Operations on indices are not supported in transactions")
    table = items.table(region, source.table)
    if isinstance(statement, Insert):
        item = validate_item(writes.item_of(statement, parameters))
        key = item_key(table, item)
        check_item_size(item)
        return Action("Put", table, key, item, failed_item=failed, insert=True)
    if isinstance(statement, Exists):
        where = statement.select.where
        key, rest = _keyed(where, table, parameters, _EXISTS)
        if rest is None:
            raise ValidationException(_EXISTS)
        check = writes.exists_and(conditions.condition(rest, parameters))
        return Action("ConditionCheck", table, key_param(table, key), None, None, check, failed)
    key, rest = conditions.key_values(statement.where, table, parameters)
    keep = conditions.condition(rest, parameters)
    if isinstance(statement, Delete):
        check = writes.absent_or(keep)
        return Action("Delete", table, key_param(table, key), None, None, check, failed)
    assert isinstance(statement, Update)
    change = updates.update(statement.actions, parameters)
    refuse_key_updates(table, change)
    check = writes.exists_and(keep)
    return Action("Update", table, key_param(table, key), None, change, check, failed)


_EXISTS = "EXISTS() must contain a single item read with additional condition"
