"""DynamoDB Streams through boto3 against the session server: ListStreams, DescribeStream,
GetShardIterator of each type, GetRecords (order, images, paging, a closed shard's end), and
the service's errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def code_of(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def shard_of(streams, arn: str) -> dict:
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return shard


def iterator(streams, arn: str, kind: str = "TRIM_HORIZON", **extra: str) -> str:
    shard = shard_of(streams, arn)["ShardId"]
    return streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra
    )["ShardIterator"]


def key(pk: str, sk: int) -> dict:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def test_list_and_describe(streams, stream_table) -> None:
    name, arn = stream_table("KEYS_ONLY")
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": name, "StreamLabel": arn.split("/")[-1]}]
    assert arn in [s["StreamArn"] for s in streams.list_streams()["Streams"]]
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamStatus"] == "ENABLED"
    assert described["StreamViewType"] == "KEYS_ONLY" and described["TableName"] == name
    assert described["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (shard,) = described["Shards"]
    assert shard["ShardId"].startswith("shardId-") and len(shard["ShardId"]) >= 28
    assert shard["SequenceNumberRange"] == {"StartingSequenceNumber": "0" * 20 + "1"}
    assert "ParentShardId" not in shard
    assert described["CreationRequestDateTime"].year >= 2024


def test_records_in_order_with_images(ddb, streams, stream_table) -> None:
    name, arn = stream_table()
    ddb.put_item(TableName=name, Item={**key("a", 1), "v": {"S": "one"}})
    ddb.put_item(TableName=name, Item={**key("a", 1), "v": {"S": "two"}})
    ddb.delete_item(TableName=name, Key=key("a", 1))
    answer = streams.get_records(ShardIterator=iterator(streams, arn))
    records = answer["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert insert["Keys"] == key("a", 1) and "OldImage" not in insert
    assert insert["NewImage"]["v"] == {"S": "one"}
    assert modify["OldImage"]["v"] == {"S": "one"} and modify["NewImage"]["v"] == {"S": "two"}
    assert remove["OldImage"]["v"] == {"S": "two"} and "NewImage" not in remove
    sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert sequences == sorted(sequences, key=int) and len(set(sequences)) == 3
    first = records[0]
    assert first["eventSource"] == "aws:dynamodb" and first["awsRegion"] == "us-east-1"
    assert first["eventVersion"] == "1.1" and len(first["eventID"]) == 32
    assert insert["StreamViewType"] == "NEW_AND_OLD_IMAGES" and insert["SizeBytes"] > 0
    # The stream is open: an iterator to go on with, which finds nothing new yet.
    assert streams.get_records(ShardIterator=answer["NextShardIterator"])["Records"] == []

    # Sequence-number iterators start at or after the record named.
    at = iterator(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=sequences[1])
    assert [r["eventName"] for r in streams.get_records(ShardIterator=at)["Records"]] == [
        "MODIFY",
        "REMOVE",
    ]
    after = iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=sequences[1])
    assert [r["eventName"] for r in streams.get_records(ShardIterator=after)["Records"]] == [
        "REMOVE"
    ]


def test_latest_limit_and_paging(ddb, streams, stream_table) -> None:
    name, arn = stream_table("NEW_IMAGE")
    ddb.put_item(TableName=name, Item=key("old", 0))
    latest = iterator(streams, arn, "LATEST")
    for sk in range(1, 6):
        ddb.put_item(TableName=name, Item=key("new", sk))
    seen, position = [], latest
    for _ in range(3):
        answer = streams.get_records(ShardIterator=position, Limit=2)
        assert len(answer["Records"]) <= 2
        seen += [int(r["dynamodb"]["Keys"]["sk"]["N"]) for r in answer["Records"]]
        position = answer["NextShardIterator"]
    assert seen == [1, 2, 3, 4, 5]


def test_a_disabled_stream_closes_its_shard(ddb, streams, stream_table) -> None:
    name, arn = stream_table()
    ddb.put_item(TableName=name, Item=key("a", 1))
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamStatus"] == "DISABLED"
    (shard,) = described["Shards"]
    ending = shard["SequenceNumberRange"]["EndingSequenceNumber"]
    answer = streams.get_records(ShardIterator=iterator(streams, arn))
    assert [r["dynamodb"]["SequenceNumber"] for r in answer["Records"]] == [ending]
    assert "NextShardIterator" not in answer  # the shard is read to its end
    # Its table deleted, the stream stays readable (24 hours, as on AWS).
    ddb.delete_table(TableName=name)
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["TableName"] == name
    assert len(streams.get_records(ShardIterator=iterator(streams, arn))["Records"]) == 1


def test_errors(streams, stream_table) -> None:
    _, arn = stream_table()
    missing = arn.rsplit("/", 1)[0] + "/2001-01-01T00:00:00.000"
    with pytest.raises(ClientError) as excinfo:
        streams.describe_stream(StreamArn=missing)
    assert code_of(excinfo) == "ResourceNotFoundException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    shard = shard_of(streams, arn)["ShardId"]
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(
            StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
            ShardIteratorType="LATEST",
        )  # fmt: skip
    assert code_of(excinfo) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER"
        )
    assert code_of(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator=f"{arn}|1|bm90IGFuIGl0ZXJhdG9y")
    assert code_of(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator=iterator(streams, arn), Limit=1001)
    assert code_of(excinfo) == "LimitExceededException"
