"""DynamoDB's streams as Lambda's stream pollers read them (`shards.ShardSource`): records in
the shape Lambda delivers them, woken by the kernels' `Arrivals` when DynamoDB commits new
ones (no polling)."""

from __future__ import annotations

import asyncio

from overcast.services.dynamodbstreams.log import (
    FIRST_SEQUENCE,
    StreamInfo,
    StreamLog,
    sequence_text,
)
from overcast.services.dynamodbstreams.records import lambda_record, order_key
from overcast.services.dynamodbstreams.streams import stream_not_found
from overcast.shards import Arrivals, Shard, ShardRecord


class DynamoDbShardSource:
    def __init__(self, log: StreamLog, arrivals: Arrivals | None) -> None:
        self.log = log
        self.arrivals = arrivals

    def shards(self, stream_arn: str) -> list[Shard]:
        stream = self._stream(stream_arn)
        ending = stream.ending_seq
        return [
            Shard(
                stream.shard_id,
                None,
                sequence_text(FIRST_SEQUENCE),
                None if ending is None else sequence_text(ending),
            )
        ]

    def read(
        self, stream_arn: str, shard_id: str, after: str | None, limit: int
    ) -> list[ShardRecord]:
        stream = self._stream(stream_arn)
        if shard_id != stream.shard_id:
            return []
        stored = self.log.records(stream_arn, int(after) if after else 0, limit)
        found = []
        for record in stored:
            delivered = lambda_record(stream, record)
            size = int(record.dynamodb.get("SizeBytes") or 0)
            found.append(
                ShardRecord(
                    sequence_text(record.seq),
                    record.created_ms,
                    size,
                    order_key(record),
                    delivered,
                )
            )
        return found

    def latest(self, stream_arn: str, shard_id: str) -> str | None:
        stream = self._stream(stream_arn)
        return sequence_text(stream.last_seq) if stream.last_seq else None

    def before_time(self, stream_arn: str, shard_id: str, ms: int) -> str | None:
        self._stream(stream_arn)
        seq = self.log.last_before(stream_arn, ms)
        return sequence_text(seq) if seq else None

    async def wait(self, stream_arn: str, timeout_s: float) -> None:
        if self.arrivals is None:
            await asyncio.sleep(timeout_s)
            return
        await self.arrivals.wait(stream_arn, timeout_s)

    def _stream(self, arn: str) -> StreamInfo:
        stream = self.log.stream(arn)
        if stream is None:
            raise stream_not_found(arn)
        return stream
