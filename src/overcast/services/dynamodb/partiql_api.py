"""DynamoDB's PartiQL operations: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction
(partiql/ has the language and the rules)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.dynamodb.items import capacity
from overcast.services.dynamodb.operations import OPERATIONS, DynamoDb
from overcast.services.dynamodb.partiql import batches, statements, transact


@OPERATIONS("ExecuteStatement")
def execute_statement(ddb: DynamoDb, call: Call) -> dict:
    p = call.params
    done = statements.execute(ddb.items, call.region, p)
    used = capacity(done.table, done.units, p.get("ReturnConsumedCapacity"), write=done.write)
    return {"Items": done.items, "NextToken": done.next_token, "ConsumedCapacity": used}


@OPERATIONS("BatchExecuteStatement")
def batch_execute_statement(ddb: DynamoDb, call: Call) -> dict:
    responses, outcomes = batches.execute(ddb.items, call.region, call.params)
    asked = call.params.get("ReturnConsumedCapacity")
    per_table: dict[str, tuple] = {}
    for done in outcomes:
        _, before, _ = per_table.get(done.table.name, (done.table, 0.0, done.write))
        per_table[done.table.name] = (done.table, before + done.units, done.write)
    consumed = [capacity(table, units, asked, write) for table, units, write in per_table.values()]
    return {"Responses": responses, "ConsumedCapacity": consumed if asked in ("TOTAL", "INDEXES")
            and consumed else None}  # fmt: skip


@OPERATIONS("ExecuteTransaction")
def execute_transaction(ddb: DynamoDb, call: Call) -> dict:
    responses, used = transact.execute(ddb.items, call.region, call.params)
    asked = call.params.get("ReturnConsumedCapacity")
    write = responses is None
    consumed = [capacity(table, units, asked, write) for table, units in used]
    return {
        "Responses": responses,
        "ConsumedCapacity": consumed if asked in ("TOTAL", "INDEXES") else None,
    }
