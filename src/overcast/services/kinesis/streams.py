"""Kinesis' streams: CreateStream, DeleteStream, the descriptions, ListStreams, retention and
tags; and the registry every other part finds a stream through (by name or ARN).

Streams are held in memory and written through to the store. Creating a stream, or changing
its shards, is done before the request is answered: the stream is CREATING or UPDATING for
`settle_s` (none by default), so the first DescribeStream after CreateStream already reads
ACTIVE, which is what boto3's `stream_exists` waiter waits for.
"""

from __future__ import annotations

import threading
import time

from overcast.aws.arn import Arn, arn
from overcast.services.kinesis.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from overcast.services.kinesis.hash_keys import HashRange, even_ranges
from overcast.services.kinesis.model import ACTIVE, CREATING, Shard, Stream
from overcast.services.kinesis.store import KinesisStore

SHARD_LIMIT = 500  # open shards per account and region (AWS's default quota in its largest regions)
ON_DEMAND_SHARDS = 4  # an on-demand stream starts with 4 shards, as Kinesis starts them
ON_DEMAND_STREAM_LIMIT = 50
MAX_TAGS = 50
MAX_RETENTION_HOURS = 8760


def parse_arn(text: str) -> tuple[str, str, str] | None:
    """(region, account, name) of a stream ARN; None for another kind of ARN."""
    try:
        parsed = Arn.parse(text)
    except ValueError:
        return None
    if parsed.service != "kinesis" or not parsed.resource.startswith("stream/"):
        return None
    name = parsed.resource[len("stream/") :]
    return (parsed.region, parsed.account, name) if name and "/" not in name else None


