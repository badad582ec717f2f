"""The shapes Kinesis answers with: DescribeStream's StreamDescription (its shards paged),
DescribeStreamSummary, ListStreams' StreamSummaries, and the ShardFilter of ListShards."""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.services.kinesis.errors import InvalidArgumentException
from overcast.services.kinesis.model import Shard, Stream
from overcast.services.kinesis.records import _millis
from overcast.services.kinesis.sequences import shard_index


def _common(stream: Stream, status: str) -> dict:
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": status,
        "StreamModeDetails": {"StreamMode": stream.mode},
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": datetime.fromtimestamp(stream.created, UTC),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": "NONE",
    }


def live_shards(stream: Stream, now_ms: int) -> list[Shard]:
    """Its shards but the expired ones (closed longer ago than the retention period): those
    ListShards and DescribeStream no longer list."""
    horizon = now_ms - stream.retention_hours * 3600 * 1000
    return [s for s in stream.shards if s.closed_ms is None or s.closed_ms >= horizon]


def description(stream: Stream, status: str, now_ms: int, params: dict) -> dict:
    shards = live_shards(stream, now_ms)
    start = params.get("ExclusiveStartShardId")
    if start is not None:
        after = shard_index(start)
        shards = [s for s in shards if after is None or s.index > after]
    limit = params.get("Limit") or 100
    return {
        **_common(stream, status),
        "Shards": [s.wire() for s in shards[:limit]],
        "HasMoreShards": len(shards) > limit,
    }


def summary(stream: Stream, status: str) -> dict:
    return {
        **_common(stream, status),
        "OpenShardCount": len(stream.open_shards()),
        "ConsumerCount": 0,
        "MaxRecordSizeInKiB": stream.max_record_kib,
    }


def stream_summary(stream: Stream, status: str) -> dict:
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": status,
        "StreamModeDetails": {"StreamMode": stream.mode},
        "StreamCreationTimestamp": datetime.fromtimestamp(stream.created, UTC),
    }


def filtered(shards: list[Shard], shard_filter: dict | None, stream: Stream, now_ms: int):
    """ListShards' ShardFilter: which shards, by when they were open."""
    if not shard_filter:
        return shards
    kind = shard_filter["Type"]
    if kind == "AFTER_SHARD_ID":
        if shard_filter.get("ShardId") is None:
            raise InvalidArgumentException(
                "ShardId is required for ShardFilter type AFTER_SHARD_ID."
            )
        after = shard_index(shard_filter["ShardId"])
        return [s for s in shards if after is None or s.index > after]
    if kind == "AT_LATEST":
        return [s for s in shards if s.is_open]
    if kind == "FROM_TRIM_HORIZON":
        return shards
    born = min((s.created_ms for s in stream.shards), default=0)
    if kind == "AT_TRIM_HORIZON":
        return _open_at(shards, max(now_ms - stream.retention_hours * 3600 * 1000, born))
    if shard_filter.get("Timestamp") is None:
        raise InvalidArgumentException(f"Timestamp is required for ShardFilter type {kind}.")
    at = _millis(shard_filter["Timestamp"])
    if kind == "AT_TIMESTAMP":
        return _open_at(shards, max(at, born))
    return [s for s in shards if s.closed_ms is None or s.closed_ms >= at]  # FROM_TIMESTAMP


def _open_at(shards: list[Shard], ms: int) -> list[Shard]:
    return [s for s in shards if s.created_ms <= ms and (s.closed_ms is None or s.closed_ms > ms)]
