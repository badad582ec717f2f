"""Kinesis' data plane through boto3: PutRecord / PutRecords routed by MD5 of the partition
key (or ExplicitHashKey), GetShardIterator of every type, GetRecords with its limits and
NextShardIterator, and the errors Kinesis words."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError


def error_of(caught: pytest.ExceptionInfo) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def iterator(kinesis, name: str, shard: str = "shardId-000000000000", **how) -> str:
    how.setdefault("ShardIteratorType", "TRIM_HORIZON")
    return kinesis.get_shard_iterator(StreamName=name, ShardId=shard, **how)["ShardIterator"]


def read_all(kinesis, token: str) -> list[dict]:
    return kinesis.get_records(ShardIterator=token)["Records"]


def test_put_and_get_in_order(kinesis, make_stream) -> None:
    name = make_stream()
    sent = [kinesis.put_record(StreamName=name, Data=f"m{i}".encode(), PartitionKey="k")
            for i in range(3)]  # fmt: skip
    numbers = [r["SequenceNumber"] for r in sent]
    assert all(len(n) == 56 for n in numbers) and numbers == sorted(numbers, key=int)
    assert {r["ShardId"] for r in sent} == {"shardId-000000000000"}
    answer = kinesis.get_records(ShardIterator=iterator(kinesis, name))
    records = answer["Records"]
    assert [r["Data"] for r in records] == [b"m0", b"m1", b"m2"]
    assert [r["SequenceNumber"] for r in records] == numbers
    assert records[0]["PartitionKey"] == "k"
    assert isinstance(records[0]["ApproximateArrivalTimestamp"], datetime)
    assert answer["MillisBehindLatest"] == 0
    assert kinesis.get_records(ShardIterator=answer["NextShardIterator"])["Records"] == []


def test_partition_keys_go_to_the_shard_of_their_md5(kinesis, make_stream) -> None:
    name = make_stream(shards=4)
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    keys = [f"key-{i}" for i in range(20)]
    answer = kinesis.put_records(
        StreamName=name, Records=[{"Data": k.encode(), "PartitionKey": k} for k in keys]
    )
    assert answer["FailedRecordCount"] == 0
    for key, result in zip(keys, answer["Records"], strict=True):
        hashed = int.from_bytes(hashlib.md5(key.encode()).digest(), "big")
        [owner] = [
            s["ShardId"] for s in shards
            if int(s["HashKeyRange"]["StartingHashKey"]) <= hashed
            <= int(s["HashKeyRange"]["EndingHashKey"])
        ]  # fmt: skip
        assert result["ShardId"] == owner
    explicit = kinesis.put_record(
        StreamName=name, Data=b"x", PartitionKey="any", ExplicitHashKey=str(2**128 - 1)
    )
    assert explicit["ShardId"] == "shardId-000000000003"


def test_explicit_hash_key_out_of_range(kinesis, make_stream) -> None:
    name = make_stream()
    with pytest.raises(ClientError) as caught:
        kinesis.put_records(StreamName=name, Records=[
            {"Data": b"a", "PartitionKey": "a"},
            {"Data": b"b", "PartitionKey": "b", "ExplicitHashKey": str(2**128)},
        ])  # fmt: skip
    assert error_of(caught) == (
        "InvalidArgumentException",
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
        f"Specified value was {2**128}",
    )
    assert read_all(kinesis, iterator(kinesis, name)) == []  # nothing half-written


def test_record_and_request_size_limits(kinesis, make_stream) -> None:
    name = make_stream()
    with pytest.raises(ClientError) as caught:
        kinesis.put_record(StreamName=name, Data=b"x" * (1024 * 1024 + 1), PartitionKey="k")
    assert error_of(caught) == (
        "ValidationException",
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 "
        "cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less "
        "than or equal to 1048576",
    )
    with pytest.raises(ClientError) as caught:
        kinesis.put_records(StreamName=name, Records=[{"Data": b"a", "PartitionKey": "k"}] * 501)
    assert error_of(caught)[0] == "ValidationException"
    assert "at 'records' failed to satisfy constraint" in error_of(caught)[1]


def test_iterator_types(kinesis, make_stream) -> None:
    name = make_stream()
    before = datetime.now(UTC)
    numbers = [
        kinesis.put_record(StreamName=name, Data=bytes([i]), PartitionKey="k")["SequenceNumber"]
        for i in range(3)
    ]
    at = iterator(kinesis, name, ShardIteratorType="AT_SEQUENCE_NUMBER",
                  StartingSequenceNumber=numbers[1])  # fmt: skip
    assert [r["Data"] for r in read_all(kinesis, at)] == [b"\x01", b"\x02"]
    after = iterator(kinesis, name, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                     StartingSequenceNumber=numbers[1])  # fmt: skip
    assert [r["Data"] for r in read_all(kinesis, after)] == [b"\x02"]
    stamp = iterator(kinesis, name, ShardIteratorType="AT_TIMESTAMP", Timestamp=before)
    assert len(read_all(kinesis, stamp)) == 3
    latest = iterator(kinesis, name, ShardIteratorType="LATEST")
    assert read_all(kinesis, latest) == []
    kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="k")
    assert [r["Data"] for r in read_all(kinesis, latest)] == [b"new"]


def test_iterator_refusals(kinesis, make_stream) -> None:
    name = make_stream(shards=2)
    number = kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="k", ExplicitHashKey="0")[
        "SequenceNumber"
    ]
    with pytest.raises(ClientError) as caught:
        iterator(kinesis, name, "shardId-000000000001", ShardIteratorType="AT_SEQUENCE_NUMBER",
                 StartingSequenceNumber=number)  # fmt: skip
    assert error_of(caught) == (
        "InvalidArgumentException",
        "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in "
        "a call to a shard with shardId-000000000001",
    )
    with pytest.raises(ClientError) as caught:
        iterator(kinesis, name, ShardIteratorType="LATEST", StartingSequenceNumber=number)
    assert error_of(caught)[1].endswith(
        "Request specified LATEST and also a StartingSequenceNumber."
    )
    with pytest.raises(ClientError) as caught:
        iterator(kinesis, name, "shardId-000000000007")
    code, message = error_of(caught)
    assert code == "ResourceNotFoundException"
    assert message.startswith(f"Shard shardId-000000000007 in stream {name} under account ")
    with pytest.raises(ClientError) as caught:
        kinesis.get_records(ShardIterator="bm90IG91cnM")
    assert error_of(caught) == ("InvalidArgumentException", "Invalid ShardIterator.")


def test_get_records_limit_and_millis_behind(kinesis, make_stream) -> None:
    name = make_stream()
    kinesis.put_records(
        StreamName=name, Records=[{"Data": bytes([i]), "PartitionKey": "k"} for i in range(5)]
    )
    first = kinesis.get_records(ShardIterator=iterator(kinesis, name), Limit=2)
    assert [r["Data"] for r in first["Records"]] == [b"\x00", b"\x01"]
    assert first["MillisBehindLatest"] >= 0
    rest = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=10)
    assert [r["Data"] for r in rest["Records"]] == [b"\x02", b"\x03", b"\x04"]
    assert rest["MillisBehindLatest"] == 0


def test_a_deleted_stream_reads_as_gone(kinesis, make_stream) -> None:
    name = make_stream()
    token = iterator(kinesis, name)
    kinesis.delete_stream(StreamName=name)
    kinesis.create_stream(StreamName=name, ShardCount=1)  # a new stream of the same name
    with pytest.raises(ClientError) as caught:
        kinesis.get_records(ShardIterator=token)
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_put_to_a_missing_stream(kinesis) -> None:
    with pytest.raises(ClientError) as caught:
        kinesis.put_record(StreamName=f"missing-{time.time_ns()}", Data=b"a", PartitionKey="k")
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_a_partition_key_is_required(kinesis, make_stream) -> None:
    name = make_stream()
    with pytest.raises(ClientError) as caught:
        kinesis.put_records(StreamName=name, Records=[{"Data": b"a", "PartitionKey": "k"},
                                                      {"Data": b"b"}])  # fmt: skip
    assert error_of(caught) == (
        "ValidationException",
        "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to "
        "satisfy constraint: Member must not be null",
    )
    with pytest.raises(ClientError) as caught:
        kinesis.put_record(StreamName=name, Data=b"a")
    assert "Value null at 'partitionKey'" in error_of(caught)[1]
