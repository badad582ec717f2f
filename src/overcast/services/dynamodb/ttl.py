"""The TTL sweeper: items whose TTL attribute (epoch seconds, an N) is past are deleted in the
background, each with the stream record AWS writes for a TTL deletion (a REMOVE whose
`userIdentity` is the DynamoDB service: TTL_IDENTITY). AWS deletes expired items "within a
few days"; here within a sweep interval. Expired items are deleted one transaction each, so
a write racing the sweep is never lost: the item is re-read and re-checked in the transaction.
"""

from __future__ import annotations

import threading
import time

from overcast.services.dynamodb.changes import TTL_IDENTITY, Key, expiry, key_of
from overcast.services.dynamodb.tables import TableService

STREAM_RETENTION_MS = 24 * 3600 * 1000


class TtlSweeper:
    def __init__(self, tables: TableService, interval: float = 5.0, clock=time.time) -> None:
        self.tables = tables
        self.interval = interval
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ddb-ttl", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sweep()

    def sweep(self, batch: int = 500) -> int:
        """Delete what has expired (up to `batch` items); how many were deleted."""
        store, now = self.tables.store, self.clock()
        by_id = {table.table_id: table for table in self.tables.all()}
        deleted = 0
        for table_id, hash_, range_ in store.expired(int(now), batch):
            table = by_id.get(table_id)
            if table is None:
                continue
            with store.transaction():
                found = store.item(table_id, hash_, range_)
                if found is None:
                    continue
                item = found[0]
                expires = expiry(table, item)
                if expires is None or expires >= now:
                    continue
                key: Key = key_of(table, item)
                self.tables.changes.write(table, key, item, None, TTL_IDENTITY)
                deleted += 1
        store.trim_streams(int(now * 1000) - STREAM_RETENTION_MS)
        return deleted
