"""DynamoDB's item operations: PutItem, GetItem, UpdateItem, DeleteItem, BatchGetItem and
BatchWriteItem, with their expressions (ConditionExpression, UpdateExpression,
ProjectionExpression) and legacy forms (Expected, AttributeUpdates, AttributesToGet)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.dynamodb import clauses, expressions, item_collections
from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import Projection, Update
from overcast.services.dynamodb.items import capacity, read_units
from overcast.services.dynamodb.operations import OPERATIONS, DynamoDb
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import Item

CONDITION = (("ConditionExpression",), ("Expected", "ConditionalOperator"))
UPDATE = (("UpdateExpression", "ConditionExpression"),
          ("AttributeUpdates", "Expected", "ConditionalOperator"))  # fmt: skip
PROJECTION = (("ProjectionExpression",), ("AttributesToGet",))
UPDATE_RETURNS = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def _returns(params: dict, allowed: tuple[str, ...] = ("NONE", "ALL_OLD")) -> str:
    returns = params.get("ReturnValues") or "NONE"
    if returns not in allowed:
        raise ValidationException("Return values set to invalid value")
    return returns


def _failed_item(params: dict) -> bool:
    return params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"


def _write_condition(params: dict):
    with clauses.on_write():
        p = clauses.placeholders(params, *CONDITION)
        condition = clauses.condition_of(params, p)
        p.check_all_used()
    return condition.matches if condition is not None else None


@OPERATIONS("PutItem", inline=DynamoDb.store_free)
def put_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    returns = _returns(p)  # checked before anything is written
    condition = _write_condition(p)
    old, units, table = ddb.items.put(
        call.region, p["TableName"], p["Item"], condition, _failed_item(p)
    )
    used = capacity(table, units, p.get("ReturnConsumedCapacity"), write=True)
    return {
        **_attributes(returns == "ALL_OLD" and old),
        "ConsumedCapacity": used,
        "ItemCollectionMetrics": _collection(ddb, p, table, p["Item"]),
    }


def _collection(ddb: DynamoDb, params: dict, table: Table, key: Item) -> dict | None:
    if not item_collections.asked(params):
        return None
    return item_collections.metrics(ddb.items, table, key)


@OPERATIONS("DeleteItem", inline=DynamoDb.store_free)
def delete_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    returns = _returns(p)
    condition = _write_condition(p)
    old, units, table = ddb.items.delete(
        call.region, p["TableName"], p["Key"], condition, _failed_item(p)
    )
    used = capacity(table, units, p.get("ReturnConsumedCapacity"), write=True)
    return {
        **_attributes(returns == "ALL_OLD" and old),
        "ConsumedCapacity": used,
        "ItemCollectionMetrics": _collection(ddb, p, table, p["Key"]),
    }


def update_of(params: dict) -> tuple[Update, object]:
    """UpdateItem's change (UpdateExpression or AttributeUpdates) and its condition."""
    with clauses.on_write():
        p = clauses.placeholders(params, *UPDATE)
        condition = clauses.condition_of(params, p)
        if params.get("UpdateExpression") is not None:
            change = expressions.update(params["UpdateExpression"], p)
        else:
            updates = clauses.legacy_values(params.get("AttributeUpdates")) or {}
            change = expressions.from_attribute_updates(updates)
        p.check_all_used()
    return change, condition.matches if condition is not None else None


@OPERATIONS("UpdateItem", inline=DynamoDb.store_free)
def update_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    returns = _returns(p, UPDATE_RETURNS)
    change, condition = update_of(p)
    old, new, units, table = ddb.items.update(
        call.region, p["TableName"], p["Key"], change, condition, _failed_item(p)
    )
    used = capacity(table, units, p.get("ReturnConsumedCapacity"), write=True)
    return {
        **_attributes(_returned(returns, change, old, new)),
        "ConsumedCapacity": used,
        "ItemCollectionMetrics": _collection(ddb, p, table, p["Key"]),
    }


def _returned(returns: str, change: Update, old: Item | None, new: Item) -> Item | None:
    """ReturnValues of an UpdateItem: the whole item or the updated paths, before or after."""
    item = old if returns in ("ALL_OLD", "UPDATED_OLD") else new
    if returns == "NONE" or item is None:
        return None
    if returns.startswith("UPDATED"):
        return Projection(change.targets).apply(item)
    return item


def _attributes(item: Item | None | bool) -> dict:
    return {"Attributes": item} if item else {}


@OPERATIONS("GetItem", inline=DynamoDb.store_free)
def get_item(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    projection = _projection(p)
    item, size, table = ddb.items.get(call.region, p["TableName"], p["Key"])
    units = read_units(size, bool(p.get("ConsistentRead")))
    used = capacity(table, units, p.get("ReturnConsumedCapacity"))
    return {"Item": _projected(item, projection), "ConsumedCapacity": used}


def _projection(params: dict) -> Projection | None:
    p = clauses.placeholders(params, *PROJECTION)
    projection = clauses.projection_of(params, p)
    p.check_all_used()
    return projection


def _projected(item: Item | None, projection: Projection | None) -> Item | None:
    if item is None or projection is None:
        return item
    return projection.apply(item)


@OPERATIONS("BatchGetItem")
def batch_get_item(ddb: DynamoDb, call: Call) -> dict:
    request = call.params["RequestItems"]
    projections = {name: _projection(spec) for name, spec in request.items()}
    responses, unprocessed, used = ddb.items.batch_get(call.region, request)
    for name, items in responses.items():
        responses[name] = [_projected(item, projections[name]) for item in items]
    asked = call.params.get("ReturnConsumedCapacity")
    consumed = [capacity(table, units, asked) for table, units in used]
    return {
        "Responses": responses,
        "UnprocessedKeys": unprocessed,
        "ConsumedCapacity": consumed if asked in ("TOTAL", "INDEXES") else None,
    }


@OPERATIONS("BatchWriteItem")
def batch_write_item(ddb: DynamoDb, call: Call) -> dict:
    request = call.params["RequestItems"]
    used = ddb.items.batch_write(call.region, request)
    asked = call.params.get("ReturnConsumedCapacity")
    consumed = [capacity(table, units, asked, write=True) for table, units in used]
    collections = None
    if item_collections.asked(call.params):
        writes = [
            (name, (write.get("PutRequest") or {}).get("Item") or write["DeleteRequest"]["Key"])
            for name, table_writes in request.items()
            for write in table_writes
        ]
        collections = item_collections.per_table(ddb.items, call.region, writes)
    return {
        "UnprocessedItems": {},
        "ConsumedCapacity": consumed if asked in ("TOTAL", "INDEXES") else None,
        "ItemCollectionMetrics": collections,
    }
