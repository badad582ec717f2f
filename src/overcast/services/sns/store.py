"""Topics on disk: `<data_dir>/topics.db`.

Topics and subscriptions are JSON documents. A published message is kept with one delivery
row per subscription that takes it, committed before Publish answers; a delivery row goes
when its subscriber has it (or has failed for good), and the message with its last one. A
`kill -9` at any moment therefore loses no acknowledged message: after a restart every
delivery still here is made again (at least once, as SNS promises). FIFO topics keep the
deduplication IDs of the last five minutes.

An unsubscribed HTTP/S subscription is kept aside (`retired`) with the token its
UnsubscribeConfirmation carries, so that the token can restore it. What SNS would have
mailed or texted (email, email-json and sms subscribers, Publish to a PhoneNumber) is
written to `outbox` instead (the last OUTBOX_KEPT of it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from overcast.services.sns.message import Message
from overcast.services.sns.model import Subscription, Topic
from overcast.store.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (arn TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (
    arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subscription_arn TEXT NOT NULL,
    message_id TEXT,
    due_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS deduplication (
    topic_arn TEXT NOT NULL, id TEXT NOT NULL, message_id TEXT NOT NULL,
    sequence_number TEXT NOT NULL, expires_ms INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, id));
CREATE TABLE IF NOT EXISTS retired (
    arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, doc TEXT NOT NULL, retired_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,
    doc TEXT NOT NULL);
"""
OUTBOX_KEPT = 10_000

NOTIFICATION = "Notification"
CONFIRMATION = "SubscriptionConfirmation"
FAREWELL = "UnsubscribeConfirmation"


@dataclass
class Delivery:
    """One message (or confirmation) owed to one subscription."""

    id: int
    kind: str  # NOTIFICATION, CONFIRMATION or FAREWELL
    subscription_arn: str
    message_id: str | None
    due_ms: int
    attempts: int = 0


class TopicStore(Protocol):
    """What SNS keeps on disk: topics, subscriptions, and messages until delivered
    (SqliteTopicStore below keeps it in SQLite)."""

    def topics(self) -> list[Topic]: ...

    def put_topic(self, topic: Topic) -> None: ...

    def delete_topic(self, arn: str) -> None:
        """The topic and its subscriptions, with what they are still owed."""
        ...

    def subscriptions(self) -> list[Subscription]: ...

    def put_subscription(self, subscription: Subscription) -> None: ...

    def delete_subscription(self, arn: str) -> None: ...

    def add_message(
        self, message: Message, subscription_arns: list[str], now_ms: int
    ) -> list[Delivery]:
        """Keep a message and what each subscription is owed of it, in one commit."""
        ...

    def add_confirmation(
        self, subscription_arn: str, now_ms: int, kind: str = CONFIRMATION
    ) -> Delivery: ...

    def retire(self, subscription: Subscription, now_ms: int) -> Delivery:
        """Delete a subscription but keep it aside (restorable by its token), and owe it
        its UnsubscribeConfirmation, in one commit."""
        ...

    def retired(self, arn: str) -> Subscription | None: ...

    def restore(self, token: str, topic_arn: str | None, since_ms: int) -> Subscription | None:
        """The subscription retired with this token (not before `since_ms`), live again."""
        ...

    def record(self, protocol: str, endpoint: str, document: dict) -> None:
        """Keep what SNS would have emailed or texted (the last OUTBOX_KEPT)."""
        ...

    def message(self, message_id: str) -> Message | None: ...

    def deliveries(self) -> list[Delivery]:
        """Every delivery still owed, oldest first (read at start)."""
        ...

    def reschedule(self, delivery: Delivery) -> None: ...

    def finish_all(self, deliveries: list[Delivery]) -> None:
        """Forget deliveries that are done, and messages that nobody is owed any more."""
        ...

    def duplicate(self, topic_arn: str, dedup_id: str, now_ms: int) -> tuple[str, str] | None:
        """(message id, sequence number) of a message with this ID in the window, if any."""
        ...

    def remember(
        self, topic_arn: str, dedup_id: str, message: Message, now_ms: int, window_ms: int
    ) -> None: ...

    def close(self) -> None: ...


