"""Where a record goes: Kinesis hashes a partition key with MD5 to a 128-bit integer (or takes
the ExplicitHashKey as that integer), and the record goes to the open shard whose hash key
range holds it ("An MD5 hash function is used to map partition keys to 128-bit integer
values", PutRecord). A stream of N shards starts with the key space cut into N equal ranges,
the last one taking the remainder, as Kinesis cuts it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_HASH_KEY = 2**128 - 1


@dataclass(frozen=True)
class HashRange:
    start: int
    end: int  # inclusive

    def holds(self, key: int) -> bool:
        return self.start <= key <= self.end

    def wire(self) -> dict:
        return {"StartingHashKey": str(self.start), "EndingHashKey": str(self.end)}


def of_partition_key(partition_key: str) -> int:
    """The 128-bit integer Kinesis maps a partition key to: its MD5 digest, big-endian."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def even_ranges(count: int, start: int = 0, end: int = MAX_HASH_KEY) -> list[HashRange]:
    """`start..end` cut into `count` ranges of equal width (the last takes what is left)."""
    width = (end - start + 1) // count
    return [
        HashRange(start + i * width, end if i == count - 1 else start + (i + 1) * width - 1)
        for i in range(count)
    ]
