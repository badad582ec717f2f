"""Items without expressions through boto3 (client and resource) and the AWS CLI: PutItem /
GetItem / DeleteItem with DynamoDB's key checks and ReturnValues, batches with their limits,
Scan and Query pages, index reads."""

from __future__ import annotations

import json

import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from cli.aws_cli import aws, needs_aws_cli


def error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_put_get_delete_with_return_values_and_capacity(ddb, make_table):
    name = make_table("N")
    item = {"pk": {"S": "a"}, "sk": {"N": "1.50"}, "v": {"SS": ["x", "y"]}, "e": {"S": ""}}
    put = ddb.put_item(TableName=name, Item=item, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.0,
                                       "WriteCapacityUnits": 1.0}  # fmt: skip
    key = {"pk": {"S": "a"}, "sk": {"N": "1.5"}}
    got = ddb.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]
    assert got["sk"] == {"N": "1.5"} and got["e"] == {"S": ""}
    replaced = ddb.put_item(TableName=name, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert replaced["Attributes"]["v"] == {"SS": ["x", "y"]}
    only = ddb.get_item(TableName=name, Key=key, AttributesToGet=["v"])["Item"]
    assert only == {"v": {"N": "2"}}
    deleted = ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")
    assert deleted["Attributes"]["v"] == {"N": "2"}
    assert "Item" not in ddb.get_item(TableName=name, Key=key)
    assert "Attributes" not in ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 0


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ({"pk": {"S": "a"}}, "The provided key element does not match the schema"),
        ({"pk": {"S": "a"}, "sk": {"S": "1"}},
         "The provided key element does not match the schema"),
        ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "1"}},
         "The provided key element does not match the schema"),
        ({"pk": {"S": ""}, "sk": {"N": "1"}},
         "One or more parameter values were invalid: The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: pk"),
        ({"pk": {"S": "a" * 2049}, "sk": {"N": "1"}},
         "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
         "size limit of2048 bytes"),
        ({"pk": {"S": "a"}, "sk": {"N": "1e126"}},
         "Number overflow. Attempting to store a number with magnitude larger than supported "
         "range"),
    ],
)  # fmt: skip
def test_key_checks(ddb, make_table, key, message):
    name = make_table("N")
    assert error(ddb.get_item, TableName=name, Key=key) == ("ValidationException", message)


def test_put_item_checks(ddb, make_table):
    name = make_table("N")
    assert error(ddb.put_item, TableName=name, Item={"pk": {"S": "a"}})[1] == (
        "One or more parameter values were invalid: Missing the key sk in the item"
    )
    assert error(ddb.put_item, TableName=name, Item={"pk": {"N": "1"}, "sk": {"N": "1"}})[1] == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )
    big = {"pk": {"S": "a"}, "sk": {"N": "1"}, "blob": {"S": "x" * (400 * 1024)}}
    assert error(ddb.put_item, TableName=name, Item=big)[1] == (
        "Item size has exceeded the maximum allowed size"
    )
    assert error(ddb.put_item, TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"},
                                                     "s": {"SS": []}})[1] == (
        "One or more parameter values were invalid: An string set  may not be empty"
    )  # fmt: skip
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})


def test_batches_and_their_limits(ddb, make_table):
    name = make_table()
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(26)]
    code, message = error(ddb.batch_write_item, RequestItems={name: puts})
    assert code == "ValidationException" and "25" in message
    answer = ddb.batch_write_item(RequestItems={name: puts[:25]})
    assert answer["UnprocessedItems"] == {}
    dup = [puts[0], {"DeleteRequest": {"Key": {"pk": {"S": "k0"}}}}]
    assert error(ddb.batch_write_item, RequestItems={name: dup})[1] == (
        "Provided list of item keys contains duplicates"
    )
    keys = [{"pk": {"S": f"k{i}"}} for i in range(30)]
    got = ddb.batch_get_item(RequestItems={name: {"Keys": keys}})
    assert len(got["Responses"][name]) == 25 and got["UnprocessedKeys"] == {}
    assert error(ddb.batch_get_item, RequestItems={name: {"Keys": [keys[0], keys[0]]}})[1] == (
        "Provided list of item keys contains duplicates"
    )
    many = [{"pk": {"S": f"m{i}"}} for i in range(101)]
    assert error(ddb.batch_get_item, RequestItems={name: {"Keys": many}})[0] == (
        "ValidationException"
    )


def test_resource_api_and_batch_writer(resource, make_table):
    table = resource.Table(make_table("N"))
    with table.batch_writer() as batch:
        for i in range(60):
            batch.put_item(Item={"pk": "p", "sk": i, "doc": {"n": [i, str(i)], "ok": True}})
    table.put_item(Item={"pk": "q", "sk": 1})
    got = table.get_item(Key={"pk": "p", "sk": 7})["Item"]
    assert got["doc"]["n"][1] == "7" and got["doc"]["ok"] is True
    assert table.item_count == 61


