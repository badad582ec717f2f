"""Lambda event source mappings on Kinesis streams, end to end through boto3: records as
Lambda delivers them (invokeIdentityArn included), StartingPosition LATEST / AT_TIMESTAMP,
order per partition key with ParallelizationFactor, BisectBatchOnFunctionError with an
OnFailure queue (KinesisBatchInfo), ReportBatchItemFailures, parents read before children
(a split, then a merge), the role check, and checkpoints that survive a kill -9."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from stream_harness import events_of, mapping, wait_for
from support import LAMBDA_ROLE, deploy

SAMPLE = Path(__file__).parents[2] / "events" / "kinesis-event.json"
RECORDER = """
import json

def handler(event, context):
    print("EVENT " + json.dumps(event))
"""
# Fails a batch holding a record whose data is `bad`.
PICKY = """
import base64, json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    if any(base64.b64decode(r["kinesis"]["data"]) == b"bad" for r in event["Records"]):
        raise ValueError("bad record")
"""
# Names the record whose data is `b` as failed, every time.
PARTIAL = """
import base64, json

def handler(event, context):
    print("EVENT " + json.dumps(event))
    failed = [r["kinesis"]["sequenceNumber"] for r in event["Records"]
              if base64.b64decode(r["kinesis"]["data"]) == b"b"]
    return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}
