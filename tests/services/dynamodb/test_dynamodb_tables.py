"""DynamoDB's control plane through boto3: CreateTable's checks in DynamoDB's words,
DescribeTable's shape, UpdateTable (billing, streams, GSIs backfilled), DeleteTable's
deletion protection, ListTables' pages, TTL, tags, limits."""

from __future__ import annotations

import time
import uuid

import pytest
from botocore.exceptions import ClientError


def error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def keys(*names: str) -> list[dict]:
    return [
        {"AttributeName": n, "KeyType": "HASH" if i == 0 else "RANGE"} for i, n in enumerate(names)
    ]


def strings(*names: str) -> list[dict]:
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


def gsi(name: str, *key_names: str) -> dict:
    return {
        "IndexName": name,
        "KeySchema": keys(*key_names),
        "Projection": {"ProjectionType": "ALL"},
    }


@pytest.mark.parametrize(
    ("schema", "definitions", "indexes", "message"),
    [
        (("pk",), ("pk", "x"), None,
         "One or more parameter values were invalid: Number of attributes in KeySchema does not "
         "exactly match number of attributes defined in AttributeDefinitions"),
        (("pk",), ("pk", "gk", "x"), [gsi("idx", "gk")],
         "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
         "AttributeDefinitions: [pk, gk, x], keys used: [pk, gk]"),
        (("pk", "sk"), ("pk",), None,
         "Invalid KeySchema: Some index key attribute have no definition"),
        (("pk",), ("pk",), [gsi("idx", "gk")],
         "One or more parameter values were invalid: Some index key attributes are not defined "
         "in AttributeDefinitions. Keys: [gk], AttributeDefinitions: [pk]"),
        (("pk", "sk"), ("pk", "typo"), None,
         "One or more parameter values were invalid: Some index key attributes are not defined "
         "in AttributeDefinitions. Keys: [pk, sk], AttributeDefinitions: [pk, typo]"),
        (("pk",), ("pk", "pk"), None, "Attribute Name is duplicated: pk"),
    ],
)  # fmt: skip
def test_create_table_checks_attribute_definitions(ddb, schema, definitions, indexes, message):
    extra = {"GlobalSecondaryIndexes": indexes} if indexes else {}
    found = error(
        ddb.create_table, TableName=f"t-{uuid.uuid4().hex[:8]}", KeySchema=keys(*schema),
        AttributeDefinitions=strings(*definitions), BillingMode="PAY_PER_REQUEST", **extra,
    )  # fmt: skip
    assert found == ("ValidationException", message)


