"""UpdateItem through boto3 (client and resource): UpdateExpression and the legacy
AttributeUpdates, conditions, the five ReturnValues, upserts, key updates refused, index rows
moved; and, in-process, the stream records an update writes (INSERT, MODIFY, none when
nothing changed)."""

from __future__ import annotations

import json

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from overcast.services.dynamodb import expressions
from overcast.services.dynamodb.items import ItemService
from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodb.tables import TableService


def error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_update_expression_upserts_and_returns_values(ddb, make_table):
    name = make_table()
    key = {"pk": {"S": "a"}}
    created = ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET n = :one, l = :l ADD s :s",
        ExpressionAttributeValues={":one": {"N": "1.0"}, ":l": {"L": []}, ":s": {"SS": ["x"]}},
        ReturnValues="ALL_NEW",
    )
    assert created["Attributes"] == {
        "pk": {"S": "a"},
        "n": {"N": "1"},
        "l": {"L": []},
        "s": {"SS": ["x"]},
    }
    returned = {}
    for returns in ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"):
        answer = ddb.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="SET n = n + :one, l = list_append(l, :l) REMOVE gone",
            ExpressionAttributeValues={":one": {"N": "1"}, ":l": {"L": [{"S": returns}]}},
            ReturnValues=returns,
        )
        returned[returns] = answer.get("Attributes")
    assert returned["NONE"] is None
    assert returned["ALL_OLD"]["n"] == {"N": "2"} and returned["ALL_OLD"]["s"] == {"SS": ["x"]}
    assert returned["UPDATED_OLD"] == {
        "n": {"N": "3"},
        "l": {"L": [{"S": "NONE"}, {"S": "ALL_OLD"}]},
    }
    assert returned["ALL_NEW"]["n"] == {"N": "5"} and "s" in returned["ALL_NEW"]
    assert set(returned["UPDATED_NEW"]) == {"n", "l"} and returned["UPDATED_NEW"]["n"] == {"N": "6"}
    got = ddb.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]
    assert [v["S"] for v in got["l"]["L"]] == [
        "NONE",
        "ALL_OLD",
        "UPDATED_OLD",
        "ALL_NEW",
        "UPDATED_NEW",
    ]


def test_update_conditions_and_refusals(ddb, make_table):
    name = make_table("N")
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
        ddb.update_item(
            TableName=name,
            Key=key,
            UpdateExpression="SET v = :v",
            ConditionExpression="v > :v",
            ExpressionAttributeValues={":v": {"N": "5"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Item"] == {**key, "v": {"N": "1"}}
    assert error(
        ddb.update_item,
        TableName=name,
        Key=key,
        UpdateExpression="SET sk = :v",
        ExpressionAttributeValues={":v": {"N": "5"}},
    )[1] == (
        "One or more parameter values were invalid: Cannot update attribute sk. This attribute "
        "is part of the key"
    )
    assert error(
        ddb.update_item,
        TableName=name,
        Key=key,
        UpdateExpression="SET a = :v, a = :v",
        ExpressionAttributeValues={":v": {"N": "5"}},
    )[1].startswith("1 validation error detected: Invalid UpdateExpression: Two document paths")
    assert error(
        ddb.update_item,
        TableName=name,
        Key=key,
        UpdateExpression="SET m.x = :v",
        ExpressionAttributeValues={":v": {"N": "5"}},
    )[1] == ("The document path provided in the update expression is invalid for update")
    big = {":v": {"S": "x" * (400 * 1024)}}
    assert error(
        ddb.update_item,
        TableName=name,
        Key=key,
        UpdateExpression="SET big = :v",
        ExpressionAttributeValues=big,
    )[1] == ("Item size to update has exceeded the maximum allowed size")
    assert (
        error(
            ddb.update_item,
            TableName=name,
            Key=key,
            UpdateExpression="SET v = :v",
            ReturnValues="ALL",
            ExpressionAttributeValues={":v": {"N": "5"}},
        )[0]
        == "ValidationException"
    )
    assert ddb.get_item(TableName=name, Key=key)["Item"] == {**key, "v": {"N": "1"}}


def test_legacy_attribute_updates(ddb, make_table):
    name = make_table()
    key = {"pk": {"S": "a"}}
    ddb.update_item(
        TableName=name,
        Key=key,
        AttributeUpdates={
            "n": {"Action": "ADD", "Value": {"N": "2"}},
            "s": {"Action": "PUT", "Value": {"SS": ["x", "y"]}},
        },
    )
    answer = ddb.update_item(
        TableName=name,
        Key=key,
        AttributeUpdates={
            "s": {"Action": "DELETE", "Value": {"SS": ["x"]}},
            "n": {"Action": "DELETE"},
        },
        Expected={"n": {"Value": {"N": "2"}}},
        ReturnValues="UPDATED_NEW",
    )
    assert answer["Attributes"] == {"s": {"SS": ["y"]}}
    assert error(
        ddb.update_item,
        TableName=name,
        Key=key,
        AttributeUpdates={"pk": {"Action": "PUT", "Value": {"S": "b"}}},
    )[1].endswith("Cannot update attribute pk. This attribute is part of the key")


def test_resource_update_and_index_rows(resource, make_table):
    name = make_table(
        extra_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    table = resource.Table(name)
    table.update_item(
        Key={"pk": "a"},
        UpdateExpression="SET g = :g, #c = if_not_exists(#c, :zero) + :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":g": "x", ":zero": 0, ":one": 1},
        ConditionExpression=Attr("pk").not_exists(),
    )
    assert table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("x"))["Items"] == [
        {"pk": "a", "g": "x", "count": 1}
    ]
    table.update_item(
        Key={"pk": "a"}, UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": "y"}
    )
    assert table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("x"))["Items"] == []
    table.update_item(Key={"pk": "a"}, UpdateExpression="REMOVE g")
    assert table.scan(IndexName="by-g")["Items"] == []
    with pytest.raises(ClientError) as caught:
        table.update_item(
            Key={"pk": "a"}, UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": 1}
        )
    assert "Type mismatch for Index Key g" in caught.value.response["Error"]["Message"]


def test_update_stream_records(tmp_path):
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    tables = TableService(store, "123456789012")
    tables.create(
        "us-east-1",
        {
            "TableName": "t",
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    )
    items = ItemService(tables)
    p = expressions.Placeholders(None, {":v": {"N": "1"}})
    change = expressions.update("SET v = :v", p)
    key = {"pk": {"S": "a"}}
    items.update("us-east-1", "t", key, change)  # creates: INSERT
    items.update("us-east-1", "t", key, change)  # changes nothing: no record
    bump = expressions.update("ADD v :v", expressions.Placeholders(None, {":v": {"N": "1"}}))
    items.update("us-east-1", "t", key, bump)  # MODIFY
    with store._lock:
        rows = store._db.execute(
            "SELECT event_name, record FROM stream_records ORDER BY seq"
        ).fetchall()
    assert [event for event, _ in rows] == ["INSERT", "MODIFY"]
    modify = json.loads(rows[1][1])
    assert modify["OldImage"]["v"] == {"N": "1"} and modify["NewImage"]["v"] == {"N": "2"}
    store.close()
