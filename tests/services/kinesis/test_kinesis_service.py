"""Kinesis in process, where time and restarts matter: iterators expire after 5 minutes,
records past retention are trimmed, CREATING / UPDATING settle to ACTIVE, and everything
(positions included) survives a restart."""

from __future__ import annotations

import pytest
from fakes import REGION, Clock, open_kinesis

from overcast.services.kinesis import resharding
from overcast.services.kinesis.errors import (
    ExpiredIteratorException,
    ResourceInUseException,
)


def put(k, name: str, data: bytes, key: str = "k") -> dict:
    return k.records.put(REGION, {"StreamName": name, "Data": data, "PartitionKey": key})


def horizon_iterator(k, name: str) -> str:
    params = {"StreamName": name, "ShardId": "shardId-000000000000",
              "ShardIteratorType": "TRIM_HORIZON"}  # fmt: skip
    return k.records.iterator(REGION, params)


def test_iterators_expire_after_five_minutes(tmp_path) -> None:
    k = open_kinesis(tmp_path / "k.db")
    k.streams.create(REGION, {"StreamName": "s", "ShardCount": 1})
    token = horizon_iterator(k, "s")
    k.clock.now += 300
    k.records.get({"ShardIterator": token})  # 5 minutes: still good
    k.clock.now += 1
    with pytest.raises(ExpiredIteratorException) as caught:
        k.records.get({"ShardIterator": token})
    assert caught.value.message == (
        "Iterator expired. The iterator was created at time Tue Nov 14 22:13:20 UTC 2023 "
        "while right now it is Tue Nov 14 22:18:21 UTC 2023 which is further in the future "
        "than the tolerated delay of 300000 milliseconds."
    )


def test_a_tampered_iterator_is_invalid(tmp_path) -> None:
    k = open_kinesis(tmp_path / "k.db")
    k.streams.create(REGION, {"StreamName": "s", "ShardCount": 1})
    token = horizon_iterator(k, "s")
    payload, mac = token.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac
    with pytest.raises(Exception) as caught:
        k.records.get({"ShardIterator": forged})
    assert caught.value.message == "Invalid ShardIterator."


def test_retention_trims_old_records(tmp_path) -> None:
    k = open_kinesis(tmp_path / "k.db")
    k.streams.create(REGION, {"StreamName": "s", "ShardCount": 1})
    put(k, "s", b"old")
    k.clock.now += 23 * 3600
    put(k, "s", b"new")
    k.clock.now += 3600 + 1  # "old" is now past 24 hours, "new" is not
    page, _ = k.records.get({"ShardIterator": horizon_iterator(k, "s")})
    assert [r.data for r in page.records] == [b"new"]  # hidden before the sweep
    assert k.streams.trim() == 1
    assert k.streams.trim() == 0


def test_creating_and_updating_settle_to_active(tmp_path) -> None:
    clock = Clock()
    k = open_kinesis(tmp_path / "k.db", clock, settle_s=2.0)
    k.streams.create(REGION, {"StreamName": "s", "ShardCount": 2})
    stream = k.streams.find(REGION, {"StreamName": "s"})
    assert stream.status_at(k.streams.now_ms()) == "CREATING"
    clock.now += 2
    assert stream.status_at(k.streams.now_ms()) == "ACTIVE"
    resharding.update_shard_count(
        k.streams, REGION, {"StreamName": "s", "TargetShardCount": 3,
                            "ScalingType": "UNIFORM_SCALING"}
    )  # fmt: skip
    with pytest.raises(ResourceInUseException) as caught:
        resharding.merge(k.streams, REGION, {"StreamName": "s", "ShardToMerge": "shardId-0",
                                             "AdjacentShardToMerge": "shardId-1"})  # fmt: skip
    assert caught.value.message == (
        "Stream s under account 123456789012 not ACTIVE, instead in state UPDATING"
    )
    clock.now += 2
    assert stream.status_at(k.streams.now_ms()) == "ACTIVE"


def test_everything_survives_a_restart(tmp_path) -> None:
    clock = Clock()
    k = open_kinesis(tmp_path / "k.db", clock)
    k.streams.create(REGION, {"StreamName": "s", "ShardCount": 2, "Tags": {"a": "b"}})
    first = put(k, "s", b"one")
    resharding.split(k.streams, REGION, {"StreamName": "s", "ShardToSplit": "shardId-000000000000",
                                         "NewStartingHashKey": str(2**126)})  # fmt: skip
    k.store.close()

    again = open_kinesis(tmp_path / "k.db", clock)
    stream = again.streams.find(REGION, {"StreamName": "s"})
    assert stream.tags == {"a": "b"} and len(stream.shards) == 4
    second = put(again, "s", b"two")
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    params = {"StreamName": "s", "ShardId": first["ShardId"],
              "ShardIteratorType": "AT_SEQUENCE_NUMBER",
              "StartingSequenceNumber": first["SequenceNumber"]}  # fmt: skip
    page, _ = again.records.get({"ShardIterator": again.records.iterator(REGION, params)})
    assert [r.data for r in page.records] == [b"one", b"two"]  # "k" hashes to shard 1
