"""SplitShard, MergeShards and UpdateShardCount through boto3: parents closed with an
EndingSequenceNumber, children with ParentShardId / AdjacentParentShardId, records routed to
the children, a closed shard read to its end giving ChildShards; ListShards' filters and
paging."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TOP = 2**128 - 1


def error_of(caught: pytest.ExceptionInfo) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def by_id(kinesis, name: str) -> dict[str, dict]:
    return {s["ShardId"]: s for s in kinesis.list_shards(StreamName=name)["Shards"]}


def test_split_then_merge(kinesis, make_stream) -> None:
    name = make_stream()
    before = kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="k")
    middle = str(2**127)
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=middle)  # fmt: skip
    shards = by_id(kinesis, name)
    parent = shards["shardId-000000000000"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    low, high = shards["shardId-000000000001"], shards["shardId-000000000002"]
    assert low["ParentShardId"] == high["ParentShardId"] == "shardId-000000000000"
    assert low["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)}
    assert high["HashKeyRange"] == {"StartingHashKey": middle, "EndingHashKey": str(TOP)}
    put = kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="p", ExplicitHashKey="5")
    assert put["ShardId"] == "shardId-000000000001"

    # The parent reads to its end, then names its children.
    token = kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = kinesis.get_records(ShardIterator=token)
    assert [r["SequenceNumber"] for r in first["Records"]] == [before["SequenceNumber"]]
    last = kinesis.get_records(ShardIterator=first["NextShardIterator"])
    assert "NextShardIterator" not in last
    assert sorted(c["ShardId"] for c in last["ChildShards"]) == [
        "shardId-000000000001", "shardId-000000000002"
    ]  # fmt: skip

    kinesis.merge_shards(StreamName=name, ShardToMerge="shardId-000000000001",
                         AdjacentShardToMerge="shardId-000000000002")  # fmt: skip
    merged = by_id(kinesis, name)["shardId-000000000003"]
    assert merged["ParentShardId"] == "shardId-000000000001"
    assert merged["AdjacentParentShardId"] == "shardId-000000000002"
    assert merged["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(TOP)}
    open_now = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})
    assert [s["ShardId"] for s in open_now["Shards"]] == ["shardId-000000000003"]


def test_split_and_merge_refusals(kinesis, make_stream) -> None:
    name = make_stream(shards=3)
    with pytest.raises(ClientError) as caught:
        kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000",
                            NewStartingHashKey="1")  # fmt: skip
    code, message = error_of(caught)
    assert code == "InvalidArgumentException"
    assert message.startswith("NewStartingHashKey 1 used in SplitShard() on shard shardId-0000")
    with pytest.raises(ClientError) as caught:
        kinesis.merge_shards(StreamName=name, ShardToMerge="shardId-000000000000",
                             AdjacentShardToMerge="shardId-000000000002")  # fmt: skip
    assert error_of(caught)[1].endswith("are not an adjacent pair of shards eligible for merging")
    with pytest.raises(ClientError) as caught:
        kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000009",
                            NewStartingHashKey="100")  # fmt: skip
    assert error_of(caught)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize(("start", "target"), [(2, 4), (4, 2), (3, 5), (5, 3)])
def test_update_shard_count_is_uniform(kinesis, make_stream, start: int, target: int) -> None:
    name = make_stream(shards=start)
    answer = kinesis.update_shard_count(StreamName=name, TargetShardCount=target,
                                        ScalingType="UNIFORM_SCALING")  # fmt: skip
    assert (answer["CurrentShardCount"], answer["TargetShardCount"]) == (start, target)
    shards = list(by_id(kinesis, name).values())
    live = [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    width = (TOP + 1) // target
    starts = sorted(int(s["HashKeyRange"]["StartingHashKey"]) for s in live)
    assert starts == [i * width for i in range(target)]
    known = {s["ShardId"] for s in shards}
    for shard in shards:  # every parent is a listed shard: the lineage is whole
        assert shard.get("ParentShardId") in known | {None}
        assert shard.get("AdjacentParentShardId") in known | {None}


def test_update_shard_count_limits(kinesis, make_stream) -> None:
    name = make_stream(shards=2)
    with pytest.raises(ClientError) as caught:
        kinesis.update_shard_count(StreamName=name, TargetShardCount=5,
                                   ScalingType="UNIFORM_SCALING")  # fmt: skip
    assert error_of(caught) == (
        "LimitExceededException",
        "UpdateShardCount cannot scale up over double your current open shard count. "
        "Current open shard count: 2, Target shard count: 5",
    )


def test_list_shards_pages_with_next_token(kinesis, make_stream) -> None:
    name = make_stream(shards=3)
    first = kinesis.list_shards(StreamName=name, MaxResults=2)
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000",
                                                       "shardId-000000000001"]  # fmt: skip
    rest = kinesis.list_shards(NextToken=first["NextToken"])
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000002"]
    assert "NextToken" not in rest
    with pytest.raises(ClientError) as caught:
        kinesis.list_shards(StreamName=name, NextToken=first["NextToken"])
    assert error_of(caught) == (
        "InvalidArgumentException",
        "NextToken and StreamName cannot be provided together.",
    )
    after = kinesis.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000000")
    assert len(after["Shards"]) == 2


def test_an_altered_next_token_is_refused(kinesis, make_stream) -> None:
    from overcast.aws.paging import decode_token, encode_token

    name = make_stream(shards=2)
    token = kinesis.list_shards(StreamName=name, MaxResults=1)["NextToken"]
    arn, after, _, issued = decode_token(token)
    for forged in ([arn, after, {"Type": 5}, issued], [arn, 7, None, issued], ["x"], {}):
        with pytest.raises(ClientError) as caught:
            kinesis.list_shards(NextToken=encode_token(forged))
        assert error_of(caught)[0] == "InvalidArgumentException", forged
