"""Lambda event source mappings on DynamoDB streams, end to end through boto3: the mapping's
stream settings (defaults, Lambda's checks), records delivered in order as Lambda shapes them,
BisectBatchOnFunctionError with an OnFailure queue, ReportBatchItemFailures' checkpoint,
filters, and checkpoints that survive a restart."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from stream_harness import events_of, mapping, wait_for
from support import deploy

SAMPLE = Path(__file__).parents[2] / "events" / "dynamodb-event.json"
RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""
# Fails a batch holding an item with a `bad` attribute.
PICKY = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    for record in event["Records"]:
        if "bad" in record["dynamodb"].get("NewImage", {}):
            raise ValueError("bad record")
"""
# Names the record of item `b` as failed, every time.
PARTIAL = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    failed = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]
              if r["dynamodb"]["Keys"]["pk"]["S"] == "b"]
    return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}
"""


def code_of(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def item(pk: str, sk: int = 0, **attributes: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, **{k: {"S": v} for k, v in attributes.items()}}


def keys_of(event: dict) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]


def test_mapping_settings_and_checks(server, lambda_client, stream_table, function_name) -> None:
    deploy(lambda_client, function_name, RECORDER)
    _, arn = stream_table()
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function_name, StartingPosition="LATEST"
    )
    assert created["State"] == "Creating" and created["StateTransitionReason"] == "User action"
    assert created["BatchSize"] == 100 and created["ParallelizationFactor"] == 1
    assert created["MaximumRetryAttempts"] == -1 and created["MaximumRecordAgeInSeconds"] == -1
    assert created["BisectBatchOnFunctionError"] is False
    assert created["TumblingWindowInSeconds"] == 0
    assert created["DestinationConfig"] == {"OnFailure": {}}
    assert created["StartingPosition"] == "LATEST"
    assert created["LastProcessingResult"] == "No records processed"
    uuid_ = created["UUID"]
    with pytest.raises(lambda_client.exceptions.ResourceConflictException):
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function_name, StartingPosition="LATEST"
        )
    updated = lambda_client.update_event_source_mapping(
        UUID=uuid_, BatchSize=500, ParallelizationFactor=3, MaximumRetryAttempts=2,
        MaximumRecordAgeInSeconds=60, BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}},
    )  # fmt: skip
    assert updated["BatchSize"] == 500 and updated["ParallelizationFactor"] == 3
    assert updated["MaximumRetryAttempts"] == 2 and updated["MaximumRecordAgeInSeconds"] == 60
    assert updated["BisectBatchOnFunctionError"] is True
    assert updated["DestinationConfig"]["OnFailure"]["Destination"].endswith(":q")

    other = function_name + "-2"
    deploy(lambda_client, other, RECORDER)
    refused = [
        ({}, "InvalidParameterValueException"),  # no StartingPosition
        ({"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1},
         "InvalidParameterValueException"),
        ({"StartingPosition": "LATEST", "ParallelizationFactor": 11}, "ValidationException"),
        ({"StartingPosition": "LATEST", "BatchSize": 10001}, "ValidationException"),
        ({"StartingPosition": "LATEST", "MaximumRetryAttempts": -2}, "ValidationException"),
        ({"StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": 30},
         "InvalidParameterValueException"),
        ({"StartingPosition": "LATEST", "ScalingConfig": {"MaximumConcurrency": 2}},
         "InvalidParameterValueException"),
        ({"StartingPosition": "LATEST", "DestinationConfig": {"OnFailure": {
            "Destination": "arn:aws:lambda:us-east-1:000000000000:function:f"}}},
         "InvalidParameterValueException"),
    ]  # fmt: skip
    unchecked = server.client("lambda", parameter_validation=False)  # the server checks
    for params, code in refused:
        with pytest.raises(ClientError) as excinfo:
            unchecked.create_event_source_mapping(EventSourceArn=arn, FunctionName=other, **params)
        assert code_of(excinfo) == code, params
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn.rsplit("/", 1)[0] + "/2001-01-01T00:00:00.000",
            FunctionName=other, StartingPosition="LATEST",
        )  # fmt: skip
    assert code_of(excinfo) == "InvalidParameterValueException"
    lambda_client.delete_event_source_mapping(UUID=uuid_)


def test_records_reach_the_function_in_order(
    server, ddb, lambda_client, stream_table, function_name
) -> None:
    deploy(lambda_client, function_name, RECORDER)
    name, arn = stream_table()
    ddb.put_item(TableName=name, Item=item("before"))  # LATEST starts past it
    uuid_ = mapping(lambda_client, function_name, arn, StartingPosition="LATEST")
    ddb.put_item(TableName=name, Item=item("a", v="one"))
    ddb.put_item(TableName=name, Item=item("a", v="two"))
    ddb.delete_item(TableName=name, Key=item("a"))
    records = wait_for(
        lambda: (
            (r := [r for e in events_of(server, function_name) for r in e["Records"]])
            and len(r) >= 3
            and r
        )
    )
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert all(r["dynamodb"]["Keys"]["pk"] == {"S": "a"} for r in records)
    sample = json.loads(SAMPLE.read_text())["Records"][1]  # one without userIdentity
    assert list(records[0]) == list(sample)
    assert set(records[0]["dynamodb"]) == set(sample["dynamodb"])
    first = records[0]
    assert first["eventSourceARN"] == arn and first["eventSource"] == "aws:dynamodb"
    assert first["eventVersion"] == "1.1" and first["awsRegion"] == "us-east-1"
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"S": "one"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"S": "two"}
    assert wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=uuid_)["LastProcessingResult"] == "OK"
    )


def test_bisect_and_on_failure_queue(
    server, ddb, lambda_client, stream_table, function_name
) -> None:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName=f"failed-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    deploy(lambda_client, function_name, PICKY)
    name, arn = stream_table()
    for pk in ("ok1", "ok2"):
        ddb.put_item(TableName=name, Item=item(pk))
    ddb.put_item(TableName=name, Item=item("worse", bad="yes"))
    ddb.put_item(TableName=name, Item=item("ok3"))
    uuid_ = mapping(
        lambda_client, function_name, arn, BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )  # fmt: skip
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"))
    failure = json.loads(messages[0]["Body"])
    info = failure["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["shardId"].startswith("shardId-")
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    context = failure["requestContext"]
    assert context["condition"] == "RetryAttemptsExhausted"
    assert context["functionArn"].endswith(f":function:{function_name}")
    assert context["approximateInvokeCount"] == 1
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["version"] == "1.0" and failure["timestamp"].endswith("Z")

    # Halves were retried until the bad record stood alone; every good one got through.
    # (The function's logs may be written after the failure record is sent: waited for.)
    def batches() -> list[list[str]]:
        return [keys_of(e) for e in events_of(server, function_name)]

    def good(found: list[list[str]]) -> set[str]:
        return {k for b in found if "worse" not in b for k in b}

    assert wait_for(lambda: ["worse"] in batches() and good(batches()) == {"ok1", "ok2", "ok3"})
    assert batches()[0] == ["ok1", "ok2", "worse", "ok3"]
    lambda_client.delete_event_source_mapping(UUID=uuid_)


def test_report_batch_item_failures_checkpoints_at_the_lowest(
    server, ddb, lambda_client, stream_table, function_name
) -> None:
    deploy(lambda_client, function_name, PARTIAL)
    name, arn = stream_table()
    for pk in ("a", "b", "c"):
        ddb.put_item(TableName=name, Item=item(pk))
    mapping(
        lambda_client, function_name, arn, MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )  # fmt: skip
    ddb_done = wait_for(lambda: len(events_of(server, function_name)) >= 2)
    assert ddb_done
    batches = [keys_of(e) for e in events_of(server, function_name)]
    # `a` is checkpointed; `b` (and what follows it) retried once, then discarded.
    assert batches[:2] == [["a", "b", "c"], ["b", "c"]]
    ddb.put_item(TableName=name, Item=item("d"))
    assert wait_for(lambda: ["d"] in [keys_of(e) for e in events_of(server, function_name)])
    assert len(events_of(server, function_name)) == 3


def test_filters(server, ddb, lambda_client, stream_table, function_name) -> None:
    deploy(lambda_client, function_name, RECORDER)
    name, arn = stream_table()
    mapping(
        lambda_client, function_name, arn,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["REMOVE"]})}]},
    )  # fmt: skip
    ddb.put_item(TableName=name, Item=item("x"))
    ddb.delete_item(TableName=name, Key=item("x"))
    events = wait_for(lambda: events_of(server, function_name))
    assert [r["eventName"] for e in events for r in e["Records"]] == ["REMOVE"]


def test_checkpoints_survive_a_restart(tmp_path, launch, function_name) -> None:
    data_dir = tmp_path / "data"
    first = launch(data_dir)
    ddb, lambda_client = first.client("dynamodb"), first.client("lambda")
    arn = ddb.create_table(
        TableName="kept",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )["TableDescription"]["LatestStreamArn"]
    deploy(lambda_client, function_name, RECORDER)
    uuid_ = mapping(lambda_client, function_name, arn)
    for pk in ("a", "b"):
        ddb.put_item(TableName="kept", Item={"pk": {"S": pk}})
    assert wait_for(
        lambda: (
            lambda_client.get_event_source_mapping(UUID=uuid_)["LastProcessingResult"] == "OK"
            and sum(len(e["Records"]) for e in events_of(first, function_name)) == 2
        )
    )
    first.process.kill()  # SIGKILL: no shutdown code runs
    first.process.wait()

    second = launch(data_dir)
    ddb = second.client("dynamodb")
    ddb.put_item(TableName="kept", Item={"pk": {"S": "c"}})
    delivered = wait_for(
        lambda: (
            (k := [k for e in events_of(second, function_name) for k in keys_of(e)])
            and "c" in k
            and k
        )
    )
    assert delivered == ["a", "b", "c"]  # nothing skipped, nothing delivered again


def test_the_function_role_must_read_the_stream(server, lambda_client, stream_table) -> None:
    from overcast.cli.default_role import execution_role

    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam, role = server.client("iam"), f"streams-{uuid.uuid4().hex[:8]}"
    role_arn = execution_role(iam, role, basic)
    function = f"narrow-{uuid.uuid4().hex[:8]}"
    deploy(lambda_client, function, RECORDER, Role=role_arn)
    _, arn = stream_table()
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST"
        )
    assert excinfo.value.response["Error"]["Message"] == (
        f"Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
        "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM."
    )
    iam.attach_role_policy(
        RoleName=role,
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
    )
    mapping(lambda_client, function, arn, StartingPosition="LATEST")


WINDOWED = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    state = dict(event["state"])
    for record in event["Records"]:
        state[record["dynamodb"]["Keys"]["pk"]["S"]] = record["eventName"]
    return {"state": state}
"""


def test_tumbling_windows(server, ddb, lambda_client, stream_table, function_name) -> None:
    deploy(lambda_client, function_name, WINDOWED)
    name, arn = stream_table()
    mapping(lambda_client, function_name, arn, TumblingWindowInSeconds=1)
    ddb.put_item(TableName=name, Item=item("a"))
    ddb.put_item(TableName=name, Item=item("b"))

    def final_state() -> dict:
        found: dict = {}
        for event in events_of(server, function_name):
            if event["isFinalInvokeForWindow"]:
                found.update(event["state"])
        return found

    assert wait_for(lambda: final_state() == {"a": "INSERT", "b": "INSERT"})
    for event in events_of(server, function_name):
        assert event["shardId"].startswith("shardId-") and event["eventSourceARN"] == arn
        assert set(event["window"]) == {"start", "end"}
        assert event["isWindowTerminatedEarly"] is False
