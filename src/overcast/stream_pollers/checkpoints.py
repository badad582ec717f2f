"""Where each stream mapping is in each shard, kept durably: a restart neither skips nor
replays a record the function acknowledged.

A shard is read in `lanes` (ParallelizationFactor: records go to a lane by their order key,
so each key's records stay in order), and each lane has its own checkpoint: the sequence
number of the last record it finished (NULL: none yet, read from the trim horizon). A reader
that starts again resumes at the lowest lane's checkpoint and skips, in each lane, what that
lane already finished. A change of ParallelizationFactor moves records between lanes, so the
shard restarts from its lowest checkpoint then (records past it may be delivered again, as
Lambda's own at-least-once delivery allows).

With TumblingWindowInSeconds, each lane's open window (its start and the `state` the function
last returned) is kept with the lane's checkpoint, in the same transaction: a restart goes on
with the window's state, neither losing what it aggregated nor aggregating a record twice.
"""

from __future__ import annotations

import json
from pathlib import Path

from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS shard_checkpoints (
    mapping TEXT NOT NULL, shard TEXT NOT NULL, lane INTEGER NOT NULL, after TEXT,
    PRIMARY KEY (mapping, shard, lane)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS window_states (
    mapping TEXT NOT NULL, shard TEXT NOT NULL, lane INTEGER NOT NULL,
    start_ms INTEGER NOT NULL, state TEXT NOT NULL,
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
        with self.transaction():
            self._db.execute("DELETE FROM shard_checkpoints WHERE mapping = ?", (mapping,))
            self._db.execute("DELETE FROM window_states WHERE mapping = ?", (mapping,))

    # --- tumbling windows -------------------------------------------------------------------

    def windows(self, mapping: str, shard: str) -> dict[int, tuple[int, dict]]:
        """Each lane's open window: its start (epoch ms) and state."""
        with self._lock:
            rows = self._db.execute(
                "SELECT lane, start_ms, state FROM window_states WHERE mapping = ? AND shard = ?",
                (mapping, shard),
            ).fetchall()
        return {lane: (start, json.loads(state)) for lane, start, state in rows}

    def save_window(
        self, mapping: str, shard: str, lane: int, after: str | None, start_ms: int, state: dict
    ) -> None:
        """The lane's checkpoint (when `after` is given) and its window's state, together."""
        with self.transaction():
            if after is not None:
                self.save(mapping, shard, lane, after)
            self._db.execute(
                "INSERT OR REPLACE INTO window_states (mapping, shard, lane, start_ms, state) "
                "VALUES (?, ?, ?, ?, ?)",
                (mapping, shard, lane, start_ms, json.dumps(state)),
            )

    def end_window(self, mapping: str, shard: str, lane: int) -> None:
        """The lane's window is over (its final invocation succeeded): its state is dropped."""
        self._write(
            "DELETE FROM window_states WHERE mapping = ? AND shard = ? AND lane = ?",
            (mapping, shard, lane),
        )
