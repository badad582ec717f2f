"""Parallel Scan's segments: which share of a table (or index) `Segment` of `TotalSegments`
reads.

DynamoDB splits a parallel scan by partition: "a Scan operation ... can logically divide a
table or secondary index into multiple segments", and each item's partition comes from "an
internal hash function" of its partition key (Developer Guide, "Parallel scan" and
"Partitions and data distribution"). Here each stored row keeps `bucket`, a 32-bit hash of its
partition key's bytes, and segment `s` of `n` is the contiguous bucket range
[s * 2**32 / n, (s + 1) * 2**32 / n): the segments cover every bucket exactly once, and a
segment is one index range scan of its own rows (store.py keeps an index on the bucket), not a
read of the whole table filtered.

The hash is MD5's first four bytes (DynamoDB's own function is not documented; Kinesis hashes
partition keys with MD5 too), so that keys that differ a little land far apart and segments
get about the same number of partitions.
"""

from __future__ import annotations

import hashlib

BUCKETS = 1 << 32


def bucket_of(hash_key: bytes) -> int:
    """The bucket of a partition key, by its key bytes (types.key_bytes)."""
    return int.from_bytes(hashlib.md5(hash_key).digest()[:4], "big")


def bucket_range(segment: int, total: int) -> tuple[int, int]:
    """The buckets [low, high) of `segment` (zero-based) of `total`."""
    return segment * BUCKETS // total, (segment + 1) * BUCKETS // total
