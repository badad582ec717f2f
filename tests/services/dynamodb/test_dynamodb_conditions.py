"""Expressions on writes and reads through boto3: PutItem / DeleteItem conditions (and the
legacy Expected), GetItem / BatchGetItem projections, Query / Scan with key conditions,
filters, projections and Select, and the checks of how a request combines its parameters."""

from __future__ import annotations

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError


def error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_put_and_delete_conditions(ddb, make_table):
    name = make_table()
    item = {"pk": {"S": "a"}, "n": {"N": "1"}}
    ddb.put_item(TableName=name, Item=item, ConditionExpression="attribute_not_exists(pk)")
    code, message = error(
        ddb.put_item,
        TableName=name,
        Item={"pk": {"S": "a"}, "n": {"N": "2"}},
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert (code, message) == ("ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as caught:
        ddb.delete_item(
            TableName=name,
            Key={"pk": {"S": "a"}},
            ConditionExpression="n > :n",
            ExpressionAttributeValues={":n": {"N": "1.0"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert caught.value.response["Item"] == item
    deleted = ddb.delete_item(
        TableName=name,
        Key={"pk": {"S": "a"}},
        ConditionExpression="#n = :n",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues={":n": {"N": "1.00"}},
        ReturnValues="ALL_OLD",
    )
    assert deleted["Attributes"] == item
    # A condition on a missing item sees no attributes.
    assert error(
        ddb.delete_item,
        TableName=name,
        Key={"pk": {"S": "a"}},
        ConditionExpression="attribute_exists(pk)",
    )[0] == ("ConditionalCheckFailedException")


def test_legacy_expected(ddb, make_table):
    name = make_table()
    ddb.put_item(
        TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "x"}}, Expected={"pk": {"Exists": False}}
    )
    code, _ = error(
        ddb.put_item, TableName=name, Item={"pk": {"S": "a"}}, Expected={"pk": {"Exists": False}}
    )
    assert code == "ConditionalCheckFailedException"
    ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "a"}, "v": {"S": "y"}},
        Expected={
            "v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]},
            "w": {"ComparisonOperator": "NULL"},
        },
    )
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"] == {"S": "y"}


def test_write_expression_errors_carry_the_request_validation_prefix(ddb, make_table):
    name = make_table()
    item = {"pk": {"S": "a"}}
    assert error(
        ddb.put_item,
        TableName=name,
        Item=item,
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":v": {"S": "x"}},
    ) == (
        "ValidationException",
        "1 validation error detected: Value provided in ExpressionAttributeValues unused in "
        "expressions: keys: {:v}",
    )
    assert error(ddb.delete_item, TableName=name, Key=item, ConditionExpression="")[1] == (
        "1 validation error detected: Invalid ConditionExpression: The expression can not be empty;"
    )
    # Reads answer the same refusals without it.
    assert error(
        ddb.get_item,
        TableName=name,
        Key=item,
        ProjectionExpression="pk",
        ExpressionAttributeNames={"#x": "x"},
    )[1] == ("Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")
    assert error(
        ddb.put_item,
        TableName=name,
        Item=item,
        ConditionExpression="a = :v",
        Expected={"a": {"Exists": False}},
        ExpressionAttributeValues={":v": {"N": "1"}},
    )[1] == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    )
    assert error(
        ddb.put_item, TableName=name, Item=item, ExpressionAttributeValues={":v": {"N": "1"}}
    )[1] == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )
    assert error(ddb.get_item, TableName=name, Key=item, ExpressionAttributeNames={"#a": "a"})[
        1
    ] == ("ExpressionAttributeNames can only be specified when using expressions")
    assert error(
        ddb.put_item,
        TableName=name,
        Item=item,
        ConditionExpression="a = :v",
        ExpressionAttributeValues={":v": {"N": "x1"}},
    )[1] == (
        "1 validation error detected: ExpressionAttributeValues contains invalid value: The "
        "parameter cannot be converted to a numeric value: x1 for key :v"
    )
    assert "Item" not in ddb.get_item(TableName=name, Key=item)


