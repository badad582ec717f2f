"""DynamoDB's TransactWriteItems and TransactGetItems (transactions.py has the rules)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.dynamodb import item_collections
from overcast.services.dynamodb.items import capacity
from overcast.services.dynamodb.operations import OPERATIONS, DynamoDb
from overcast.services.dynamodb.transactions import Transactions


def _consumed(used: list, asked: str | None, write: bool) -> list | None:
    if asked not in ("TOTAL", "INDEXES"):
        return None
    return [capacity(table, units, asked, write=write) for table, units in used]


@OPERATIONS("TransactWriteItems")
def transact_write_items(ddb: DynamoDb, call: Call) -> dict:
    used = Transactions(ddb.items).write(call.region, call.params)
    collections = None
    if item_collections.asked(call.params):
        writes = [
            (spec["TableName"], spec.get("Item") or spec["Key"])
            for entry in call.params["TransactItems"]
            for kind, spec in entry.items()
            if kind in ("Put", "Update", "Delete") and spec is not None
        ]
        collections = item_collections.per_table(ddb.items, call.region, writes)
    return {
        "ConsumedCapacity": _consumed(used, call.params.get("ReturnConsumedCapacity"), True),
        "ItemCollectionMetrics": collections,
    }


@OPERATIONS("TransactGetItems")
def transact_get_items(ddb: DynamoDb, call: Call) -> dict:
    answers, used = Transactions(ddb.items).get(call.region, call.params)
    asked = call.params.get("ReturnConsumedCapacity")
    return {"Responses": answers, "ConsumedCapacity": _consumed(used, asked, False)}
