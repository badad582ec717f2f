"""DynamoDB's access map: each operation's action on the table's (or index's) ARN, batch and
transaction operations on each table they name, and the reference's condition keys."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from access_support import ACCOUNT, CONTEXT, REGION, check_shape

from overcast.services.dynamodb.access import dynamodb_access
from overcast.services.dynamodb.api import OPERATIONS

TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table"


def needs(operation: str, **params: object) -> list[tuple[str, str]]:
    return [(n.action, n.resource) for n in dynamodb_access(operation, params, CONTEXT).needs]


def test_every_operation_has_a_mapping() -> None:
    statement = {"Statement": 'SELECT * FROM "t"'}
    params = {"TableName": "t", "RequestItems": {"t": []}, "ResourceArn": f"{TABLE}/t",
              "TransactItems": [{"Put": {"TableName": "t"}}], **statement,
              "Statements": [statement], "TransactStatements": [statement]}  # fmt: skip
    for operation in OPERATIONS:
        found = dynamodb_access(operation, dict(params), CONTEXT)
        check_shape(found, "dynamodb", f"{TABLE}/")
        if operation not in ("ListTables", "DescribeLimits", "DescribeEndpoints"):
            assert all(n.resource != "*" for n in found.needs), operation


def test_resources_of_tables_indexes_batches_and_transactions() -> None:
    assert needs("GetItem", TableName="t") == [("dynamodb:GetItem", f"{TABLE}/t")]
    assert needs("Query", TableName="t", IndexName="g") == [
        ("dynamodb:Query", f"{TABLE}/t/index/g")
    ]
    assert needs("BatchWriteItem", RequestItems={"a": [], "b": []}) == [
        ("dynamodb:BatchWriteItem", f"{TABLE}/a"), ("dynamodb:BatchWriteItem", f"{TABLE}/b")
    ]  # fmt: skip
    items = [{"Put": {"TableName": "a"}}, {"ConditionCheck": {"TableName": "b"}}]
    assert needs("TransactWriteItems", TransactItems=items) == [
        ("dynamodb:PutItem", f"{TABLE}/a"), ("dynamodb:ConditionCheckItem", f"{TABLE}/b")
    ]  # fmt: skip
    assert needs("ListTables") == [("dynamodb:ListTables", "*")]
    assert needs("TagResource", ResourceArn=f"{TABLE}/t") == [
        ("dynamodb:TagResource", f"{TABLE}/t")
    ]


def test_condition_keys() -> None:
    access = dynamodb_access(
        "PutItem",
        {"TableName": "t", "Item": {"pk": {"S": "u1"}, "a": {"N": "1"}}, "ReturnValues": "ALL_OLD"},
        CONTEXT,
        lambda region, name: "pk",
    )
    assert access.conditions == {
        "dynamodb:ReturnValues": "ALL_OLD",
        "dynamodb:Attributes": ["pk", "a"],
        "dynamodb:LeadingKeys": ["u1"],
    }
    query = dynamodb_access(
        "Query",
        {"TableName": "t", "Select": "COUNT",
         "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                  "AttributeValueList": [{"S": "u2"}]}}},
        CONTEXT,
        lambda region, name: "pk",
    )  # fmt: skip
    assert query.conditions == {"dynamodb:Select": "COUNT", "dynamodb:LeadingKeys": ["u2"]}
    expression = dynamodb_access(
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "#k = :v AND sk > :s",
            "ExpressionAttributeNames": {"#k": "pk"},
            "ExpressionAttributeValues": {":v": {"S": "u3"}, ":s": {"S": "a"}},
        },
        CONTEXT,
        lambda region, name: "pk",
    )
    assert expression.conditions == {"dynamodb:LeadingKeys": ["u3"]}
    malformed = {"TableName": "t", "KeyConditionExpression": "pk = = :v"}
    assert dynamodb_access("Query", malformed, CONTEXT, lambda r, n: "pk").conditions == {}


def test_partiql_statements_need_their_partiql_actions() -> None:
    def of(operation: str, *texts: str, member: str | None = None) -> list[tuple[str, str]]:
        entries = [{"Statement": text, "Parameters": [{"S": "v"}]} for text in texts]
        params = {member: entries} if member else entries[0]
        return needs(operation, **params)

    assert of("ExecuteStatement", 'SELECT * FROM "t"."g" WHERE k = ?') == [
        ("dynamodb:PartiQLSelect", f"{TABLE}/t/index/g")
    ]
    writes = [
        "INSERT INTO t VALUE {'pk': ?}",
        'UPDATE "t" SET a = ? WHERE pk = 1',
        "DELETE FROM u WHERE pk = ?",
        "EXISTS(SELECT * FROM u WHERE pk = ? AND a = 1)",
    ]
    assert of("ExecuteTransaction", *writes, member="TransactStatements") == [
        ("dynamodb:PartiQLInsert", f"{TABLE}/t"), ("dynamodb:PartiQLUpdate", f"{TABLE}/t"),
        ("dynamodb:PartiQLDelete", f"{TABLE}/u"), ("dynamodb:PartiQLSelect", f"{TABLE}/u"),
    ]  # fmt: skip
    scan = dynamodb_access("BatchExecuteStatement", {"Statements": [
        {"Statement": "SELECT * FROM t WHERE pk = 'a'"}, {"Statement": "SELECT * FROM t"}]},
        CONTEXT, lambda region, name: "pk")  # fmt: skip
    assert scan.conditions == {"dynamodb:FullTableScan": "true"}
    keyed = dynamodb_access("ExecuteTransaction", {"TransactStatements": [
        {"Statement": "SELECT * FROM t WHERE pk = ?", "Parameters": [{"S": "a"}]}]},
        CONTEXT, lambda region, name: "pk")  # fmt: skip
    assert keyed.conditions == {"dynamodb:EnclosingOperation": "ExecuteTransaction",
                                "dynamodb:FullTableScan": "false"}  # fmt: skip
