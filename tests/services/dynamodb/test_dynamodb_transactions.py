"""TransactWriteItems and TransactGetItems through boto3: all or nothing, cancellation reasons
in order, one operation per item, ClientRequestToken idempotency."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response


def key(pk: str) -> dict:
    return {"pk": {"S": pk}}


def test_all_or_nothing_with_reasons_in_order(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={**key("a"), "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**key("b"), "n": {"N": "1"}})
    actions = [
        {"Put": {"TableName": name, "Item": {**key("c"), "n": {"N": "3"}}}},
        {
            "Update": {
                "TableName": name,
                "Key": key("a"),
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {
            "ConditionCheck": {
                "TableName": name,
                "Key": key("b"),
                "ConditionExpression": "n > :n",
                "ExpressionAttributeValues": {":n": {"N": "5"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {"Delete": {"TableName": name, "Key": key("d")}},
    ]
    response = error(ddb.transact_write_items, TransactItems=actions)
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, None, ConditionalCheckFailed, None]"
    )
    reasons = response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed", "None"]
    assert reasons[2]["Item"] == {**key("b"), "n": {"N": "1"}}
    assert "Item" not in ddb.get_item(TableName=name, Key=key("c"))
    assert ddb.get_item(TableName=name, Key=key("a"))["Item"]["n"] == {"N": "1"}
    actions[2]["ConditionCheck"]["ExpressionAttributeValues"] = {":n": {"N": "0"}}
    ddb.transact_write_items(TransactItems=actions)
    got = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": name, "Key": key("a")}},
            {"Get": {"TableName": name, "Key": key("c"), "ProjectionExpression": "n"}},
            {"Get": {"TableName": name, "Key": key("zz")}},
        ]
    )["Responses"]
    assert got == [{"Item": {**key("a"), "n": {"N": "2"}}}, {"Item": {"n": {"N": "3"}}}, {}]


def test_refusals(ddb, make_table):
    name = make_table()
    twice = [
        {"Put": {"TableName": name, "Item": key("a")}},
        {"Delete": {"TableName": name, "Key": key("a")}},
    ]
    response = error(ddb.transact_write_items, TransactItems=twice)
    assert response["Error"]["Message"] == (
        "Transaction request cannot include multiple operations on one item"
    )
    too_many = [{"Put": {"TableName": name, "Item": key(f"k{i}")}} for i in range(101)]
    assert error(ddb.transact_write_items, TransactItems=too_many)["Error"]["Code"] == (
        "ValidationException"
    )
    bad_path = [
        {"Put": {"TableName": name, "Item": key("x")}},
        {
            "Update": {
                "TableName": name,
                "Key": key("y"),
                "UpdateExpression": "SET m.deep = :v",
                "ExpressionAttributeValues": {":v": {"S": "v"}},
            }
        },
    ]
    reasons = error(ddb.transact_write_items, TransactItems=bad_path)["CancellationReasons"]
    assert reasons == [
        {"Code": "None"},
        {
            "Code": "ValidationError",
            "Message": "The document path provided in the update expression is invalid for update",
        },
    ]
    assert ddb.scan(TableName=name)["Count"] == 0


def test_client_request_token(ddb, make_table):
    name = make_table()
    update = {
        "Update": {
            "TableName": name,
            "Key": key("a"),
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    ddb.transact_write_items(TransactItems=[update], ClientRequestToken="token-1")
    ddb.transact_write_items(TransactItems=[update], ClientRequestToken="token-1")
    assert ddb.get_item(TableName=name, Key=key("a"))["Item"]["n"] == {"N": "1"}
    other = [{"Put": {"TableName": name, "Item": key("b")}}]
    response = error(ddb.transact_write_items, TransactItems=other, ClientRequestToken="token-1")
    assert response["Error"]["Code"] == "IdempotentParameterMismatchException"
    ddb.transact_write_items(TransactItems=[update], ClientRequestToken="token-2")
    assert ddb.get_item(TableName=name, Key=key("a"))["Item"]["n"] == {"N": "2"}
