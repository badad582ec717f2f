"""One queue in memory: its messages, in the order SQS hands them out.

A standard queue hands out its visible messages oldest first. A FIFO queue hands them out in
order within each message group, and a group only while its first message is visible: while
that one is in flight (received, neither deleted nor visible again) or delayed, nothing of the
group is handed out. As SQS does (its answers recorded against AWS show it), a group whose
first message became visible again only now (its visibility timeout ran out, or was changed to
0) comes after the groups that waited longer, and a group's run stops at the first message
that is not visible. Messages that are delayed or in flight wait in a heap by the time they
become visible again.

Only the queue service mutates a Queue, under its lock; the store keeps what it does.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Iterator
from itertools import count, islice

from overcast.aws.arn import arn
from overcast.services.sqs.attributes import RedrivePolicy, redrive_policy
from overcast.services.sqs.message import Message
from overcast.services.sqs.store import Deduplication, QueueRecord

# How far into a group one receive looks: it hands out at most 10 messages, and a message
# dropped on the way (expired, moved to a dead-letter queue) is dropped for the next one too.
GROUP_SCAN = 100


class Queue:
    def __init__(self, record: QueueRecord, account_id: str) -> None:
        self.record = record
        self.account_id = account_id
        self.arn = arn("sqs", record.region, account_id, record.name)
        self.fifo = record.name.endswith(".fifo")
        self.messages: dict[str, Message] = {}
        self.deduplication: dict[str, Deduplication] = {}
        self.waiters: set[asyncio.Future] = set()
        self.purged_ms = 0
        self._ready: list[tuple[int, str]] = []  # standard: (seq, id) of visible messages
        self._hidden: list[tuple[int, int, str]] = []  # (visible_ms, seq, id)
        self._groups: dict[str, deque[str]] = {}  # FIFO: message ids per group, oldest first
        self._tickets = count(1)  # the order in which messages became (or become) visible
        self.configure(record.attributes)

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def region(self) -> str:
        return self.record.region

    def configure(self, attributes: dict[str, str]) -> None:
        """Take new attributes (already checked) and the settings read from them."""
        self.record.attributes = attributes
        self.visibility_timeout = int(attributes["VisibilityTimeout"])
        self.delay_s = int(attributes["DelaySeconds"])
        self.retention_s = int(attributes["MessageRetentionPeriod"])
        self.wait_s = int(attributes["ReceiveMessageWaitTimeSeconds"])
        self.maximum_message_size = int(attributes["MaximumMessageSize"])
        self.content_based_deduplication = attributes.get("ContentBasedDeduplication") == "true"
        self.deduplicate_per_group = attributes.get("DeduplicationScope") == "messageGroup"
        self.redrive: RedrivePolicy | None = redrive_policy(attributes)

    # --- membership -------------------------------------------------------------------------

    def add(self, message: Message, now_ms: int) -> None:
        """A new (or moved-in) message; `visible_ms` says when it may be handed out."""
        self.messages[message.id] = message
        message.ticket = next(self._tickets)
        if self.fifo:
            self._groups.setdefault(message.group_id or "", deque()).append(message.id)
        if message.visible_ms > now_ms:
            heapq.heappush(self._hidden, (message.visible_ms, message.seq, message.id))
        elif not self.fifo:
            heapq.heappush(self._ready, (message.seq, message.id))

    def remove(self, message: Message) -> None:
        """Forget a message (deleted, expired or moved); heap entries of it go stale."""
        if self.messages.pop(message.id, None) is None:
            return
        if self.fifo:
            group = self._groups.get(message.group_id or "")
            if group is not None:
                if group and group[0] == message.id:
                    group.popleft()
                else:
                    group.remove(message.id)
                if not group:
                    del self._groups[message.group_id or ""]

    def clear(self) -> list[Message]:
        """Forget every message (PurgeQueue); returns them."""
        gone = list(self.messages.values())
        self.messages.clear()
        self._ready.clear()
        self._hidden.clear()
        self._groups.clear()
        return gone

    def hide(self, message: Message, until_ms: int, *, keep_place: bool = False) -> None:
        """Make a message visible again only at `until_ms` (a receive, a visibility change):
        it then queues behind what became visible before it, unless it `keep_place`s (put
        back unreceived). Even when that is now, it returns through the heap: a receive never
        hands out the same message twice."""
        message.visible_ms = until_ms
        if not keep_place:
            message.ticket = next(self._tickets)
        heapq.heappush(self._hidden, (until_ms, message.seq, message.id))

    # --- handing out ------------------------------------------------------------------------

    def candidates(self, now_ms: int) -> Iterator[Message]:
        """Visible messages in the order they are to be handed out. The consumer must hide or
        remove each message it is given before asking for the next one."""
        self._promote(now_ms)
        return self._fifo_candidates(now_ms) if self.fifo else self._standard_candidates(now_ms)

    def _standard_candidates(self, now_ms: int) -> Iterator[Message]:
        ready = self._ready
        while ready:
            _, message_id = heapq.heappop(ready)
            message = self.messages.get(message_id)
            if message is not None and message.visible_ms <= now_ms:
                yield message

    def _fifo_candidates(self, now_ms: int) -> Iterator[Message]:
        heads = []
        for ids in self._groups.values():
            head = self.messages[ids[0]]
            if head.visible_ms <= now_ms:
                heads.append((head.visible_ms, head.ticket, ids))
        heads.sort(key=lambda entry: entry[:2])  # the group visible the longest first
        for _, _, ids in heads:
            for message_id in list(islice(ids, GROUP_SCAN)):
                message = self.messages.get(message_id)
                if message is None or message.visible_ms > now_ms:
                    break  # order within a group: nothing past a message that waits
                yield message

    def _promote(self, now_ms: int) -> None:
        hidden = self._hidden
        while hidden and hidden[0][0] <= now_ms:
            visible_ms, seq, message_id = heapq.heappop(hidden)
            message = self.messages.get(message_id)
            if message is not None and message.visible_ms == visible_ms and not self.fifo:
                heapq.heappush(self._ready, (seq, message_id))

    def next_visible_ms(self) -> int | None:
        """When the next delayed or in-flight message becomes visible (None: none will)."""
        hidden = self._hidden
        while hidden:
            visible_ms, _, message_id = hidden[0]
            message = self.messages.get(message_id)
            if message is not None and message.visible_ms == visible_ms:
                return visible_ms
            heapq.heappop(hidden)
        return None

    # --- reading ----------------------------------------------------------------------------

    @staticmethod
    def _in_flight(message: Message, now_ms: int) -> bool:
        return message.receipt is not None and message.visible_ms > now_ms

    def in_flight(self, message: Message, now_ms: int) -> bool:
        return self._in_flight(message, now_ms)

    def counts(self, now_ms: int) -> tuple[int, int, int]:
        """(visible, in flight, delayed): ApproximateNumberOfMessages[NotVisible|Delayed]."""
        visible = in_flight = delayed = 0
        for message in self.messages.values():
            if message.visible_ms <= now_ms:
                visible += 1
            elif message.receipt is not None:
                in_flight += 1
            else:
                delayed += 1
        return visible, in_flight, delayed

    def expired(self, message: Message, now_ms: int) -> bool:
        """Kept longer than MessageRetentionPeriod (a dead letter counts from its first send)."""
        return now_ms >= message.sent_ms + self.retention_s * 1000
