"""Where queues and their messages outlive the process: `<data_dir>/queues.db`.

A message is committed here before SendMessage answers, and every change to it (a receive, a
visibility change, a move to a dead-letter queue, its deletion) is committed before it is
acknowledged, so a `kill -9` loses nothing that was acknowledged. The queue service keeps
everything in memory as well and reads this file only at start.

A file of its own: messages are written often and must not wait on the control plane's lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from overcast.services.sqs.message import (
    Message,
    attributes_from_record,
    attributes_to_record,
)
from overcast.services.sqs.move_task import MoveStatus, MoveTask
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_s INTEGER NOT NULL,
    modified_s INTEGER NOT NULL,
    UNIQUE (region, name));
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT,
    sent_ms INTEGER NOT NULL,
    sender_id TEXT NOT NULL,
    hops INTEGER NOT NULL,
    group_id TEXT,
    dedup_id TEXT,
    trace_header TEXT,
    dead_letter_source TEXT,
    receive_count INTEGER NOT NULL,
    first_receive_ms INTEGER,
    visible_ms INTEGER NOT NULL,
    receipt TEXT);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue_id, seq);
CREATE TABLE IF NOT EXISTS deduplication (
    queue_id INTEGER NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (queue_id, dedup_id));
CREATE TABLE IF NOT EXISTS move_tasks (
    id TEXT PRIMARY KEY,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,
    rate INTEGER,
    started_ms INTEGER NOT NULL,
    to_move INTEGER NOT NULL,
    moved INTEGER NOT NULL,
    status TEXT NOT NULL,
    failure TEXT);
"""
MOVE_TASK_COLUMNS = (
    "id, source_arn, destination_arn, rate, started_ms, to_move, moved, status, failure"
)
MESSAGE_COLUMNS = (
    "seq, id, body, attributes, sent_ms, sender_id, hops, group_id, dedup_id, trace_header, "
    "dead_letter_source, receive_count, first_receive_ms, visible_ms, receipt"
)


@dataclass
class QueueRecord:
    """A queue as stored: its settable attributes (SQS's strings) and tags."""

    id: int
    region: str
    name: str
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created_s: int = 0
    modified_s: int = 0


@dataclass(frozen=True)
class Deduplication:
    """A FIFO send remembered for five minutes: a repeat of its id is not queued again."""

    queue_id: int
    dedup_id: str  # the deduplication key (deduplication.deduplication_key)
    message_id: str
    seq: int
    expires_ms: int


class QueueStore(Protocol):
    """What SQS keeps on disk: queues, their messages and the deduplication window
    (SqliteQueueStore below keeps it in SQLite)."""

    def load_queues(self) -> list[QueueRecord]: ...

    def add_queue(self, record: QueueRecord) -> QueueRecord:
        """Keep a new queue; its id is assigned here."""
        ...

    def put_queue(self, record: QueueRecord) -> None: ...

    def delete_queue(self, queue_id: int) -> None: ...

    def load_messages(self, queue_id: int) -> list[Message]: ...

    def add_messages(self, queue_id: int, messages: Iterable[Message]) -> None:
        """Keep new messages; each one's `seq` is assigned here."""
        ...

    def update_messages(self, messages: Iterable[Message]) -> None:
        """Keep what receives and visibility changes did to messages."""
        ...

    def move_message(self, message: Message, queue_id: int) -> None:
        """A message moved to another queue (a dead-letter queue), as it is now."""
        ...

    def delete_messages(self, seqs: Iterable[int]) -> None: ...

    def purge(self, queue_id: int) -> None:
        """Every message of the queue, and the deduplication ids it has seen."""
        ...

    def load_deduplications(self, now_ms: int) -> list[Deduplication]: ...

    def add_deduplication(self, entry: Deduplication) -> None: ...

    def prune_deduplications(self, now_ms: int) -> None: ...

    def load_move_tasks(self) -> list[MoveTask]:
        """Message movement tasks, oldest first."""
        ...

    def put_move_task(self, task: MoveTask) -> None:
        """Keep a task as it is now (its progress is kept in the commit of the moves)."""
        ...

    def delete_move_tasks(self, ids: Iterable[str]) -> None: ...

    def close(self) -> None: ...


