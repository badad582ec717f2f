"""Sequence numbers, as Kinesis hands them out: 56-digit decimal strings that increase within
a shard (GetRecords returns a shard's records in that order) and that name the shard they
belong to (GetShardIterator refuses one of another shard, saying which it encodes).

Here a sequence number is `49`, a 40-digit position and a 14-digit shard index. The position
is one counter per stream, taken by every record written to it and by every shard opened or
closed, so a shard's StartingSequenceNumber is below its first record's and its
EndingSequenceNumber at or above its last one's, and a child's records follow its parents'.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "49"
POSITION_DIGITS = 40
SHARD_DIGITS = 14
LENGTH = len(PREFIX) + POSITION_DIGITS + SHARD_DIGITS  # 56


@dataclass(frozen=True)
class Sequence:
    position: int
    shard_index: int

    def __str__(self) -> str:
        return f"{PREFIX}{self.position:0{POSITION_DIGITS}d}{self.shard_index:0{SHARD_DIGITS}d}"


def sequence(position: int, shard_index: int) -> str:
    return str(Sequence(position, shard_index))


def parse(text: str) -> Sequence | None:
    """The position and shard a sequence number encodes; None for one this server did not
    hand out."""
    if len(text) != LENGTH or not text.isascii() or not text.isdigit():
        return None
    if not text.startswith(PREFIX):
        return None
    body = text[len(PREFIX) :]
    return Sequence(int(body[:POSITION_DIGITS]), int(body[POSITION_DIGITS:]))


def shard_id(index: int) -> str:
    """`shardId-000000000000`, as Kinesis names shards (12 digits)."""
    return f"shardId-{index:012d}"


def shard_index(text: str) -> int | None:
    """The index a shard id names (`shardId-000000000003` or Kinesis' shorthand `3`...)."""
    digits = text[len("shardId-") :] if text.startswith("shardId-") else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)
