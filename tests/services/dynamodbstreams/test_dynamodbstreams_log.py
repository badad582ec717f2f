"""In-process, with a clock: shard iterators expire after 15 minutes, and records are kept 24
hours (TRIM_HORIZON starts past them, a position before them is refused)."""

from __future__ import annotations

import pytest

from overcast.services.dynamodb.store import DynamoDbStore
from overcast.services.dynamodbstreams.errors import (
    ExpiredIteratorException,
    TrimmedDataAccessException,
)
from overcast.services.dynamodbstreams.log import StreamLog
from overcast.services.dynamodbstreams.streams import Streams

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
HOUR_MS = 3600 * 1000


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path):
    clock = Clock()
    store = DynamoDbStore(tmp_path / "dynamodb.db")
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    with store.transaction():
        store.add_stream(ARN, ARN.split("/stream")[0], "id", "KEYS_ONLY", "l", 0, keys)
    log = StreamLog(tmp_path / "dynamodb.db", clock)
    yield store, clock, Streams(log)
    log.close()
    store.close()


def write(store: DynamoDbStore, created_ms: int, n: int) -> None:
    with store.transaction():
        for i in range(n):
            record = {"Keys": {"pk": {"S": str(i)}}, "SizeBytes": 3}
            store.add_record(ARN, created_ms, "INSERT", record, None)


def position(streams: Streams, kind: str, **extra: str) -> str:
    shard = streams.describe("us-east-1", "123456789012", ARN, None)["Shards"][0]["ShardId"]
    params = {"StreamArn": ARN, "ShardId": shard, "ShardIteratorType": kind, **extra}
    return streams.iterator("us-east-1", "123456789012", params)


def test_iterators_expire_after_15_minutes(setup) -> None:
    store, clock, streams = setup
    write(store, int(clock.now * 1000), 2)
    text = position(streams, "TRIM_HORIZON")
    clock.now += 14 * 60
    assert len(streams.records("us-east-1", "123456789012", text, None)["Records"]) == 2
    clock.now += 2 * 60
    with pytest.raises(ExpiredIteratorException):
        streams.records("us-east-1", "123456789012", text, None)


def test_records_older_than_24_hours_are_trimmed(setup) -> None:
    store, clock, streams = setup
    now_ms = int(clock.now * 1000)
    write(store, now_ms - 25 * HOUR_MS, 2)  # sequence numbers 1 and 2: past 24 hours
    write(store, now_ms - 24 * HOUR_MS + 5 * 60 * 1000, 1)  # 3: trimmed in 5 minutes
    write(store, now_ms - HOUR_MS, 1)  # 4
    answer = streams.records("us-east-1", "123456789012", position(streams, "TRIM_HORIZON"), None)
    assert [r["dynamodb"]["SequenceNumber"] for r in answer["Records"]] == [
        "0" * 20 + "3",
        "0" * 20 + "4",
    ]
    with pytest.raises(TrimmedDataAccessException):
        position(streams, "AT_SEQUENCE_NUMBER", SequenceNumber="0" * 20 + "1")
    # An iterator taken before its record is trimmed is refused once it is.
    text = position(streams, "AT_SEQUENCE_NUMBER", SequenceNumber="0" * 20 + "3")
    assert len(streams.records("us-east-1", "123456789012", text, None)["Records"]) == 2
    clock.now += 10 * 60
    with pytest.raises(TrimmedDataAccessException):
        streams.records("us-east-1", "123456789012", text, None)
    horizon = position(streams, "TRIM_HORIZON")
    assert len(streams.records("us-east-1", "123456789012", horizon, None)["Records"]) == 1