class SqliteQueueStore(Database):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    # --- queues -----------------------------------------------------------------------------

    def load_queues(self) -> list[QueueRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, region, name, attributes, tags, created_s, modified_s FROM queues"
            ).fetchall()
        return [
            QueueRecord(i, region, name, json.loads(attributes), json.loads(tags), created, mod)
            for i, region, name, attributes, tags, created, mod in rows
        ]

    def add_queue(self, record: QueueRecord) -> QueueRecord:
        """Keep a new queue; its id is assigned here."""
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO queues (region, name, attributes, tags, created_s, modified_s) "
                "VALUES (?,?,?,?,?,?)",
                (
                    record.region,
                    record.name,
                    json.dumps(record.attributes),
                    json.dumps(record.tags),
                    record.created_s,
                    record.modified_s,
                ),
            )
        record.id = cursor.lastrowid
        return record

    def put_queue(self, record: QueueRecord) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE queues SET attributes=?, tags=?, modified_s=? WHERE id=?",
                (json.dumps(record.attributes), json.dumps(record.tags), record.modified_s,
                 record.id),
            )  # fmt: skip

    def delete_queue(self, queue_id: int) -> None:
        with self.transaction():
            for table in ("messages", "deduplication"):
                self._db.execute(f"DELETE FROM {table} WHERE queue_id=?", (queue_id,))
            self._db.execute("DELETE FROM queues WHERE id=?", (queue_id,))

    # --- messages ---------------------------------------------------------------------------

    def load_messages(self, queue_id: int) -> list[Message]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE queue_id=? ORDER BY seq",
                (queue_id,),
            ).fetchall()
        messages = []
        for row in rows:
            seq, message_id, body, attributes, *rest = row
            found = attributes_from_record(json.loads(attributes)) if attributes else {}
            messages.append(Message(seq, message_id, body, found, *rest))
        return messages

    def add_messages(self, queue_id: int, messages: Iterable[Message]) -> None:
        """Keep new messages; each one's `seq` is assigned here."""
        with self.transaction():
            for message in messages:
                cursor = self._db.execute(
                    "INSERT INTO messages (queue_id, id, body, attributes, sent_ms, sender_id, "
                    "hops, group_id, dedup_id, trace_header, dead_letter_source, receive_count, "
                    "first_receive_ms, visible_ms, receipt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (queue_id, *_columns(message)),
                )
                message.seq = cursor.lastrowid

    def update_messages(self, messages: Iterable[Message]) -> None:
        """Keep what receives and visibility changes did to messages."""
        with self.transaction():
            self._db.executemany(
                "UPDATE messages SET receive_count=?, first_receive_ms=?, visible_ms=?, receipt=? "
                "WHERE seq=?",
                [
                    (m.receive_count, m.first_receive_ms, m.visible_ms, m.receipt, m.seq)
                    for m in messages
                ],
            )

    def move_message(self, message: Message, queue_id: int) -> None:
        """A message moved to another queue (a dead-letter queue), as it is now."""
        with self.transaction():
            self._db.execute(
                "UPDATE messages SET queue_id=?, sent_ms=?, dedup_id=?, receive_count=?, "
                "first_receive_ms=?, visible_ms=?, receipt=?, dead_letter_source=? WHERE seq=?",
                (
                    queue_id,
                    message.sent_ms,
                    message.dedup_id,
                    message.receive_count,
                    message.first_receive_ms,
                    message.visible_ms,
                    message.receipt,
                    message.dead_letter_source,
                    message.seq,
                ),
            )

    def delete_messages(self, seqs: Iterable[int]) -> None:
        with self.transaction():
            self._db.executemany("DELETE FROM messages WHERE seq=?", [(s,) for s in seqs])

    def purge(self, queue_id: int) -> None:
        """Every message of the queue, and the deduplication ids it has seen (as SQS)."""
        with self.transaction():
            for table in ("messages", "deduplication"):
                self._db.execute(f"DELETE FROM {table} WHERE queue_id=?", (queue_id,))

    # --- FIFO deduplication -----------------------------------------------------------------

    def load_deduplications(self, now_ms: int) -> list[Deduplication]:
        with self.transaction():
            self._db.execute("DELETE FROM deduplication WHERE expires_ms<=?", (now_ms,))
            rows = self._db.execute(
                "SELECT queue_id, dedup_id, message_id, seq, expires_ms FROM deduplication"
            ).fetchall()
        return [Deduplication(*row) for row in rows]

    def add_deduplication(self, entry: Deduplication) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO deduplication VALUES (?,?,?,?,?)",
                (entry.queue_id, entry.dedup_id, entry.message_id, entry.seq, entry.expires_ms),
            )

    def prune_deduplications(self, now_ms: int) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM deduplication WHERE expires_ms<=?", (now_ms,))

    # --- message movement tasks -------------------------------------------------------------

    def load_move_tasks(self) -> list[MoveTask]:
        """Message movement tasks, oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {MOVE_TASK_COLUMNS} FROM move_tasks ORDER BY started_ms, rowid"
            ).fetchall()
        return [MoveTask(*row[:7], MoveStatus(row[7]), row[8]) for row in rows]

    def put_move_task(self, task: MoveTask) -> None:
        """Keep a task as it is now (its progress is kept in the commit of the moves)."""
        with self.transaction():
            self._db.execute(
                f"INSERT INTO move_tasks ({MOVE_TASK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (id) DO UPDATE SET moved=excluded.moved, status=excluded.status, "
                "failure=excluded.failure",
                (task.id, task.source_arn, task.destination_arn, task.rate, task.started_ms,
                 task.to_move, task.moved, task.status.value, task.failure),
            )  # fmt: skip

    def delete_move_tasks(self, ids: Iterable[str]) -> None:
        with self.transaction():
            self._db.executemany("DELETE FROM move_tasks WHERE id=?", [(i,) for i in ids])


def _columns(message: Message) -> tuple:
    attributes = (
        json.dumps(attributes_to_record(message.attributes)) if message.attributes else None
    )
    return (
        message.id,
        message.body,
        attributes,
        message.sent_ms,
        message.sender_id,
        message.hops,
        message.group_id,
        message.dedup_id,
        message.trace_header,
        message.dead_letter_source,
        message.receive_count,
        message.first_receive_ms,
        message.visible_ms,
        message.receipt,
    )