def test_create_table_billing_rules(ddb):
    name = f"t-{uuid.uuid4().hex[:8]}"
    base = {"TableName": name, "KeySchema": keys("pk"), "AttributeDefinitions": strings("pk")}
    assert error(ddb.create_table, **base) == (
        "ValidationException",
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
        "must both be specified when BillingMode is PROVISIONED",
    )
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    assert error(
        ddb.create_table, **base, BillingMode="PAY_PER_REQUEST", ProvisionedThroughput=throughput
    ) == (
        "ValidationException",
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
    )
    created = ddb.create_table(**base, ProvisionedThroughput=throughput)["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    assert created["ProvisionedThroughput"]["ReadCapacityUnits"] == 1
    assert "BillingModeSummary" not in created
    assert error(ddb.create_table, **base, ProvisionedThroughput=throughput)[0] == (
        "ResourceInUseException"
    )
    ddb.delete_table(TableName=name)


def test_describe_table_shape_and_waiter(ddb, make_table):
    name = make_table(
        "N",
        extra_definitions=strings("gk"),
        GlobalSecondaryIndexes=[
            {"IndexName": "by-gk", "KeySchema": keys("gk"),
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "by-x", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                {"AttributeName": "gk", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        SSESpecification={"Enabled": True},
        Tags=[{"Key": "team", "Value": "a"}],
    )  # fmt: skip
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert (
        table["TableArn"]
        == f"arn:aws:dynamodb:us-east-1:{table['TableArn'].split(':')[4]}:table/{name}"
    )
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert table["GlobalSecondaryIndexes"][0]["IndexArn"].endswith(f"table/{name}/index/by-gk")
    assert table["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert table["StreamSpecification"] == {
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"
    }  # fmt: skip
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{table['LatestStreamLabel']}"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert uuid.UUID(table["TableId"])
    tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}]


def test_missing_table(ddb):
    assert error(ddb.describe_table, TableName="no-such-table") == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table not found",
    )
    assert error(ddb.get_item, TableName="no-such-table", Key={"pk": {"S": "a"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )


def test_deletion_protection_refuses_delete(ddb, make_table):
    name = make_table(DeletionProtectionEnabled=True)
    assert error(ddb.delete_table, TableName=name) == (
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.",
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1})


def test_list_tables_pages(ddb, make_table):
    names = sorted(make_table() for _ in range(3))
    seen, start = [], None
    while True:
        extra = {"ExclusiveStartTableName": start} if start else {}
        page = ddb.list_tables(Limit=2, **extra)
        seen += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if start is None:
            break
        assert len(page["TableNames"]) == 2
    assert [n for n in seen if n in names] == names


def test_update_table_rules(ddb, make_table):
    name = make_table()
    assert error(ddb.update_table, TableName=name)[1].startswith(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled"
    )
    assert error(
        ddb.update_table, TableName=name, StreamSpecification={"StreamEnabled": False}
    ) == ("ValidationException", f"Table has no stream to disable: TableName: {name}")
    spec = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    first = ddb.update_table(TableName=name, StreamSpecification=spec)["TableDescription"]
    assert error(ddb.update_table, TableName=name, StreamSpecification=spec) == (
        "ValidationException", f"Table already has an enabled stream: TableName: {name}"
    )  # fmt: skip
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": False}
    assert table["LatestStreamArn"] == first["LatestStreamArn"]
    switched = ddb.update_table(
        TableName=name, BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )["TableDescription"]  # fmt: skip
    assert switched["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert error(
        ddb.update_table, TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )[1].startswith("The provisioned throughput for the table will not change.")  # fmt: skip


def _wait_active(ddb, name: str, index: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        table = ddb.describe_table(TableName=name)["Table"]
        found = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        if found[index]["IndexStatus"] == "ACTIVE":
            return found[index]
        time.sleep(0.05)
    raise AssertionError(f"{index} never became ACTIVE")


def test_a_gsi_added_later_is_backfilled(ddb, make_table):
    name = make_table()
    for i in range(30):
        item = {"pk": {"S": f"p{i}"}, "v": {"N": str(i)}}
        if i % 3 == 0:
            item["g"] = {"S": "even" if i % 2 == 0 else "odd"}
        ddb.put_item(TableName=name, Item=item)
    answer = ddb.update_table(
        TableName=name, AttributeDefinitions=strings("g"),
        GlobalSecondaryIndexUpdates=[{"Create": gsi("by-g", "g")}],
    )["TableDescription"]  # fmt: skip
    assert answer["GlobalSecondaryIndexes"][0]["IndexStatus"] in ("CREATING", "ACTIVE")
    index = _wait_active(ddb, name, "by-g")
    assert index["ItemCount"] == 10
    found = ddb.query(
        TableName=name, IndexName="by-g",
        KeyConditions={"g": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "even"}]}},
    )["Items"]  # fmt: skip
    assert sorted(int(i["v"]["N"]) for i in found) == [0, 6, 12, 18, 24]
    ddb.update_table(
        TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}]
    )
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]


def test_time_to_live_settings(ddb, make_table):
    name = make_table()
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    spec = {"Enabled": True, "AttributeName": "expires"}
    assert (
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)[
            "TimeToLiveSpecification"
        ]
        == spec
    )
    assert error(ddb.update_time_to_live, TableName=name, TimeToLiveSpecification=spec) == (
        "ValidationException", "TimeToLive is already enabled"
    )  # fmt: skip
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"
    }  # fmt: skip


def test_tags_limits_and_endpoints(ddb, make_table):
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert error(ddb.list_tags_of_resource, ResourceArn=arn + "x")[0] == (
        "ResourceNotFoundException"
    )
    assert ddb.describe_limits()["TableMaxReadCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440
