"""SplitShard, MergeShards and UpdateShardCount: parents are closed (their
EndingSequenceNumber set), children opened with ParentShardId / AdjacentParentShardId, in one
transaction, so a reader sees either the old shards or the new ones.

UpdateShardCount (UNIFORM_SCALING) reaches its target as Kinesis does, by splits and merges:
every open shard is split at each boundary of the target's even ranges that falls inside it,
and the pieces of each target range are merged pairwise in hash order. The pieces and the
merges in between are short-lived shards, closed at once (they count in the lineage, as
Kinesis' do), and every final shard has at most two parents.
"""

from __future__ import annotations

from overcast.services.kinesis.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceNotFoundException,
)
from overcast.services.kinesis.hash_keys import HashRange, even_ranges
from overcast.services.kinesis.model import UPDATING, Shard, Stream
from overcast.services.kinesis.sequences import shard_index
from overcast.services.kinesis.streams import StreamService


def _open(service: StreamService, stream: Stream, shard_id: str) -> Shard:
    shard = stream.shard(shard_index(shard_id))
    if shard is None or not shard.is_open:
        raise ResourceNotFoundException(
            f"Could not find shard {shard_id} in stream {stream.name} under account "
            f"{service.account}."
        )
    return shard


def _updating(service: StreamService, stream: Stream) -> None:
    stream.status = UPDATING
    stream.settles_ms = int((service.clock() + service.settle_s) * 1000)
    service.save(stream)


def split(service: StreamService, region: str, params: dict) -> None:
    with service.lock:
        stream = service.active(region, params)
        shard = _open(service, stream, params["ShardToSplit"])
        key = int(params["NewStartingHashKey"])
        low, high = shard.hash_range.start, shard.hash_range.end
        if not low + 1 < key < high:
            raise InvalidArgumentException(
                f"NewStartingHashKey {params['NewStartingHashKey']} used in SplitShard() on shard "
                f"{shard.shard_id} in stream {stream.name} under account {service.account} is not "
                f"both greater than one plus the shard's StartingHashKey {low} and less than the "
                f"shard's EndingHashKey {high}."
            )
        service.check_shard_quota(stream.region, 1)
        with service.store.transaction():
            service.close_shard(stream, shard)
            service.open_shard(stream, HashRange(low, key - 1), shard.index)
            service.open_shard(stream, HashRange(key, high), shard.index)
            _updating(service, stream)


def merge(service: StreamService, region: str, params: dict) -> None:
    with service.lock:
        stream = service.active(region, params)
        first = _open(service, stream, params["ShardToMerge"])
        second = _open(service, stream, params["AdjacentShardToMerge"])
        lower, upper = sorted((first, second), key=lambda s: s.hash_range.start)
        if lower.hash_range.end + 1 != upper.hash_range.start:
            raise InvalidArgumentException(
                f"Shards {first.shard_id} and {second.shard_id} in stream {stream.name} under "
                f"account {service.account} are not an adjacent pair of shards eligible for "
                "merging"
            )
        with service.store.transaction():
            _merge(service, stream, first, second)
            _updating(service, stream)


def _merge(service: StreamService, stream: Stream, first: Shard, second: Shard) -> Shard:
    service.close_shard(stream, first)
    service.close_shard(stream, second)
    start = min(first.hash_range.start, second.hash_range.start)
    end = max(first.hash_range.end, second.hash_range.end)
    return service.open_shard(stream, HashRange(start, end), first.index, second.index)


def update_shard_count(service: StreamService, region: str, params: dict) -> dict:
    target = params["TargetShardCount"]
    with service.lock:
        stream = service.active(region, params)
        current = len(stream.open_shards())
        _check_scaling(service, stream, current, target)
        with service.store.transaction():
            _rescale(service, stream, target)
            _updating(service, stream)
    return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardCount": current,
            "TargetShardCount": target}  # fmt: skip


def _check_scaling(service: StreamService, stream: Stream, current: int, target: int) -> None:
    counts = f"Current open shard count: {current}, Target shard count: {target}"
    if stream.mode == "ON_DEMAND":
        raise InvalidArgumentException(
            f"UpdateShardCount is not supported for stream {stream.name} under account "
            f"{service.account} because it is in ON_DEMAND capacity mode."
        )
    if target > current * 2:
        raise LimitExceededException(
            f"UpdateShardCount cannot scale up over double your current open shard count. {counts}"
        )
    if target < current / 2:
        raise LimitExceededException(
            f"UpdateShardCount cannot scale down below half your current open shard count. {counts}"
        )
    if target > current:
        service.check_shard_quota(stream.region, target - current)


def _rescale(service: StreamService, stream: Stream, target: int) -> None:
    ranges = even_ranges(target)
    boundaries = [r.start for r in ranges[1:]]
    pieces: list[Shard] = []
    for shard in sorted(stream.open_shards(), key=lambda s: s.hash_range.start):
        cuts = [b for b in boundaries if shard.hash_range.start < b <= shard.hash_range.end]
        if not cuts:
            pieces.append(shard)
            continue
        service.close_shard(stream, shard)
        edges = [shard.hash_range.start, *cuts, shard.hash_range.end + 1]
        for low, high in zip(edges, edges[1:], strict=False):
            pieces.append(service.open_shard(stream, HashRange(low, high - 1), shard.index))
    for wanted in ranges:
        inside = [p for p in pieces if wanted.holds(p.hash_range.start)]
        merged = inside[0]
        for piece in inside[1:]:
            merged = _merge(service, stream, merged, piece)
