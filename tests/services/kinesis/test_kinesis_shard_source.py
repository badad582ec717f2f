"""The ShardSource over Kinesis streams (issue 17's contract): shards with lineage, records in
the shape Lambda delivers, LATEST and AT_TIMESTAMP positions, and a wait that wakes on a
write instead of polling."""

from __future__ import annotations

import asyncio
import base64
import threading

import pytest
from fakes import REGION, open_kinesis

from overcast.aws.errors import MissingResource
from overcast.services.kinesis import resharding
from overcast.services.kinesis.shard_source import KinesisShardSource

# The keys of a record in a Kinesis event, as Lambda delivers it (less invokeIdentityArn,
# which the poller adds: it is the reading function's role).
EVENT_KEYS = {"kinesis", "eventSource", "eventVersion", "eventID", "eventName", "awsRegion",
              "eventSourceARN"}  # fmt: skip
KINESIS_KEYS = {"kinesisSchemaVersion", "partitionKey", "sequenceNumber", "data",
                "approximateArrivalTimestamp"}  # fmt: skip


@pytest.fixture
def k(tmp_path):
    kinesis = open_kinesis(tmp_path / "k.db")
    kinesis.streams.create(REGION, {"StreamName": "s", "ShardCount": 1})
    return kinesis


def put(k, data: bytes) -> dict:
    return k.records.put(REGION, {"StreamName": "s", "Data": data, "PartitionKey": "pk"})


def test_records_are_lambdas_kinesis_records(k) -> None:
    source = KinesisShardSource(k.records, k.arrivals)
    sent = put(k, b"Hello World")
    [record] = source.read(k.arn("s"), "shardId-000000000000", None, 10)
    assert record.sequence == sent["SequenceNumber"] and record.order_key == "pk"
    event = record.record
    assert set(event) == EVENT_KEYS and set(event["kinesis"]) == KINESIS_KEYS
    assert event["kinesis"]["data"] == base64.b64encode(b"Hello World").decode()
    assert event["kinesis"]["approximateArrivalTimestamp"] == k.clock.now
    assert event["eventID"] == f"shardId-000000000000:{sent['SequenceNumber']}"
    assert (event["eventSource"], event["eventName"]) == ("aws:kinesis", "aws:kinesis:record")
    assert event["eventSourceARN"] == k.arn("s") and event["awsRegion"] == REGION
    assert record.size > len(event["kinesis"]["data"])


def test_positions_latest_and_before_time(k) -> None:
    source = KinesisShardSource(k.records, k.arrivals)
    shard, arn = "shardId-000000000000", k.arn("s")
    assert source.latest(arn, shard) is None
    first = put(k, b"a")["SequenceNumber"]
    k.clock.now += 10
    second = put(k, b"b")["SequenceNumber"]
    assert source.latest(arn, shard) == second
    assert [r.sequence for r in source.read(arn, shard, first, 10)] == [second]
    at = source.before_time(arn, shard, int(k.clock.now * 1000))
    assert [r.sequence for r in source.read(arn, shard, at, 10)] == [second]
    assert source.before_time(arn, shard, int(k.clock.now * 1000) + 1) == second


def test_shards_and_their_lineage(k) -> None:
    source = KinesisShardSource(k.records, k.arrivals)
    resharding.split(k.streams, REGION, {"StreamName": "s", "ShardToSplit": "shardId-000000000000",
                                         "NewStartingHashKey": str(2**127)})  # fmt: skip
    parent, *children = source.shards(k.arn("s"))
    assert parent.ending_sequence is not None and parent.parent_shard_id is None
    assert [c.parent_shard_id for c in children] == [parent.shard_id] * 2
    assert all(int(c.starting_sequence) > int(parent.ending_sequence) for c in children)
    k.streams.delete(REGION, {"StreamName": "s"})
    with pytest.raises(MissingResource):
        source.shards(k.arn("s"))


def test_wait_wakes_on_a_write_and_otherwise_times_out(k) -> None:
    source = KinesisShardSource(k.records, k.arrivals)
    arn = k.arn("s")

    async def scenario() -> None:
        await asyncio.wait_for(source.wait(arn, 30), 5)  # a task's first wait: at once
        started = asyncio.Event()

        async def waiter() -> None:
            await source.wait(arn, 30)  # the task's first wait: returns at once
            started.set()
            await source.wait(arn, 30)  # returns on the write below, not after 30 s

        task = asyncio.create_task(waiter())
        await started.wait()
        writer = threading.Thread(target=put, args=(k, b"x"))
        writer.start()
        await asyncio.wait_for(task, 10)
        writer.join()
        await asyncio.wait_for(source.wait(arn, 30), 5)  # the write, unseen by this task
        blocked = asyncio.create_task(waiter())  # nothing new: its second wait waits
        started.clear()
        await started.wait()
        for _ in range(20):
            await asyncio.sleep(0)
        assert not blocked.done()
        blocked.cancel()
        await asyncio.wait_for(source.wait(arn, 0.01), 5)  # and returns at its timeout

    asyncio.run(scenario())
