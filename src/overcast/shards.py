"""Streams as Lambda's stream pollers read them: the contract between a stream service
(DynamoDB Streams, Kinesis) and the shared poller machinery (issue 17, part C).

A stream service implements `ShardSource` over its own storage; the pollers of Lambda's
event source mappings read every stream through it, never through the service's modules
(no service imports another: DESIGN.md). Sequence numbers are decimal text that sorts as
`int(sequence)`; a position in a shard is "after this sequence" (None: before the first
record still kept, the trim horizon).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Shard:
    shard_id: str
    parent_shard_id: str | None
    starting_sequence: str
    ending_sequence: str | None  # None while the shard is open


@dataclass(frozen=True)
class ShardRecord:
    sequence: str  # sortable as int(sequence)
    arrival_ms: int
    size: int  # bytes, for the 6 MB batch limit
    # partition key (Kinesis) / item keys JSON (DynamoDB): ParallelizationFactor keeps order
    # per key
    order_key: str
    record: dict  # the whole record as Lambda delivers it in event["Records"]


class ShardSource(Protocol):
    def shards(self, stream_arn: str) -> list[Shard]:
        """The stream's shards; raises `aws.errors.MissingResource` when the stream is gone."""
        ...

    def read(
        self, stream_arn: str, shard_id: str, after: str | None, limit: int
    ) -> list[ShardRecord]:
        """Up to `limit` records after sequence `after` (None: from the trim horizon)."""
        ...

    def latest(self, stream_arn: str, shard_id: str) -> str | None:
        """The last sequence written (for LATEST)."""
        ...

    def before_time(self, stream_arn: str, shard_id: str, ms: int) -> str | None:
        """The sequence just before the first record at/after `ms` (AT_TIMESTAMP)."""
        ...

    async def wait(self, stream_arn: str, timeout_s: float) -> None:
        """Returns when new records may exist, or after timeout: no busy polling."""
        ...
