"""Kinesis streams as Lambda's stream pollers read them: issue 17's `overcast.shards`
ShardSource, woken by the kernels' `shards.Arrivals` when records are put.

Each record is the one Lambda delivers in `event["Records"]` for a Kinesis event source:

    {"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey", "sequenceNumber",
                 "data" (base64), "approximateArrivalTimestamp" (epoch seconds)},
     "eventSource": "aws:kinesis", "eventVersion": "1.0",
     "eventID": "shardId-000000000000:<sequence>", "eventName": "aws:kinesis:record",
     "awsRegion", "eventSourceARN"}

`invokeIdentityArn` (the mapping's function's execution role) is the poller's to add: the
stream does not know which function reads it.
"""

from __future__ import annotations

import base64
import json

from overcast.services.kinesis import sequences
from overcast.services.kinesis.descriptions import live_shards
from overcast.services.kinesis.errors import InvalidArgumentException
from overcast.services.kinesis.model import Shard as KinesisShard
from overcast.services.kinesis.model import Stream
from overcast.services.kinesis.records import RecordService
from overcast.services.kinesis.store import StoredRecord
from overcast.shards import Arrivals, Shard, ShardRecord


class KinesisShardSource:
    def __init__(self, records: RecordService, arrivals: Arrivals) -> None:
        self.records = records
        self.streams = records.streams
        self.arrivals = arrivals

    def shards(self, stream_arn: str) -> list[Shard]:
        """Its shards but the expired ones, with both parents of a merged shard;
        ResourceNotFoundException (a MissingResource) when the stream is gone."""
        stream = self.streams.by_arn(stream_arn)
        return [
            Shard(s.shard_id, _shard_id(s.parent), sequences.sequence(s.start, s.index),
                  None if s.end is None else sequences.sequence(s.end, s.index),
                  _shard_id(s.adjacent))
            for s in live_shards(stream, self.streams.now_ms())
        ]  # fmt: skip

    def read(
        self, stream_arn: str, shard_id: str, after: str | None, limit: int
    ) -> list[ShardRecord]:
        stream, shard = self._shard(stream_arn, shard_id)
        position = shard.start if after is None else self._position(shard, after)
        page = self.records.read(stream, shard, position, limit)
        return [self._record(stream, shard, row) for row in page.records]

    def latest(self, stream_arn: str, shard_id: str) -> str | None:
        stream, shard = self._shard(stream_arn, shard_id)
        last = self.streams.store.last_record(stream.id, shard.index)
        return None if last is None else sequences.sequence(last[0], shard.index)

    def before_time(self, stream_arn: str, shard_id: str, ms: int) -> str | None:
        stream, shard = self._shard(stream_arn, shard_id)
        first = self.streams.store.first_at(stream.id, shard.index, ms)
        if first is None:  # nothing at or after `ms` yet: start after the last record
            return self.latest(stream_arn, shard_id)
        return sequences.sequence(first - 1, shard.index)

    async def wait(self, stream_arn: str, timeout_s: float) -> None:
        await self.arrivals.wait(stream_arn, timeout_s)

    def _shard(self, stream_arn: str, shard_id: str) -> tuple[Stream, KinesisShard]:
        stream = self.streams.by_arn(stream_arn)
        return stream, self.records.shard(stream, shard_id)

    @staticmethod
    def _position(shard: KinesisShard, after: str) -> int:
        parsed = sequences.parse(after)
        if parsed is None or parsed.shard_index != shard.index:
            raise InvalidArgumentException(f"Sequence {after} is not of shard {shard.shard_id}")
        return parsed.position

    @staticmethod
    def _record(stream: Stream, shard: KinesisShard, row: StoredRecord) -> ShardRecord:
        number = sequences.sequence(row.position, shard.index)
        record = {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": row.partition_key,
                "sequenceNumber": number,
                "data": base64.b64encode(row.data).decode(),
                "approximateArrivalTimestamp": row.arrival_ms / 1000,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard.shard_id}:{number}",
            "eventName": "aws:kinesis:record",
            "awsRegion": stream.region,
            "eventSourceARN": stream.arn,
        }
        size = len(json.dumps(record, separators=(",", ":")))
        return ShardRecord(number, row.arrival_ms, size, row.partition_key, record)


def _shard_id(index: int | None) -> str | None:
    return None if index is None else sequences.shard_id(index)
