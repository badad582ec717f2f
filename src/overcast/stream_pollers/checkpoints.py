"""Where each stream mapping is in each shard, kept durably: a restart neither skips nor
replays a record the function acknowledged.

A shard is read in `lanes` (ParallelizationFactor: records go to a lane by their order key,
so each key's records stay in order), and each lane has its own checkpoint: the sequence
number of the last record it finished (NULL: none yet, read from the trim horizon). A reader
that starts again resumes at the lowest lane's checkpoint and skips, in each lane, what that
lane already finished. A change of ParallelizationFactor moves records between lanes, so the
shard restarts from its lowest checkpoint then (records past it may be delivered again, as
Lambda's own at-least-once delivery allows).
"""

from __future__ import annotations

from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS shard_checkpoints (
    mapping TEXT NOT NULL, shard TEXT NOT NULL, lane INTEGER NOT NULL, after TEXT,
    PRIMARY KEY (mapping, shard, lane)) WITHOUT ROWID;
"""

Lanes = dict[int, str | None]  # lane -> the last sequence finished (None: none)


class Checkpoints(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    def load(self, mapping: str, shard: str) -> Lanes | None:
        """Each lane's checkpoint; None when the mapping never started on the shard."""
        with self._lock:
            rows = self._db.execute(
                "SELECT lane, after FROM shard_checkpoints WHERE mapping = ? AND shard = ?",
                (mapping, shard),
            ).fetchall()
        return {lane: after for lane, after in rows} if rows else None

    def reset(self, mapping: str, shard: str, lanes: Lanes) -> None:
        """Replace the shard's checkpoints (a start, or a new ParallelizationFactor)."""
        with self.transaction():
            self._db.execute(
                "DELETE FROM shard_checkpoints WHERE mapping = ? AND shard = ?", (mapping, shard)
            )
            self._db.executemany(
                "INSERT INTO shard_checkpoints (mapping, shard, lane, after) VALUES (?, ?, ?, ?)",
                [(mapping, shard, lane, after) for lane, after in lanes.items()],
            )

    def save(self, mapping: str, shard: str, lane: int, after: str) -> None:
        self._write(
            "INSERT OR REPLACE INTO shard_checkpoints (mapping, shard, lane, after) "
            "VALUES (?, ?, ?, ?)",
            (mapping, shard, lane, after),
        )

    def forget(self, mapping: str) -> None:
        """A deleted mapping's checkpoints."""
        self._write("DELETE FROM shard_checkpoints WHERE mapping = ?", (mapping,))