def test_query_ranges_order_and_pages(ddb, make_table):
    name = make_table("N")
    for value in ["-10", "-1.5", "0", "2", "10", "10.5", "100"]:
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": value}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"N": "5"}})

    def query(op: str, *values: str, **extra) -> list[str]:
        conditions = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}
        if op:
            conditions["sk"] = {
                "ComparisonOperator": op, "AttributeValueList": [{"N": v} for v in values]
            }  # fmt: skip
        items = ddb.query(TableName=name, KeyConditions=conditions, **extra)["Items"]
        return [i["sk"]["N"] for i in items]

    assert query("") == ["-10", "-1.5", "0", "2", "10", "10.5", "100"]
    assert query("", ScanIndexForward=False)[0] == "100"
    assert query("GT", "2") == ["10", "10.5", "100"]
    assert query("BETWEEN", "-1.5", "10") == ["-1.5", "0", "2", "10"]
    assert query("LT", "0") == ["-10", "-1.5"]
    pages, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        conditions = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}
        page = ddb.query(TableName=name, KeyConditions=conditions, Limit=3, **extra)
        pages.append([i["sk"]["N"] for i in page["Items"]])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert pages[0] == ["-10", "-1.5", "0"] and sum(pages, []) == query("")


def test_scan_pages_segments_and_count(ddb, make_table):
    name = make_table()
    for i in range(40):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i:02d}"}})
    seen, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=name, Limit=7, **extra)
        seen += [i["pk"]["S"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen) == [f"k{i:02d}" for i in range(40)] and len(seen) == 40
    segments = [
        {i["pk"]["S"] for i in ddb.scan(TableName=name, Segment=s, TotalSegments=3)["Items"]}
        for s in range(3)
    ]
    assert set().union(*segments) == set(seen) and sum(map(len, segments)) == 40
    counted = ddb.scan(TableName=name, Select="COUNT")
    assert counted["Count"] == 40 and "Items" not in counted


def test_parallel_scan_segments_page_through_their_own_partitions(ddb, resource, make_table):
    """Each segment of a parallel Scan (4 workers, Limit 5 a page) gets whole partitions, every
    item exactly once over all segments, on the table and on a GSI."""
    gsi = {"IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
           "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                         {"AttributeName": "sk", "KeyType": "RANGE"}]}  # fmt: skip
    name = make_table(
        "N", extra_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[gsi],
    )  # fmt: skip
    with resource.Table(name).batch_writer() as batch:
        for i in range(60):
            batch.put_item(Item={"pk": f"p{i % 12}", "sk": i, "g": f"g{i % 5}"})

    def segment(number: int, **index: str) -> list[dict]:
        items, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = ddb.scan(TableName=name, Segment=number, TotalSegments=4, Limit=5,
                            **index, **extra)  # fmt: skip
            assert page["ScannedCount"] == page["Count"] <= 5
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    for hash_name, index in (("pk", {}), ("g", {"IndexName": "by-g"})):
        segments = [segment(n, **index) for n in range(4)]
        keys = [{item["sk"]["N"] for item in found} for found in segments]
        assert sum(map(len, keys)) == 60 and set().union(*keys) == {str(i) for i in range(60)}
        partitions = [{item[hash_name]["S"] for item in found} for found in segments]
        assert sum(map(len, partitions)) == len(set().union(*partitions))  # none split
        assert sum(1 for p in partitions if p) >= 2  # spread over segments


def test_scan_stops_a_page_after_one_megabyte(ddb, make_table):
    name = make_table()
    for i in range(6):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 300_000}})
    page = ddb.scan(TableName=name)
    assert page["Count"] == 4 and "LastEvaluatedKey" in page
    rest = ddb.scan(TableName=name, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert rest["Count"] == 2


def test_gsi_reads_follow_writes(resource, make_table):
    name = make_table(
        extra_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )  # fmt: skip
    table = resource.Table(name)
    table.put_item(Item={"pk": "a", "g": "x", "other": 1})
    table.put_item(Item={"pk": "b", "g": "x"})
    table.put_item(Item={"pk": "c"})
    table.put_item(Item={"pk": "a", "g": "y"})  # moves a from x to y
    found = table.query(IndexName="by-g", KeyConditions={
        "g": {"ComparisonOperator": "EQ", "AttributeValueList": ["x"]}})["Items"]  # fmt: skip
    assert found == [{"pk": "b", "g": "x"}]
    with pytest.raises(ClientError) as caught:
        table.put_item(Item={"pk": "d", "g": 5})
    assert "Type mismatch for Index Key g" in caught.value.response["Error"]["Message"]
    assert table.query(IndexName="by-g", KeyConditionExpression=Key("g").eq("y"))["Items"] == [
        {"pk": "a", "g": "y"}
    ]


@needs_aws_cli
def test_the_aws_cli_puts_and_gets(server, make_table):
    name = make_table()
    aws(server, "dynamodb", "put-item", "--table-name", name, "--item", '{"pk": {"S": "cli"}}')
    got = aws(server, "dynamodb", "get-item", "--table-name", name, "--key", '{"pk": {"S": "cli"}}')
    assert got["Item"] == {"pk": {"S": "cli"}}


def test_a_page_of_items_is_answered_without_walking_each_value(monkeypatch):
    """The wire answers items as they are kept (already the wire's form): serialising a page
    walks the output shape down to each item, never through each AttributeValue."""
    from botocore.session import get_session

    from overcast.aws.protocols import aws_json
    from overcast.services.dynamodb import wire

    walked = []
    real = aws_json.to_json

    def counting(shape, value):
        walked.append(shape.name if shape is not None else None)
        return real(shape, value)

    monkeypatch.setattr(aws_json, "to_json", counting)
    monkeypatch.setattr(wire, "to_json", counting)
    model = get_session().get_service_model("dynamodb")
    items = [{"pk": {"S": str(n)}, "m": {"M": {"l": {"L": [{"N": "1"}]}}}} for n in range(500)]
    result = {"Items": items, "Count": 500, "ScannedCount": 500, "LastEvaluatedKey": items[-1]}
    response = wire.DynamoDbWire(model).response(model.operation_model("Query"), result)
    assert json.loads(response.body) == result
    assert "AttributeValue" not in walked and len(walked) < 10


def test_a_page_of_stored_item_text_is_answered_as_it_is():
    """A page read without filter or projection comes as the items' stored JSON text
    (wire.Encoded): spliced into the answer, not parsed and encoded again."""
    from botocore.session import get_session

    from overcast.services.dynamodb import wire

    model = get_session().get_service_model("dynamodb")
    items = [{"pk": {"S": str(n)}, "s": {"S": 'say "hi"\n'}} for n in range(3)]
    texts = wire.Encoded(json.dumps(item) for item in items)
    protocol = wire.DynamoDbWire(model)
    for others in ({"Count": 3, "LastEvaluatedKey": {"pk": {"S": "2"}}}, {}):
        response = protocol.response(model.operation_model("Query"), {"Items": texts, **others})
        assert json.loads(response.body) == {"Items": items, **others}


def test_the_gateway_leaves_attribute_values_to_the_service(monkeypatch):
    """The model's constraints are checked (TableName), but no AttributeValue is walked by the
    gateway's validation: types.py checks each (test_types.py), so a PutItem's item is not
    walked twice."""
    from botocore.session import get_session

    from overcast.aws import validation
    from overcast.aws.errors import ValidationException
    from overcast.services.dynamodb.api import dynamodb_api

    walked = []
    real = validation.constraints

    def counting(shape, value):
        walked.append(shape.name)
        return real(shape, value)

    monkeypatch.setattr(validation, "constraints", counting)
    operation = get_session().get_service_model("dynamodb").operation_model("PutItem")
    item = {"pk": {"S": "a"}, "m": {"M": {"l": {"L": [{"N": "1"}, {"SS": ["x"]}]}}}}
    check = dynamodb_api(None).validate
    check(operation, {"TableName": "t", "Item": item})
    assert "TableArn" in walked and not [n for n in walked if "AttributeValue" in n]
    with pytest.raises(ValidationException) as caught:
        check(operation, {"TableName": "", "Item": item})
    assert "Member must have length greater than or equal to 1" in caught.value.message


def test_every_answer_carries_the_crc32_of_its_body(ddb, make_table):
    """DynamoDB's x-amz-crc32 (decimal CRC32 of the body), which botocore checks and retries
    on where present: on items, on a page of stored items, and on errors."""
    import zlib

    answers = []
    ddb.meta.events.register(
        "after-call.dynamodb",
        lambda http_response, **_: answers.append(http_response),
    )
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    assert ddb.scan(TableName=name)["Items"] == [{"pk": {"S": "a"}, "n": {"N": "1"}}]
    with pytest.raises(ClientError):
        ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "a"}})
    with pytest.raises(ClientError):
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": "a"}},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert [answer.status_code for answer in answers[-4:]] == [200, 200, 400, 400]
    for answer in answers:
        assert answer.headers["x-amz-crc32"] == str(zlib.crc32(answer.content))


@pytest.mark.parametrize(
    ("operation", "params", "path"),
    [
        ("BatchWriteItem", {"RequestItems": {"t": None}}, "requestItems"),
        ("BatchExecuteStatement", {"Statements": [None]}, "statements"),
    ],
)
def test_a_null_in_a_list_or_map_is_a_validation_error(server, operation, params, path):
    """JSON nulls no SDK sends, found by a fuzzer: once a 500 (ServiceException)."""
    import httpx

    from support import signed

    body = json.dumps(params).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": f"DynamoDB_20120810.{operation}",
    }
    headers = signed(server.endpoint + "/", "POST", body, headers, service="dynamodb")
    answer = httpx.post(server.endpoint + "/", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json()["__type"].endswith("#ValidationException")
    message = answer.json()["message"]
    assert message.startswith("1 validation error detected: Value ")
    assert f"at '{path}' failed to satisfy constraint: " in message
    assert message.endswith("Member must not be null]")