class StreamService:
    def __init__(
        self,
        store: KinesisStore,
        account: str,
        clock=time.time,
        settle_s: float = 0.0,
        shard_limit: int = SHARD_LIMIT,
    ) -> None:
        self.store = store
        self.account = account
        self.clock = clock
        self.settle_s = settle_s
        self.shard_limit = shard_limit
        self.lock = threading.RLock()  # held while a stream or its positions change
        self._streams: dict[tuple[str, str], Stream] = {}
        for stream_id, doc, shards in store.streams():
            stream = Stream.from_doc(stream_id, doc, shards)
            ends = [s.end or s.start for s in stream.shards]
            stream.position = max([store.last_position(stream_id), *ends])
            self._streams[(stream.region, stream.name)] = stream

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # --- finding streams ---

    def not_found(self, name: str) -> ResourceNotFoundException:
        return ResourceNotFoundException(f"Stream {name} under account {self.account} not found.")

    def find(self, region: str, params: dict) -> Stream:
        """The stream a request names by StreamName, StreamARN or both."""
        name, stream_arn = params.get("StreamName"), params.get("StreamARN")
        if stream_arn is not None:
            parts = parse_arn(stream_arn)
            if parts is None or (name is not None and parts[2] != name):
                raise InvalidArgumentException(
                    f"StreamARN {stream_arn} does not name the stream {name}"
                    if parts is not None
                    else f"StreamARN {stream_arn} is not a stream ARN"
                )
            region, account, name = parts
            if account != self.account:
                raise self.not_found(name)
        if name is None:
            raise InvalidArgumentException("Either StreamName or StreamARN should be provided.")
        stream = self._streams.get((region, name))
        if stream is None:
            raise self.not_found(name)
        return stream

    def by_arn(self, text: str) -> Stream:
        parts = parse_arn(text)
        if parts is None:
            raise InvalidArgumentException(f"Invalid ResourceARN: {text}")
        return self.find(parts[0], {"StreamARN": text})

    def is_current(self, stream: Stream) -> bool:
        """Whether `stream` has not been deleted (nor replaced by another of its name)."""
        return self._streams.get((stream.region, stream.name)) is stream

    def all(self, region: str | None = None) -> list[Stream]:
        with self.lock:
            streams = list(self._streams.values())
        return [s for s in streams if region is None or s.region == region]

    def active(self, region: str, params: dict) -> Stream:
        """The stream, refused unless ACTIVE (reshards, retention changes)."""
        stream = self.find(region, params)
        status = stream.status_at(self.now_ms())
        if status != ACTIVE:
            raise ResourceInUseException(
                f"Stream {stream.name} under account {self.account} not ACTIVE, instead in "
                f"state {status}"
            )
        return stream

    # --- lifecycle ---

    def create(self, region: str, params: dict) -> None:
        name = params["StreamName"]
        mode = (params.get("StreamModeDetails") or {}).get("StreamMode")
        count = params.get("ShardCount")
        if mode is None:
            mode = "PROVISIONED" if count is not None else "ON_DEMAND"
        if mode == "ON_DEMAND":
            count = ON_DEMAND_SHARDS
        elif count is None:
            raise InvalidArgumentException("ShardCount is required for a PROVISIONED stream.")
        tags = params.get("Tags") or {}
        with self.lock:
            if (region, name) in self._streams:
                raise ResourceInUseException(
                    f"Stream {name} under account {self.account} already exists."
                )
            self.check_shard_quota(region, count)
            if mode == "ON_DEMAND":
                self._check_on_demand_quota(region)
            now = self.clock()
            stream = Stream(
                id=0, region=region, name=name, mode=mode, created=now,
                arn=arn("kinesis", region, self.account, f"stream/{name}"),
                status=CREATING, settles_ms=int((now + self.settle_s) * 1000),
                max_record_kib=params.get("MaxRecordSizeInKiB") or 1024, tags=dict(tags),
            )  # fmt: skip
            with self.store.transaction():
                stream.id = self.store.add_stream(region, name, stream.to_doc())
                for hash_range in even_ranges(count):
                    self.open_shard(stream, hash_range)
            self._streams[(region, name)] = stream

    def delete(self, region: str, params: dict) -> None:
        # EnforceConsumerDeletion: no enhanced fan-out consumers are kept here, so none block
        # the deletion (DeleteStream refuses a stream with consumers unless it is set).
        with self.lock:
            stream = self.find(region, params)
            self.store.drop_stream(stream.id)
            del self._streams[(stream.region, stream.name)]

    def check_shard_quota(self, region: str, adding: int) -> None:
        current = sum(len(s.open_shards()) for s in self.all(region))
        if current + adding > self.shard_limit:
            raise LimitExceededException(
                f"This request would exceed the shard limit for the account {self.account} in "
                f"{region}. Current shard count for the account: {current}. Limit: "
                f"{self.shard_limit}. Number of additional shards that would have resulted from "
                f"this request: {adding}. Refer to the AWS Service Limits page "
                "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
                "current limits and how to request higher limits."
            )

    def _check_on_demand_quota(self, region: str) -> None:
        if sum(s.mode == "ON_DEMAND" for s in self.all(region)) >= ON_DEMAND_STREAM_LIMIT:
            raise LimitExceededException(
                f"This request would exceed the on-demand stream count limit for the account "
                f"{self.account} in {region}. Limit: {ON_DEMAND_STREAM_LIMIT}."
            )

    # --- shards (with `lock` held, inside a store transaction) ---

    def open_shard(
        self, stream: Stream, hash_range: HashRange, parent: int | None = None,
        adjacent: int | None = None,
    ) -> Shard:  # fmt: skip
        stream.position += 1
        shard = Shard(len(stream.shards), hash_range, stream.position, self.now_ms(), parent,
                      adjacent)  # fmt: skip
        stream.shards.append(shard)
        self.store.save_shard(stream.id, shard.index, shard.to_doc())
        return shard

    def close_shard(self, stream: Stream, shard: Shard) -> None:
        stream.position += 1
        shard.end, shard.closed_ms = stream.position, self.now_ms()
        self.store.save_shard(stream.id, shard.index, shard.to_doc())

    def save(self, stream: Stream) -> None:
        self.store.save_stream(stream.id, stream.to_doc())

    def set_mode(self, region: str, params: dict) -> None:
        """UpdateStreamMode: the shards stay as they are (an on-demand stream's are scaled by
        Kinesis, a provisioned one's by the owner)."""
        mode = params["StreamModeDetails"]["StreamMode"]
        with self.lock:
            stream = self.active(region, params)
            if mode == "ON_DEMAND" and stream.mode != mode:
                self._check_on_demand_quota(stream.region)
            stream.mode = mode
            self.save(stream)

    # --- retention and tags ---

    def set_retention(self, region: str, params: dict, increase: bool) -> None:
        hours = params["RetentionPeriodHours"]
        with self.lock:
            stream = self.find(region, params)
            if hours < 24:
                raise InvalidArgumentException(
                    f"Minimum allowed retention period is 24 hours. Requested retention period "
                    f"({hours} hours) is too short."
                )
            if hours > MAX_RETENTION_HOURS:
                raise InvalidArgumentException(
                    f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested "
                    f"retention period ({hours} hours) is too long."
                )
            current = stream.retention_hours
            if increase and hours < current:
                raise InvalidArgumentException(
                    f"Requested retention period ({hours} hours) for stream {stream.name} can not "
                    f"be shorter than existing retention period ({current} hours). Use "
                    "DecreaseRetentionPeriod API."
                )
            if not increase and hours > current:
                raise InvalidArgumentException(
                    f"Requested retention period ({hours} hours) for stream {stream.name} can not "
                    f"be longer than existing retention period ({current} hours). Use "
                    "IncreaseRetentionPeriod API."
                )
            stream.retention_hours = hours
            self.save(stream)

    def add_tags(self, stream: Stream, tags: dict[str, str]) -> None:
        with self.lock:
            merged = {**stream.tags, **tags}
            if len(merged) > MAX_TAGS:
                raise InvalidArgumentException(
                    f"Failed to add tags to stream {stream.name} under account {self.account} "
                    f"because a given stream cannot have more than {MAX_TAGS} tags associated "
                    "with it."
                )
            stream.tags = merged
            self.save(stream)

    def remove_tags(self, stream: Stream, keys: list[str]) -> None:
        with self.lock:
            stream.tags = {k: v for k, v in stream.tags.items() if k not in set(keys)}
            self.save(stream)

    # --- retention sweep ---

    def trim(self) -> int:
        """Delete every record past its stream's retention period; how many."""
        now = self.now_ms()
        deleted = 0
        for stream in self.all():
            horizon = now - stream.retention_hours * 3600 * 1000
            for shard in list(stream.shards):
                deleted += self.store.trim(stream.id, shard.index, horizon)
        return deleted
