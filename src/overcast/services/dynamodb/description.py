"""A table as DescribeTable (and CreateTable, UpdateTable, DeleteTable) answer it: the
`TableDescription` shape of botocore's model, with the counts and sizes kept with each write
(AWS refreshes its ItemCount about every six hours; here it is current)."""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.services.dynamodb.schema import Index, Table


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _throughput(units: dict | None) -> dict:
    units = units or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {"NumberOfDecreasesToday": 0, **units}


def describe(table: Table, stats: dict[str, tuple[int, int]], status: str = "ACTIVE") -> dict:
    count, size = stats.get("", (0, 0))
    found: dict = {
        "AttributeDefinitions": table.definitions,
        "TableName": table.name,
        "KeySchema": table.keys.wire(),
        "TableStatus": status,
        "CreationDateTime": _when(table.created),
        "ProvisionedThroughput": _throughput(table.throughput),
        "TableSizeBytes": size,
        "ItemCount": count,
        "TableArn": table.arn,
        "TableId": table.table_id,
        "DeletionProtectionEnabled": table.deletion_protection,
    }
    if table.billing_mode == "PAY_PER_REQUEST" or table.billing_switched is not None:
        found["BillingModeSummary"] = {
            "BillingMode": table.billing_mode,
            "LastUpdateToPayPerRequestDateTime": _when(table.billing_switched or table.created),
        }
    local = [i for i in table.indexes.values() if i.local]
    global_ = [i for i in table.indexes.values() if not i.local]
    if local:
        found["LocalSecondaryIndexes"] = [_index(table, i, stats) for i in local]
    if global_:
        found["GlobalSecondaryIndexes"] = [_index(table, i, stats) for i in global_]
    stream = table.stream
    if stream is not None:
        found["StreamSpecification"] = (
            {"StreamEnabled": True, "StreamViewType": stream.view_type}
            if stream.enabled
            else {"StreamEnabled": False}
        )
        found["LatestStreamLabel"] = stream.label
        found["LatestStreamArn"] = stream.arn
    if table.sse is not None:
        found["SSEDescription"] = table.sse
    if table.table_class is not None:
        found["TableClassSummary"] = {"TableClass": table.table_class}
    return found


def _index(table: Table, index: Index, stats: dict[str, tuple[int, int]]) -> dict:
    count, size = stats.get(index.name, (0, 0))
    projection: dict = {"ProjectionType": index.projection}
    if index.non_key:
        projection["NonKeyAttributes"] = index.non_key
    found: dict = {
        "IndexName": index.name,
        "KeySchema": index.keys.wire(),
        "Projection": projection,
        "IndexSizeBytes": size,
        "ItemCount": count,
        "IndexArn": f"{table.arn}/index/{index.name}",
    }
    if not index.local:
        found["IndexStatus"] = index.status
        if index.status == "CREATING":
            found["Backfilling"] = True
        found["ProvisionedThroughput"] = _throughput(index.throughput)
    return found
