"""DynamoDB's stream records as DynamoDB Streams reads them: the `ddb_streams` and
`stream_records` tables that DynamoDB writes in `<data dir>/dynamodb.db`, in the same
transaction as each item change (issue 17's contract between the two services), read here
through a connection of this service's own (no service imports another: DESIGN.md).

One shard per stream. DynamoDB splits a stream's shards over time (a shard lives about four
hours, and a partition split closes one and opens two children); a single shard keeps every
record of the stream in one order, which is all a reader can rely on anyway (order per item),
so Overcast keeps one: open while the stream is enabled, closed (its EndingSequenceNumber the
last record's) once the stream is disabled or its table deleted. Its id has AWS's form,
`shardId-<20-digit creation time in ms>-<8 hex>`.

Records are kept 24 hours: older ones are not read even before DynamoDB's sweeper deletes
them, and a stream disabled for 24 hours is gone.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from overcast.store.database import Database

RETENTION_MS = 24 * 3600 * 1000
FIRST_SEQUENCE = 1


def sequence_text(seq: int) -> str:
    """A sequence number as DynamoDB writes it: 21 digits at least (the model's minimum)."""
    return f"{seq:021d}"


@dataclass(frozen=True)
class StreamInfo:
    arn: str
    table_arn: str
    view_type: str
    label: str
    created_ms: int
    disabled_ms: int | None
    last_seq: int
    key_schema: list[dict]

    @property
    def table_name(self) -> str:
        return self.table_arn.partition(":table/")[2]

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def enabled(self) -> bool:
        return self.disabled_ms is None

    @property
    def shard_id(self) -> str:
        digest = hashlib.sha256(self.arn.encode()).hexdigest()[:8]
        return f"shardId-{self.created_ms:020d}-{digest}"

    @property
    def ending_seq(self) -> int | None:
        """The closed shard's last sequence number; None while the shard is open."""
        if self.enabled:
            return None
        return max(self.last_seq, FIRST_SEQUENCE)


@dataclass(frozen=True)
class StoredRecord:
    seq: int
    created_ms: int
    event_name: str
    dynamodb: dict  # the record's "dynamodb" member
    user_identity: dict | None  # {"type": ..., "principalId": ...} for TTL deletions


COLUMNS = "stream_arn, table_arn, view_type, label, created_ms, disabled_ms, last_seq, key_schema"


class StreamLog(Database):
    """Reads DynamoDB's streams; `clock` gives epoch seconds (tests move it)."""

    def __init__(self, path: Path | str, clock=time.time) -> None:
        # No schema: DynamoDB (built first, SERVICES) creates and owns these tables.
        super().__init__(path, "")
        self.clock = clock

    def horizon_ms(self) -> int:
        """Records created before this are past the 24 hours they are kept."""
        return int(self.clock() * 1000) - RETENTION_MS

    def streams(self, region: str, account: str) -> list[StreamInfo]:
        """Every stream of the region and account still readable, by ARN."""
        prefix = f"arn:aws:dynamodb:{region}:{account}:table/"
        rows = self._query(
            f"SELECT {COLUMNS} FROM ddb_streams WHERE substr(stream_arn, 1, ?) = ? "
            "AND (disabled_ms IS NULL OR disabled_ms >= ?) ORDER BY stream_arn",
            (len(prefix), prefix, self.horizon_ms()),
        )
        return [_info(row) for row in rows]

    def stream(self, arn: str) -> StreamInfo | None:
        rows = self._query(
            f"SELECT {COLUMNS} FROM ddb_streams WHERE stream_arn = ? "
            "AND (disabled_ms IS NULL OR disabled_ms >= ?)",
            (arn, self.horizon_ms()),
        )
        return _info(rows[0]) if rows else None

    def records(self, arn: str, after: int, limit: int) -> list[StoredRecord]:
        """Up to `limit` records with sequence numbers above `after`, still kept, in order."""
        rows = self._query(
            "SELECT seq, created_ms, event_name, record, user_identity FROM stream_records "
            "WHERE stream_arn = ? AND seq > ? AND created_ms >= ? ORDER BY seq LIMIT ?",
            (arn, after, self.horizon_ms(), limit),
        )
        return [
            StoredRecord(seq, created, name, json.loads(record), json.loads(identity or "null"))
            for seq, created, name, record, identity in rows
        ]

    def oldest_kept(self, arn: str) -> int | None:
        """The sequence number of the oldest record still kept (None: none is)."""
        rows = self._query(
            "SELECT min(seq) FROM stream_records WHERE stream_arn = ? AND created_ms >= ?",
            (arn, self.horizon_ms()),
        )
        return rows[0][0]

    def last_before(self, arn: str, ms: int) -> int | None:
        """The last sequence number of a record created before `ms` (None: none is)."""
        rows = self._query(
            "SELECT max(seq) FROM stream_records WHERE stream_arn = ? AND created_ms < ?",
            (arn, ms),
        )
        return rows[0][0]

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()


def _info(row: tuple) -> StreamInfo:
    arn, table_arn, view_type, label, created, disabled, last_seq, keys = row
    return StreamInfo(
        arn, table_arn, view_type, label, created, disabled, last_seq, json.loads(keys or "[]")
    )