class SqliteTopicStore(Database):
    """Pass ":memory:" for a throwaway store in tests."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, SCHEMA)

    # --- topics and subscriptions -------------------------------------------------------

    def topics(self) -> list[Topic]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM topics").fetchall()
        return [Topic(**json.loads(doc)) for (doc,) in rows]

    def put_topic(self, topic: Topic) -> None:
        self._write(
            "INSERT OR REPLACE INTO topics (arn, doc) VALUES (?, ?)",
            (topic.arn, json.dumps(topic.__dict__)),
        )

    def delete_topic(self, arn: str) -> None:
        """The topic and its subscriptions, with what they are still owed."""
        with self.transaction():
            self._db.execute("DELETE FROM topics WHERE arn=?", (arn,))
            self._db.execute(
                "DELETE FROM deliveries WHERE subscription_arn IN "
                "(SELECT arn FROM subscriptions WHERE topic_arn=?)",
                (arn,),
            )
            self._db.execute("DELETE FROM subscriptions WHERE topic_arn=?", (arn,))
            self._db.execute("DELETE FROM deduplication WHERE topic_arn=?", (arn,))
            self._db.execute("DELETE FROM retired WHERE topic_arn=?", (arn,))
            self._drop_orphan_messages()

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM subscriptions ORDER BY rowid").fetchall()
        return [Subscription(**json.loads(doc)) for (doc,) in rows]

    def put_subscription(self, subscription: Subscription) -> None:
        self._write(
            "INSERT OR REPLACE INTO subscriptions (arn, topic_arn, doc) VALUES (?, ?, ?)",
            (subscription.arn, subscription.topic_arn, _doc(subscription)),
        )

    def delete_subscription(self, arn: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM subscriptions WHERE arn=?", (arn,))
            self._db.execute("DELETE FROM deliveries WHERE subscription_arn=?", (arn,))
            self._drop_orphan_messages()

    # --- messages and deliveries --------------------------------------------------------

    def add_message(
        self, message: Message, subscription_arns: list[str], now_ms: int
    ) -> list[Delivery]:
        """Keep a message and what each subscription is owed of it, in one commit."""
        with self.transaction():
            if subscription_arns:
                self._db.execute(
                    "INSERT INTO messages (id, doc) VALUES (?, ?)",
                    (message.message_id, json.dumps(message.to_record())),
                )
            return [
                self._add(NOTIFICATION, arn, message.message_id, now_ms)
                for arn in subscription_arns
            ]

    def add_confirmation(
        self, subscription_arn: str, now_ms: int, kind: str = CONFIRMATION
    ) -> Delivery:
        with self.transaction():
            return self._add(kind, subscription_arn, None, now_ms)

    # --- unsubscribed HTTP/S endpoints, and what was not sent ----------------------------

    def retire(self, subscription: Subscription, now_ms: int) -> Delivery:
        """Delete a subscription but keep it aside (restorable by its token), and owe it
        its UnsubscribeConfirmation, in one commit."""
        with self.transaction():
            self.delete_subscription(subscription.arn)
            self._db.execute(
                "INSERT OR REPLACE INTO retired VALUES (?, ?, ?, ?)",
                (subscription.arn, subscription.topic_arn, _doc(subscription), now_ms),
            )
            return self._add(FAREWELL, subscription.arn, None, now_ms)

    def retired(self, arn: str) -> Subscription | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM retired WHERE arn=?", (arn,)).fetchone()
        return None if row is None else Subscription(**json.loads(row[0]))

    def restore(self, token: str, topic_arn: str | None, since_ms: int) -> Subscription | None:
        """The subscription retired with this token (not before `since_ms`), live again."""
        with self.transaction():
            self._db.execute("DELETE FROM retired WHERE retired_ms < ?", (since_ms,))
            rows = self._db.execute(
                "SELECT doc FROM retired WHERE topic_arn=?", (topic_arn,)
            ).fetchall()
            for (doc,) in rows:
                subscription = Subscription(**json.loads(doc))
                if subscription.token == token:
                    self._db.execute("DELETE FROM retired WHERE arn=?", (subscription.arn,))
                    subscription.pending = False
                    self.put_subscription(subscription)
                    return subscription
        return None

    def record(self, protocol: str, endpoint: str, document: dict) -> None:
        """Keep what SNS would have emailed or texted (the last OUTBOX_KEPT)."""
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO outbox (protocol, endpoint, doc) VALUES (?, ?, ?)",
                (protocol, endpoint, json.dumps(document)),
            )
            self._db.execute("DELETE FROM outbox WHERE id <= ?", (cursor.lastrowid - OUTBOX_KEPT,))

    def _add(self, kind: str, arn: str, message_id: str | None, now_ms: int) -> Delivery:
        cursor = self._db.execute(
            "INSERT INTO deliveries (kind, subscription_arn, message_id, due_ms) "
            "VALUES (?, ?, ?, ?)",
            (kind, arn, message_id, now_ms),
        )
        return Delivery(cursor.lastrowid, kind, arn, message_id, now_ms)

    def message(self, message_id: str) -> Message | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM messages WHERE id=?", (message_id,)).fetchone()
        return None if row is None else Message.from_record(json.loads(row[0]))

    def deliveries(self) -> list[Delivery]:
        """Every delivery still owed, oldest first (read at start)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, subscription_arn, message_id, due_ms, attempts "
                "FROM deliveries ORDER BY id"
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def reschedule(self, delivery: Delivery) -> None:
        self._write(
            "UPDATE deliveries SET due_ms=?, attempts=? WHERE id=?",
            (delivery.due_ms, delivery.attempts, delivery.id),
        )

    def finish_all(self, deliveries: list[Delivery]) -> None:
        """Forget deliveries that are done, and messages that nobody is owed any more."""
        with self.transaction():
            for delivery in deliveries:
                self._db.execute("DELETE FROM deliveries WHERE id=?", (delivery.id,))
                if delivery.message_id is not None:
                    self._db.execute(
                        "DELETE FROM messages WHERE id=? AND NOT EXISTS "
                        "(SELECT 1 FROM deliveries WHERE message_id=?)",
                        (delivery.message_id, delivery.message_id),
                    )

    def _drop_orphan_messages(self) -> None:
        self._db.execute(
            "DELETE FROM messages WHERE id NOT IN "
            "(SELECT message_id FROM deliveries WHERE message_id IS NOT NULL)"
        )

    # --- FIFO ---------------------------------------------------------------------------

    def duplicate(self, topic_arn: str, dedup_id: str, now_ms: int) -> tuple[str, str] | None:
        """(message id, sequence number) of a message with this ID in the window, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT message_id, sequence_number FROM deduplication "
                "WHERE topic_arn=? AND id=? AND expires_ms > ?",
                (topic_arn, dedup_id, now_ms),
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def remember(
        self, topic_arn: str, dedup_id: str, message: Message, now_ms: int, window_ms: int
    ) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM deduplication WHERE expires_ms <= ?", (now_ms,))
            self._db.execute(
                "INSERT OR REPLACE INTO deduplication VALUES (?, ?, ?, ?, ?)",
                (
                    topic_arn,
                    dedup_id,
                    message.message_id,
                    message.sequence_number,
                    now_ms + window_ms,
                ),
            )


def _doc(subscription: Subscription) -> str:
    return json.dumps(subscription.__dict__)
