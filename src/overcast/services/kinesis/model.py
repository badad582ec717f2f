"""A stream and its shards as the service holds them (and stores them as JSON documents)."""

from __future__ import annotations

from dataclasses import dataclass, field

from overcast.services.kinesis.hash_keys import HashRange
from overcast.services.kinesis.sequences import sequence, shard_id

ACTIVE, CREATING, UPDATING = "ACTIVE", "CREATING", "UPDATING"
DEFAULT_RETENTION_HOURS = 24
DEFAULT_MAX_RECORD_KIB = 1024


@dataclass
class Shard:
    index: int
    hash_range: HashRange
    start: int  # the stream's position when it opened: its records come after
    created_ms: int
    parent: int | None = None
    adjacent: int | None = None  # the other parent of a merged shard
    end: int | None = None  # the stream's position when it closed; None while open
    closed_ms: int | None = None

    @property
    def shard_id(self) -> str:
        return shard_id(self.index)

    @property
    def is_open(self) -> bool:
        return self.end is None

    def wire(self) -> dict:
        numbers = {"StartingSequenceNumber": sequence(self.start, self.index)}
        if self.end is not None:
            numbers["EndingSequenceNumber"] = sequence(self.end, self.index)
        return {
            "ShardId": self.shard_id,
            "ParentShardId": None if self.parent is None else shard_id(self.parent),
            "AdjacentParentShardId": None if self.adjacent is None else shard_id(self.adjacent),
            "HashKeyRange": self.hash_range.wire(),
            "SequenceNumberRange": numbers,
        }

    def to_doc(self) -> dict:
        doc = dict(self.__dict__)
        doc["hash_range"] = [str(self.hash_range.start), str(self.hash_range.end)]
        return doc

    @classmethod
    def from_doc(cls, doc: dict) -> Shard:
        start, end = doc.pop("hash_range")
        return cls(hash_range=HashRange(int(start), int(end)), **doc)


@dataclass
class Stream:
    id: int
    region: str
    name: str
    arn: str
    mode: str  # PROVISIONED or ON_DEMAND
    created: float  # epoch seconds
    status: str = ACTIVE
    settles_ms: int = 0  # when a CREATING or UPDATING stream is ACTIVE
    retention_hours: int = DEFAULT_RETENTION_HOURS
    max_record_kib: int = DEFAULT_MAX_RECORD_KIB
    tags: dict[str, str] = field(default_factory=dict)
    shards: list[Shard] = field(default_factory=list)  # by index, open and closed
    # Not stored: the last position taken (recovered from the shards and records on start),
    # and the last arrival time (arrival times never decrease within a stream).
    position: int = 0
    last_arrival_ms: int = 0

    def status_at(self, now_ms: int) -> str:
        return ACTIVE if now_ms >= self.settles_ms else self.status

    def open_shards(self) -> list[Shard]:
        return [shard for shard in self.shards if shard.is_open]

    def shard(self, index: int | None) -> Shard | None:
        if index is None or not 0 <= index < len(self.shards):
            return None
        return self.shards[index]

    def shard_for(self, hash_key: int) -> Shard:
        """The open shard whose range holds `hash_key` (open shards cover the key space)."""
        return next(s for s in self.shards if s.is_open and s.hash_range.holds(hash_key))

    def to_doc(self) -> dict:
        skip = ("id", "shards", "position", "last_arrival_ms")
        return {k: v for k, v in self.__dict__.items() if k not in skip}

    @classmethod
    def from_doc(cls, stream_id: int, doc: dict, shards: list[dict]) -> Stream:
        stream = cls(id=stream_id, **doc)
        stream.shards = sorted((Shard.from_doc(s) for s in shards), key=lambda s: s.index)
        return stream
