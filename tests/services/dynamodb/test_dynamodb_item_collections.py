"""ReturnItemCollectionMetrics SIZE (item_collections.py): PutItem, UpdateItem, DeleteItem,
BatchWriteItem and TransactWriteItems answer ItemCollectionKey and SizeEstimateRangeGB for a
table with a local secondary index, and nothing for a table without one; through boto3, and
the collection's size in process."""

from __future__ import annotations

import pytest

from overcast.services.dynamodb.item_collections import GB, size_range
from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodb.tables import TableService
from overcast.services.dynamodb.types import item_size, key_bytes

LSI = {
    "IndexName": "by-n",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "n", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}  # fmt: skip
N = [{"AttributeName": "n", "AttributeType": "N"}]
SMALL = {"ItemCollectionKey": {"pk": {"S": "a"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


@pytest.fixture
def tables(ddb, make_table) -> tuple[str, str]:
    """A table with a local secondary index, and one without."""
    with_lsi = make_table("N", extra_definitions=N, LocalSecondaryIndexes=[LSI])
    return with_lsi, make_table("N")


def test_single_writes_answer_the_collection_on_a_table_with_an_lsi(ddb, tables) -> None:
    name, plain = tables
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "5"}}
    put = ddb.put_item(TableName=name, Item=item, ReturnItemCollectionMetrics="SIZE")
    assert put["ItemCollectionMetrics"] == SMALL
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    updated = ddb.update_item(
        TableName=name, Key=key, UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "6"}}, ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    assert updated["ItemCollectionMetrics"] == SMALL
    deleted = ddb.delete_item(TableName=name, Key=key, ReturnItemCollectionMetrics="SIZE")
    assert deleted["ItemCollectionMetrics"] == SMALL
    # Not asked, or no local secondary index: nothing.
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=name, Item=item)
    none = ddb.put_item(TableName=name, Item=item, ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in none
    on_plain = ddb.put_item(TableName=plain, Item=item, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in on_plain


def test_batch_and_transaction_writes_answer_each_write_by_table(ddb, tables) -> None:
    name, plain = tables

    def put(pk: str, sk: str) -> dict:
        return {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"N": sk}}}}

    batch = ddb.batch_write_item(
        RequestItems={
            name: [put("a", "1"), put("b", "1"), {"DeleteRequest": {"Key": {
                "pk": {"S": "c"}, "sk": {"N": "1"}}}}],
            plain: [put("a", "1")],
        },
        ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    keys = [m["ItemCollectionKey"] for m in batch["ItemCollectionMetrics"][name]]
    assert keys == [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}, {"pk": {"S": "c"}}]
    assert list(batch["ItemCollectionMetrics"]) == [name]

    key = {"pk": {"S": "b"}, "sk": {"N": "1"}}
    transaction = ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "d"}, "sk": {"N": "1"}}}},
            {"Update": {"TableName": name, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "x"}}}},
            {"ConditionCheck": {"TableName": name, "Key": key,
                                "ConditionExpression": "attribute_exists(pk)"}},
            {"Delete": {"TableName": plain, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
        ],
        ReturnItemCollectionMetrics="SIZE",
    )  # fmt: skip
    metrics = transaction["ItemCollectionMetrics"]
    assert list(metrics) == [name]
    assert [m["ItemCollectionKey"] for m in metrics[name]] == [
        {"pk": {"S": "d"}}, {"pk": {"S": "a"}}
    ]  # fmt: skip
    assert all(m["SizeEstimateRangeGB"] == [0.0, 1.0] for m in metrics[name])

    only_plain = ddb.batch_write_item(
        RequestItems={plain: [put("z", "1")]}, ReturnItemCollectionMetrics="SIZE"
    )
    assert not only_plain.get("ItemCollectionMetrics")


def test_the_size_is_the_partitions_items_and_lsi_rows(tmp_path) -> None:
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    tables = TableService(store, "123456789012", lambda: 1_800_000_000.0)
    tables.create("us-east-1", {
        "TableName": "t", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"},
                                 {"AttributeName": "n", "AttributeType": "N"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "LocalSecondaryIndexes": [{**LSI, "Projection": {"ProjectionType": "ALL"}}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}],
    })  # fmt: skip
    items = ItemService(tables)
    mine = [
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}, "g": {"S": "g"}},  # in the LSI
        {"pk": {"S": "a"}, "sk": {"N": "2"}, "pad": {"S": "x" * 500}},  # not in the LSI
    ]
    for item in [*mine, {"pk": {"S": "b"}, "sk": {"N": "1"}, "n": {"N": "1"}}]:
        items.put("us-east-1", "t", item)
    table = tables.find("us-east-1", "t")
    size = store.collection_size(table.table_id, key_bytes({"S": "a"}), ["by-n"])
    assert size == sum(item_size(item) for item in mine) + item_size(mine[0])
    assert store.collection_size(table.table_id, key_bytes({"S": "c"}), ["by-n"]) == 0
    store.close()


def test_the_range_is_the_whole_gigabytes_around_the_size() -> None:
    assert size_range(0) == [0.0, 1.0] and size_range(GB - 1) == [0.0, 1.0]
    assert size_range(3 * GB + 5) == [3.0, 4.0]
