"""FIFO queues' deduplication: a send whose MessageDeduplicationId (or, with
ContentBasedDeduplication, the SHA-256 of its body) was seen in the last 5 minutes queues
nothing, and SQS answers with the message the first send made, even if deleted since.

With DeduplicationScope=messageGroup (high throughput FIFO) a deduplication id is seen only
within its message group: another group may reuse it. PurgeQueue forgets what was seen.
"""

from __future__ import annotations

from overcast.services.sqs.message import Message
from overcast.services.sqs.outgoing import Outgoing
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.store import Deduplication, QueueStore

DEDUPLICATION_MS = 5 * 60 * 1000
PRUNE_EVERY = 1000  # sends between two sweeps of expired entries


def deduplication_key(queue: Queue, group_id: str | None, dedup_id: str) -> str:
    """What a send is deduplicated by: its deduplication id, within its message group when
    the queue deduplicates per group. A space joins the two: neither id may hold one."""
    return f"{group_id} {dedup_id}" if queue.deduplicate_per_group else dedup_id


class Deduplicator:
    def __init__(self, store: QueueStore) -> None:
        self.store = store
        self._sends = 0

    def earlier(
        self, queue: Queue, dedup_id: str, now: int, fresh: list[Message], outgoing: Outgoing
    ) -> Message | None:
        """The message an earlier send with this deduplication id (in this group, where the
        queue deduplicates per group) made, in this batch or within 5 minutes, or None."""
        key = deduplication_key(queue, outgoing.group_id, dedup_id)
        for message in fresh:
            if deduplication_key(queue, message.group_id, message.dedup_id or "") == key:
                return message
        entry = queue.deduplication.get(key)
        if entry is None or entry.expires_ms <= now:
            return None
        # Deleted since: answer with its id and sequence number all the same.
        return queue.messages.get(entry.message_id) or Message(
            entry.seq, entry.message_id, outgoing.body, outgoing.attributes, now, ""
        )

    def remember(self, queue: Queue, message: Message, now: int) -> None:
        """Keep a sent message's deduplication id for 5 minutes (inside the send's commit)."""
        if message.dedup_id is None:
            return
        key = deduplication_key(queue, message.group_id, message.dedup_id)
        entry = Deduplication(queue.record.id, key, message.id, message.seq, now + DEDUPLICATION_MS)
        queue.deduplication[key] = entry
        self.store.add_deduplication(entry)
        self._sends += 1
        if self._sends % PRUNE_EVERY == 0:  # forget expired ones now and then
            self.store.prune_deduplications(now)
            queue.deduplication = {
                k: v for k, v in queue.deduplication.items() if v.expires_ms > now
            }