"""
MIDDLE = str(2**127)


def datas(event: dict) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]


def delivered(server, function: str) -> list[str]:
    return [d for e in events_of(server, function) for d in datas(e)]


def put(kinesis, name: str, data: str, key: str = "k", **extra) -> dict:
    return kinesis.put_record(StreamName=name, Data=data.encode(), PartitionKey=key, **extra)


def arn_of(kinesis, name: str) -> str:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def test_records_reach_the_function_as_lambda_shapes_them(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    deploy(lambda_client, function_name, RECORDER)
    name = make_stream()
    arn = arn_of(kinesis, name)
    put(kinesis, name, "before")  # LATEST starts past it
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function_name, StartingPosition="LATEST"
    )
    assert created["BatchSize"] == 100 and created["StartingPosition"] == "LATEST"
    assert created["LastProcessingResult"] == "No records processed"
    uuid_ = created["UUID"]
    assert wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=uuid_)["State"] == "Enabled"
    )
    sent = [put(kinesis, name, d, key="s1") for d in ("one", "two", "three")]
    assert wait_for(lambda: len(delivered(server, function_name)) >= 3)
    assert delivered(server, function_name) == ["one", "two", "three"]
    records = [r for e in events_of(server, function_name) for r in e["Records"]]
    sample = json.loads(SAMPLE.read_text())["Records"][0]
    assert list(records[0]) == list(sample)  # invokeIdentityArn where Lambda puts it
    assert list(records[0]["kinesis"]) == list(sample["kinesis"])
    first = records[0]
    assert first["invokeIdentityArn"] == LAMBDA_ROLE
    assert first["eventSourceARN"] == arn and first["awsRegion"] == "us-east-1"
    assert first["kinesis"]["sequenceNumber"] == sent[0]["SequenceNumber"]
    assert first["kinesis"]["partitionKey"] == "s1"
    assert first["eventID"] == f"shardId-000000000000:{sent[0]['SequenceNumber']}"
    assert wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=uuid_)["LastProcessingResult"] == "OK"
    )
    lambda_client.delete_event_source_mapping(UUID=uuid_)


def test_at_timestamp_and_lambdas_checks(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    deploy(lambda_client, function_name, RECORDER)
    name = make_stream()
    arn = arn_of(kinesis, name)
    first = kinesis.get_records(
        ShardIterator=kinesis.get_shard_iterator(
            StreamName=name,
            ShardId=put(kinesis, name, "old")["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
    )["Records"][0]["ApproximateArrivalTimestamp"]
    # Records until one arrives in a later millisecond than the first: it is where to start.
    iterator = kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="LATEST"
    )["ShardIterator"]
    later = None
    for index in range(1000):
        put(kinesis, name, f"f{index}")
        got = kinesis.get_records(ShardIterator=iterator)
        iterator = got["NextShardIterator"]
        later = next((r for r in got["Records"] if r["ApproximateArrivalTimestamp"] > first), None)
        if later:
            break
    assert later is not None
    mapping(
        lambda_client, function_name, arn, StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=later["ApproximateArrivalTimestamp"],
    )  # fmt: skip
    assert wait_for(lambda: delivered(server, function_name))
    got = delivered(server, function_name)
    assert got[0] == later["Data"].decode() and "old" not in got

    other = function_name + "-2"
    deploy(lambda_client, other, RECORDER)
    for params in (
        {"StartingPosition": "AT_TIMESTAMP"},  # without its timestamp
        {},  # without a StartingPosition
    ):
        with pytest.raises(ClientError) as excinfo:
            lambda_client.create_event_source_mapping(
                EventSourceArn=arn, FunctionName=other, **params
            )
        assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValueException"
    gone = arn.rsplit("/", 1)[0] + "/no-such-stream"
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=gone, FunctionName=other, StartingPosition="LATEST"
        )
    assert excinfo.value.response["Error"]["Message"] == f"Stream not found: {gone}"


def test_parallelization_keeps_each_partition_keys_order(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    deploy(lambda_client, function_name, RECORDER)
    name = make_stream()
    for index in range(6):
        for key in ("k0", "k1", "k2", "k3"):
            put(kinesis, name, f"{key}-{index}", key=key)
    mapping(lambda_client, function_name, arn_of(kinesis, name),
            ParallelizationFactor=4, BatchSize=2)  # fmt: skip
    assert wait_for(lambda: len(delivered(server, function_name)) >= 24)
    got = delivered(server, function_name)
    assert len(got) == 24
    for key in ("k0", "k1", "k2", "k3"):
        assert [d for d in got if d.startswith(key)] == [f"{key}-{i}" for i in range(6)]
    # Each batch holds records of one lane: keys never split across lanes.
    for event in events_of(server, function_name):
        assert len(event["Records"]) <= 2


def test_bisect_and_on_failure_queue(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName=f"failed-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    deploy(lambda_client, function_name, PICKY)
    name = make_stream()
    arn = arn_of(kinesis, name)
    for data in ("ok1", "ok2", "bad", "ok3"):
        put(kinesis, name, data)
    mapping(
        lambda_client, function_name, arn, BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )  # fmt: skip
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"))
    failure = json.loads(messages[0]["Body"])
    info = failure["KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["shardId"] == "shardId-000000000000"
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert "payload" not in failure  # only an S3 destination gets the records

    def batches() -> list[list[str]]:  # the logs may be written after the failure record
        return [datas(e) for e in events_of(server, function_name)]

    def good(found: list[list[str]]) -> set[str]:
        return {d for b in found if "bad" not in b for d in b}

    assert wait_for(lambda: ["bad"] in batches() and good(batches()) == {"ok1", "ok2", "ok3"})
    assert batches()[0] == ["ok1", "ok2", "bad", "ok3"]


def test_report_batch_item_failures(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    deploy(lambda_client, function_name, PARTIAL)
    name = make_stream()
    for data in ("a", "b", "c"):
        put(kinesis, name, data)
    mapping(
        lambda_client, function_name, arn_of(kinesis, name), MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )  # fmt: skip
    assert wait_for(lambda: len(events_of(server, function_name)) >= 2)
    put(kinesis, name, "d")
    assert wait_for(lambda: ["d"] in [datas(e) for e in events_of(server, function_name)])
    batches = [datas(e) for e in events_of(server, function_name)]
    assert batches == [["a", "b", "c"], ["b", "c"], ["d"]]


def test_parents_are_read_before_their_children(
    server, kinesis, make_stream, lambda_client, function_name
) -> None:
    deploy(lambda_client, function_name, RECORDER)
    name = make_stream()
    put(kinesis, name, "parent-1")
    put(kinesis, name, "parent-2")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=MIDDLE)  # fmt: skip
    put(kinesis, name, "low-1", ExplicitHashKey="5")
    put(kinesis, name, "high-1", ExplicitHashKey=MIDDLE)
    put(kinesis, name, "high-2", ExplicitHashKey=MIDDLE)
    kinesis.merge_shards(StreamName=name, ShardToMerge="shardId-000000000001",
                         AdjacentShardToMerge="shardId-000000000002")  # fmt: skip
    put(kinesis, name, "merged-1", ExplicitHashKey="5")
    mapping(lambda_client, function_name, arn_of(kinesis, name), BatchSize=1)
    assert wait_for(lambda: len(delivered(server, function_name)) >= 6)
    got = delivered(server, function_name)
    assert sorted(got[:2]) == ["parent-1", "parent-2"]
    assert sorted(got[2:5]) == ["high-1", "high-2", "low-1"]
    assert got.index("high-1") < got.index("high-2")
    assert got[5] == "merged-1"  # after both of its parents
    records = [r for e in events_of(server, function_name) for r in e["Records"]]
    assert records[5]["eventID"].startswith("shardId-000000000003:")


def test_checkpoints_survive_a_kill(tmp_path, launch, function_name) -> None:
    data_dir = tmp_path / "data"
    first = launch(data_dir)
    kinesis, lambda_client = first.client("kinesis"), first.client("lambda")
    kinesis.create_stream(StreamName="kept", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(
        StreamName="kept", WaiterConfig={"Delay": 1, "MaxAttempts": 10}
    )
    deploy(lambda_client, function_name, RECORDER)
    uuid_ = mapping(lambda_client, function_name, arn_of(kinesis, "kept"))
    for data in ("a", "b"):
        put(kinesis, "kept", data)
    assert wait_for(
        lambda: (
            lambda_client.get_event_source_mapping(UUID=uuid_)["LastProcessingResult"] == "OK"
            and delivered(first, function_name) == ["a", "b"]
        )
    )
    first.process.kill()  # SIGKILL: no shutdown code runs
    first.process.wait()

    second = launch(data_dir)
    put(second.client("kinesis"), "kept", "c")
    assert wait_for(lambda: "c" in delivered(second, function_name))
    assert delivered(second, function_name) == ["a", "b", "c"]  # none skipped, none again


def test_the_function_role_must_read_the_stream(
    server, kinesis, make_stream, lambda_client
) -> None:
    from overcast.cli.default_role import execution_role

    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam, role = server.client("iam"), f"kinesis-{uuid.uuid4().hex[:8]}"
    role_arn = execution_role(iam, role, basic)
    function = f"narrow-{uuid.uuid4().hex[:8]}"
    deploy(lambda_client, function, RECORDER, Role=role_arn)
    arn = arn_of(kinesis, make_stream())
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST"
        )
    assert excinfo.value.response["Error"]["Message"] == (
        f"Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
        "GetShardIterator, DescribeStream, ListShards, and ListStreams Actions on your stream "
        "in IAM."
    )
    iam.attach_role_policy(
        RoleName=role,
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
    )
    mapping(lambda_client, function, arn, StartingPosition="LATEST")