def test_get_item_projections(ddb, make_table):
    name = make_table()
    item = {
        "pk": {"S": "a"},
        "m": {"M": {"x": {"N": "1"}, "y": {"L": [{"S": "0"}, {"S": "1"}]}}},
        "z": {"BOOL": True},
    }
    ddb.put_item(TableName=name, Item=item)
    got = ddb.get_item(
        TableName=name,
        Key={"pk": {"S": "a"}},
        ProjectionExpression="#m.y[1], z, absent",
        ExpressionAttributeNames={"#m": "m"},
    )["Item"]
    assert got == {"m": {"M": {"y": {"L": [{"S": "1"}]}}}, "z": {"BOOL": True}}
    got = ddb.batch_get_item(
        RequestItems={name: {"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "z"}}
    )
    assert got["Responses"][name] == [{"z": {"BOOL": True}}]
    got = ddb.batch_get_item(
        RequestItems={name: {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["pk"]}}
    )
    assert got["Responses"][name] == [{"pk": {"S": "a"}}]


@pytest.fixture
def orders(resource, make_table):
    table = resource.Table(make_table("N"))
    with table.batch_writer() as batch:
        for i in range(10):
            batch.put_item(
                Item={
                    "pk": "u",
                    "sk": i,
                    "status": "open" if i % 2 else "shut",
                    "tags": {"a", f"t{i}"},
                }
            )
        batch.put_item(Item={"pk": "v", "sk": 1, "status": "open"})
    return table


def test_query_with_key_condition_filter_projection_and_count(orders):
    found = orders.query(KeyConditionExpression=Key("pk").eq("u") & Key("sk").between(2, 6))
    assert [i["sk"] for i in found["Items"]] == [2, 3, 4, 5, 6]
    found = orders.query(
        KeyConditionExpression=Key("pk").eq("u"),
        FilterExpression=Attr("status").eq("open"),
        ProjectionExpression="sk",
        Limit=4,
    )
    assert found["Items"] == [{"sk": 1}, {"sk": 3}]
    assert (found["Count"], found["ScannedCount"]) == (2, 4) and "LastEvaluatedKey" in found
    counted = orders.query(
        KeyConditionExpression=Key("pk").eq("u") & Key("sk").gte(5),
        FilterExpression=Attr("tags").contains("t7"),
        Select="COUNT",
    )
    assert (counted["Count"], counted["ScannedCount"]) == (1, 5) and "Items" not in counted
    backwards = orders.query(
        KeyConditionExpression=Key("pk").eq("u") & Key("sk").lt(3), ScanIndexForward=False
    )
    assert [i["sk"] for i in backwards["Items"]] == [2, 1, 0]


def test_query_refusals(ddb, orders):
    name = orders.name
    values = {":p": {"S": "u"}}
    assert error(
        ddb.query,
        TableName=name,
        KeyConditionExpression="pk = :p",
        FilterExpression="sk > :p",
        ExpressionAttributeValues=values,
    )[1] == (
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    )
    assert error(
        ddb.query,
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"N": "1"}},
    )[1] == (
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type"
    )
    assert error(
        ddb.query,
        TableName=name,
        KeyConditionExpression="sk = :p",
        ExpressionAttributeValues=values,
    )[1] == ("Query condition missed key schema element: pk")
    assert error(
        ddb.query,
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues=values,
        Select="ALL_PROJECTED_ATTRIBUTES",
    )[1] == ("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    assert error(
        ddb.query,
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues=values,
        Select="COUNT",
        ProjectionExpression="sk",
    )[1] == ("Cannot specify the ProjectionExpression when choosing to get only the Count")
    assert error(
        ddb.query,
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues=values,
        Select="SPECIFIC_ATTRIBUTES",
    )[1] == (
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
        "SPECIFIC_ATTRIBUTES"
    )
    assert error(ddb.query, TableName=name)[1] == (
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request."
    )


def test_scan_filters_legacy_and_expression(ddb, orders):
    name = orders.name
    found = ddb.scan(
        TableName=name,
        ScanFilter={
            "status": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "open"}]},
            "sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "5"}]},
        },
        AttributesToGet=["sk"],
    )
    assert sorted(int(i["sk"]["N"]) for i in found["Items"]) == [7, 9]
    assert found["ScannedCount"] == 11
    found = orders.scan(
        FilterExpression=Attr("status").eq("open") | Attr("sk").eq(0), ProjectionExpression="pk, sk"
    )
    assert sorted((i["pk"], i["sk"]) for i in found["Items"]) == [
        ("u", 0),
        ("u", 1),
        ("u", 3),
        ("u", 5),
        ("u", 7),
        ("u", 9),
        ("v", 1),
    ]
    # Query's legacy form too: KeyConditions with a QueryFilter.
    legacy = ddb.query(
        TableName=name,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u"}]}},
        QueryFilter={
            "tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "t4"}]}
        },
    )
    assert [i["sk"]["N"] for i in legacy["Items"]] == ["4"]


def test_a_filtered_page_still_ends_after_one_megabyte_read(ddb, make_table):
    name = make_table()
    for i in range(6):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 300_000}})
    page = ddb.scan(TableName=name, FilterExpression="attribute_not_exists(v)")
    assert (page["Count"], page["ScannedCount"]) == (0, 4) and "LastEvaluatedKey" in page


def test_index_selects(ddb, resource, make_table):
    name = make_table(
        "S",
        extra_definitions=[
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    table = resource.Table(name)
    table.put_item(Item={"pk": "p", "sk": "1", "g": "x", "l": "b", "extra": 1})
    table.put_item(Item={"pk": "p", "sk": "2", "g": "x", "l": "a", "extra": 2})
    local = table.query(IndexName="by-l", KeyConditionExpression=Key("pk").eq("p"))["Items"]
    assert local == [{"pk": "p", "sk": "2", "l": "a"}, {"pk": "p", "sk": "1", "l": "b"}]
    fetched = table.query(
        IndexName="by-l", KeyConditionExpression=Key("pk").eq("p"), Select="ALL_ATTRIBUTES"
    )["Items"]
    assert [i["extra"] for i in fetched] == [2, 1]
    some = table.query(
        IndexName="by-l", KeyConditionExpression=Key("pk").eq("p"), ProjectionExpression="extra"
    )["Items"]
    assert some == [{"extra": 2}, {"extra": 1}]
    assert error(
        ddb.query,
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
        Select="ALL_ATTRIBUTES",
    )[1] == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
        "for global secondary index by-g because its projection type is not ALL"
    )
    assert error(
        ddb.query,
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
        ConsistentRead=True,
    )[1] == ("Consistent reads are not supported on global secondary indexes")
