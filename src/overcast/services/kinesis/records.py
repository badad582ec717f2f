"""PutRecord, PutRecords, GetShardIterator and GetRecords.

Positions are taken and records written under the streams' lock, so records are committed
in position order: a reader that has read position p never later finds a record below p.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.aws.errors import ValidationException
from overcast.aws.validation import single_error
from overcast.services.kinesis import sequences
from overcast.services.kinesis.errors import InvalidArgumentException, ResourceNotFoundException
from overcast.services.kinesis.hash_keys import MAX_HASH_KEY, of_partition_key
from overcast.services.kinesis.iterators import Iterator, Iterators
from overcast.services.kinesis.model import CREATING, Shard, Stream
from overcast.services.kinesis.store import NewRecord, StoredRecord
from overcast.services.kinesis.streams import StreamService
from overcast.shards import Arrivals

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # PutRecords: "up to a limit of 10 MiB for the entire request"
MAX_READ_BYTES = 10 * 1024 * 1024  # GetRecords returns at most 10 MiB
DEFAULT_LIMIT = 10_000


@dataclass(frozen=True)
class Page:
    shard: int
    records: list[StoredRecord]
    next_after: int | None  # None: the shard is closed and read to its end
    millis_behind: int
    children: list[Shard]


class RecordService:
    def __init__(self, streams: StreamService, iterators: Iterators, arrivals: Arrivals) -> None:
        self.streams = streams
        self.iterators = iterators
        self.arrivals = arrivals

    # --- writing ---

    def writable(self, region: str, params: dict) -> Stream:
        stream = self.streams.find(region, params)
        if stream.status_at(self.streams.now_ms()) == CREATING:
            raise self.streams.not_found(stream.name)
        return stream

    def hash_key(self, entry: dict) -> int:
        explicit = entry.get("ExplicitHashKey")
        if explicit is None:
            return of_partition_key(entry["PartitionKey"])
        key = int(explicit)  # the model's pattern has checked it is decimal digits
        if key > MAX_HASH_KEY:
            raise InvalidArgumentException(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                f"Specified value was {explicit}"
            )
        return key

    def check_entry(self, stream: Stream, entry: dict, prefix: str = "") -> None:
        """A record's partition key is there and its data within the stream's record size."""
        if entry.get("PartitionKey") is None:
            # Optional in the model since a stream may place records itself
            # (RecordDistributionStrategy AUTO, not offered here); required otherwise.
            raise ValidationException(
                f"1 validation error detected: Value null at '{prefix}partitionKey' failed to "
                "satisfy constraint: Member must not be null"
            )
        limit = stream.max_record_kib * 1024
        if len(entry["Data"]) > limit:
            raise single_error(
                f"{prefix}data",
                entry["Data"],
                f"Member must have length less than or equal to {limit}",
            )

    def put(self, region: str, params: dict) -> dict:
        stream = self.writable(region, params)
        self.check_entry(stream, params)
        ordering = params.get("SequenceNumberForOrdering")
        if ordering is not None and sequences.parse(ordering) is None:
            raise InvalidArgumentException(
                f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream "
                f"{stream.name} under account {self.streams.account} is invalid."
            )
        # Sequence numbers here increase with every write to a shard, so the ordering that
        # SequenceNumberForOrdering asks for always holds.
        [(shard, position)] = self._write(stream, [params])
        return {"ShardId": sequences.shard_id(shard), "SequenceNumber": _seq(position, shard)}

    def put_many(self, region: str, params: dict) -> dict:
        stream = self.writable(region, params)
        entries = params["Records"]
        total = 0
        for number, entry in enumerate(entries, start=1):
            self.check_entry(stream, entry, f"records.{number}.member.")
            total += len(entry["Data"]) + len(entry["PartitionKey"].encode())
        if total > MAX_REQUEST_BYTES:
            raise InvalidArgumentException("Records size exceeds 10 MB limit")
        written = self._write(stream, entries)
        return {
            "FailedRecordCount": 0,
            "Records": [
                {"ShardId": sequences.shard_id(shard), "SequenceNumber": _seq(position, shard)}
                for shard, position in written
            ],
        }

    def _write(self, stream: Stream, entries: list[dict]) -> list[tuple[int, int]]:
        keys = [self.hash_key(entry) for entry in entries]  # refused before anything is written
        with self.streams.lock:
            if not self.streams.is_current(stream):  # deleted meanwhile
                raise self.streams.not_found(stream.name)
            arrival = max(self.streams.now_ms(), stream.last_arrival_ms)
            new: list[NewRecord] = []
            for entry, key in zip(entries, keys, strict=True):
                shard = stream.shard_for(key)
                new.append(NewRecord(shard.index, stream.position + 1, arrival,
                                     entry["PartitionKey"], entry.get("ExplicitHashKey"),
                                     entry["Data"]))  # fmt: skip
                stream.position += 1
            try:
                self.streams.store.add_records(stream.id, new)
            except BaseException:
                stream.position -= len(new)
                raise
            stream.last_arrival_ms = arrival
        self.arrivals.notify(stream.arn)
        return [(record.shard, record.position) for record in new]

    # --- reading ---

    def shard(self, stream: Stream, shard_id: str) -> Shard:
        shard = stream.shard(sequences.shard_index(shard_id))
        if shard is None:
            raise ResourceNotFoundException(
                f"Shard {shard_id} in stream {stream.name} under account "
                f"{self.streams.account} does not exist"
            )
        return shard

    def iterator(self, region: str, params: dict) -> str:
        stream = self.streams.find(region, params)
        shard = self.shard(stream, params["ShardId"])
        after = self._start(stream, shard, params)
        now = self.streams.now_ms()
        return self.iterators.issue(
            Iterator(stream.region, stream.name, stream.id, shard.index, after, now)
        )

    def _start(self, stream: Stream, shard: Shard, params: dict) -> int:
        """The position a new iterator reads after."""
        kind, number = params["ShardIteratorType"], params.get("StartingSequenceNumber")
        by_number = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if by_number != (number is not None) and kind != "AT_TIMESTAMP":
            raise InvalidArgumentException(
                "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                f"StartingSequenceNumber. Request specified {kind} and "
                f"{'also a' if number is not None else 'no'} StartingSequenceNumber."
            )
        if kind == "TRIM_HORIZON":
            return shard.start
        if kind == "LATEST":
            return stream.position
        if kind == "AT_TIMESTAMP":
            return self._at_time(stream, shard, params.get("Timestamp"))
        position = self._position(stream, shard, number)
        return position - 1 if kind == "AT_SEQUENCE_NUMBER" else position

    def _position(self, stream: Stream, shard: Shard, number: str) -> int:
        parsed = sequences.parse(number)
        if parsed is None:
            raise InvalidArgumentException(
                f"StartingSequenceNumber {number} used in GetShardIterator on shard "
                f"{shard.shard_id} in stream {stream.name} under account {self.streams.account} "
                "is invalid."
            )
        if parsed.shard_index != shard.index:
            raise InvalidArgumentException(
                f"Invalid StartingSequenceNumber. It encodes "
                f"{sequences.shard_id(parsed.shard_index)}, while it was used in a call to a "
                f"shard with {shard.shard_id}"
            )
        return parsed.position

    def _at_time(self, stream: Stream, shard: Shard, timestamp: object) -> int:
        if timestamp is None:
            raise InvalidArgumentException(
                "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                "Current request has no timestamp parameter."
            )
        ms, now = _millis(timestamp), self.streams.now_ms()
        if ms > now:
            raise InvalidArgumentException(
                "The timestampInMillis parameter cannot be greater than the "
                f"currentTimestampInMillis. timestampInMillis: {ms}, currentTimestampInMillis: "
                f"{now}"
            )
        first = self.streams.store.first_at(stream.id, shard.index, ms)
        return stream.position if first is None else first - 1

    def get(self, params: dict) -> tuple[Page, str | None]:
        now = self.streams.now_ms()
        iterator = self.iterators.read(params["ShardIterator"], now)
        stream, shard = self._iterated(iterator)
        page = self.read(stream, shard, iterator.after, params.get("Limit") or DEFAULT_LIMIT)
        token = None
        if page.next_after is not None:
            token = self.iterators.issue(
                Iterator(stream.region, stream.name, stream.id, shard.index, page.next_after, now)
            )
        return page, token

    def _iterated(self, iterator: Iterator) -> tuple[Stream, Shard]:
        found = [s for s in self.streams.all(iterator.region) if s.name == iterator.stream]
        shard = found[0].shard(iterator.shard) if found else None
        if not found or found[0].id != iterator.stream_id or shard is None:
            raise ResourceNotFoundException(
                f"Shard {sequences.shard_id(iterator.shard)} in stream {iterator.stream} under "
                f"account {self.streams.account} does not exist"
            )
        return found[0], shard

    def read(self, stream: Stream, shard: Shard, after: int, limit: int) -> Page:
        now = self.streams.now_ms()
        horizon = now - stream.retention_hours * 3600 * 1000
        rows = self.streams.store.records(stream.id, shard.index, after, horizon, limit)
        taken, size = [], 0
        for row in rows:
            size += len(row.data) + len(row.partition_key.encode())
            if taken and size > MAX_READ_BYTES:
                break
            taken.append(row)
        at_tip = len(taken) == len(rows) < limit
        if not taken and not shard.is_open:
            children = [s for s in stream.shards if shard.index in (s.parent, s.adjacent)]
            return Page(shard.index, [], None, 0, children)
        next_after = taken[-1].position if taken else after
        behind = 0 if at_tip or not taken else max(0, now - taken[-1].arrival_ms)
        return Page(shard.index, taken, next_after, behind, [])


def _seq(position: int, shard: int) -> str:
    return sequences.sequence(position, shard)


def _millis(timestamp: object) -> int:
    if isinstance(timestamp, datetime):
        return int(timestamp.timestamp() * 1000)
    if isinstance(timestamp, (int, float)):
        return int(timestamp * 1000)
    text = str(timestamp)
    try:
        return int(float(text) * 1000)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidArgumentException(f"Invalid Timestamp: {text}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def record_wire(record: StoredRecord, shard: int) -> dict:
    """A record as GetRecords answers it."""
    return {
        "SequenceNumber": _seq(record.position, shard),
        "ApproximateArrivalTimestamp": datetime.fromtimestamp(record.arrival_ms / 1000, UTC),
        "Data": record.data,
        "PartitionKey": record.partition_key,
    }
