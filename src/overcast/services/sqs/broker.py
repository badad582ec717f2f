"""Messages in and out of queues: send, receive, delete, visibility, purge, and the `sqs`
sender of Lambda's destinations. Long polling is waiters.py's, FIFO deduplication is
deduplication.py's, dead-letter redrive is dead_letters.py's.

Every change is committed to the store before it is acknowledged. State is changed under one
lock: the event loop does almost everything, but Lambda's destinations may deliver from
another thread.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.policy.service_callers import service_refusal
from overcast.delivery import Delivery, DeliveryFailed
from overcast.services.sqs import message as messages
from overcast.services.sqs.dead_letters import dead_letter_queue, move, redrive
from overcast.services.sqs.deduplication import Deduplicator
from overcast.services.sqs.errors import (
    InvalidParameterValueException,
    PurgeQueueInProgress,
    QueueError,
    ReceiptHandleIsInvalid,
)
from overcast.services.sqs.message import Message, Receipt, parse_receipt
from overcast.services.sqs.outgoing import (
    Outgoing,
    checked_delay,
    checked_fifo,
    from_delivery,
)
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.registry import QueueRegistry
from overcast.services.sqs.store import QueueStore
from overcast.services.sqs.waiters import Waiters

PURGE_INTERVAL_MS = 60 * 1000
MAX_VISIBILITY_S = 43_200
_random = random.Random()


@dataclass(frozen=True)
class Received:
    """A message handed out by a receive, with the receipt handle of that receive."""

    message: Message
    handle: str


class Broker:
    def __init__(
        self,
        registry: QueueRegistry,
        store: QueueStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        self.waiters = Waiters(clock)
        self.deduplicator = Deduplicator(store)

    def load(self) -> None:
        """Read every queue's messages and FIFO deduplications from the store."""
        now = self.now_ms()
        for queue in self.registry.load():
            for message in self.store.load_messages(queue.record.id):
                queue.add(message, now)
        for entry in self.store.load_deduplications(now):
            queue = self.registry.by_id(entry.queue_id)
            if queue is not None:
                queue.deduplication[entry.dedup_id] = entry

    def start(self) -> None:
        """Needs the running loop: wakes for waiting receives are scheduled on it."""
        self.waiters.start()

    # --- sending ----------------------------------------------------------------------------

    def send(self, queue: Queue, outgoing: Outgoing) -> Message:
        """Check and keep one message (durably, before returning)."""
        return self.send_many(queue, [outgoing])[0]  # type: ignore[return-value]

    def send_many(self, queue: Queue, batch: list[Outgoing]) -> list[Message | QueueError]:
        """Keep the messages that pass SQS's checks, all in one commit; a refused entry's
        place holds its error (raised at once for a batch of one)."""
        results: list[Message | QueueError] = []
        with self.lock:
            now = self.now_ms()
            fresh: list[Message] = []
            for outgoing in batch:
                try:
                    results.append(self._message(queue, outgoing, now, fresh))
                except QueueError as error:
                    if len(batch) == 1:
                        raise
                    results.append(error)
            if fresh:
                with self.store.transaction():
                    self.store.add_messages(queue.record.id, fresh)
                    for message in fresh:
                        self.deduplicator.remember(queue, message, now)
            for message in fresh:
                queue.add(message, now)
        if fresh:
            self.wake(queue)
        return results

    def _message(self, queue: Queue, outgoing: Outgoing, now: int, fresh: list) -> Message:
        messages.check_body(outgoing.body)
        messages.check_attributes(outgoing.attributes)
        messages.check_size(outgoing.body, outgoing.attributes, queue.maximum_message_size)
        delay = checked_delay(queue, outgoing.delay_s)
        dedup_id = checked_fifo(queue, outgoing)
        if dedup_id is not None:
            earlier = self.deduplicator.earlier(queue, dedup_id, now, fresh, outgoing)
            if earlier is not None:
                return earlier
        message = Message(
            seq=0,
            id=str(uuid.uuid4()),
            body=outgoing.body,
            attributes=outgoing.attributes,
            sent_ms=now,
            sender_id=outgoing.sender_id,
            hops=outgoing.hops,
            group_id=outgoing.group_id if queue.fifo else None,
            dedup_id=dedup_id,
            trace_header=outgoing.trace_header,
            visible_ms=now + delay * 1000,
        )
        fresh.append(message)
        return message

    # --- receiving --------------------------------------------------------------------------

    async def receive(
        self,
        queue: Queue,
        limit: int = 1,
        *,
        wait_s: float | None = 0,
        visibility_s: int | None = None,
        max_bytes: int | None = None,
        may_take: Callable[[], bool] | None = None,
    ) -> list[Received]:
        """Up to `limit` visible messages, now in flight for `visibility_s` (the queue's
        VisibilityTimeout by default). With none visible, waits up to `wait_s` seconds (None:
        until one is) and answers as soon as one arrives. `may_take` is asked before each
        take: False answers [] at once (a poller whose role may no longer receive)."""
        deadline = None if wait_s is None else self.clock() + wait_s
        while True:
            if may_take is not None and not may_take():
                return []
            found = self.take(queue, limit, visibility_s, max_bytes)
            if found or (deadline is not None and self.clock() >= deadline):
                return found
            await self.waiters.wait(queue, deadline)
            if self.registry.by_id(queue.record.id) is not queue:
                return []  # deleted while waiting

    def take(
        self,
        queue: Queue,
        limit: int,
        visibility_s: int | None = None,
        max_bytes: int | None = None,
    ) -> list[Received]:
        """What `receive` hands out, without waiting. Messages past their retention period
        are dropped; those received maxReceiveCount times go to the dead-letter queue."""
        visibility = queue.visibility_timeout if visibility_s is None else visibility_s
        with self.lock:
            now = self.now_ms()
            out: list[Received] = []
            size, dropped, moved = 0, [], []
            for message in queue.candidates(now):
                if queue.expired(message, now):
                    queue.remove(message)
                    dropped.append(message)
                    continue
                if redrive(self.registry, queue, message, now):
                    moved.append(message)
                    continue
                if out and max_bytes is not None and size + message.size > max_bytes:
                    queue.hide(message, message.visible_ms, keep_place=True)  # for the next one
                    break
                message.receive_count += 1
                message.first_receive_ms = message.first_receive_ms or now
                message.receipt = f"{message.receive_count}-{_random.getrandbits(40):x}"
                queue.hide(message, now + visibility * 1000)
                out.append(
                    Received(message, Receipt(queue.record.id, message.id, message.receipt).handle)
                )
                size += message.size
                if len(out) >= limit:
                    break
            if out or dropped or moved:
                with self.store.transaction():
                    self.store.update_messages(r.message for r in out)
                    self.store.delete_messages(m.seq for m in dropped)
                    for message in moved:
                        self.store.move_message(message, self._dead_letter_queue(queue).record.id)
        if moved:
            self.wake(self._dead_letter_queue(queue))
        return out

    def _dead_letter_queue(self, queue: Queue) -> Queue | None:
        return dead_letter_queue(self.registry, queue)

    def wake(self, queue: Queue | None) -> None:
        """Wake the receives waiting on a queue (from any thread)."""
        self.waiters.wake(queue)

    # --- deleting and visibility ------------------------------------------------------------

    def delete(self, queue: Queue, handles: list[str]) -> list[QueueError | None]:
        """Delete by receipt handle, all in one commit; each entry's error or None. A handle
        of a message deleted already succeeds; one from an earlier receive of a message now in
        flight again deletes nothing (as SQS: "the request succeeds, but the message might not
        be deleted"); a FIFO queue refuses it."""
        results: list[QueueError | None] = []
        with self.lock:
            now = self.now_ms()
            gone = []
            for handle in handles:
                try:
                    message = self._deletable(queue, handle, now)
                except QueueError as error:
                    results.append(error)
                    continue
                if message is not None and message.id in queue.messages:
                    queue.remove(message)
                    gone.append(message)
                results.append(None)
            if gone:
                self.store.delete_messages(m.seq for m in gone)
        return results

    def _deletable(self, queue: Queue, handle: str, now: int) -> Message | None:
        receipt = _receipt(queue, handle)
        message = queue.messages.get(receipt.message_id)
        if message is None:
            return None
        current = message.receipt == receipt.nonce
        if queue.fifo and not (current and queue.in_flight(message, now)):
            raise InvalidParameterValueException(
                f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt "
                "handle has expired."
            )
        if not current and queue.in_flight(message, now):
            return None
        return message

    def change_visibility(
        self, queue: Queue, changes: list[tuple[str, int]]
    ) -> list[QueueError | None]:
        """Set messages' visibility timeouts from now, by receipt handle, in one commit."""
        results: list[QueueError | None] = []
        with self.lock:
            now = self.now_ms()
            changed = []
            for handle, timeout in changes:
                try:
                    message = self._changeable(queue, handle, timeout, now)
                except QueueError as error:
                    results.append(error)
                    continue
                if message is not None:
                    queue.hide(message, now + timeout * 1000)
                    changed.append(message)
                results.append(None)
            if changed:
                self.store.update_messages(changed)
        if any(timeout == 0 for _, timeout in changes):
            self.wake(queue)
        return results

    def _changeable(self, queue: Queue, handle: str, timeout: int, now: int) -> Message | None:
        """The message in flight whose visibility a receipt handle may change; None for the
        latest receipt of a standard queue's message whose visibility timeout has just run
        out (no one received it since): SQS accepts the change and the message stays
        visible."""
        if not 0 <= timeout <= MAX_VISIBILITY_S:
            raise InvalidParameterValueException(
                f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be "
                f"between 0 and {MAX_VISIBILITY_S}, if provided."
            )
        receipt = _receipt(queue, handle)
        message = queue.messages.get(receipt.message_id)
        current = message is not None and message.receipt == receipt.nonce
        if current and queue.in_flight(message, now):
            return message
        if current and not queue.fifo:
            return None
        raise InvalidParameterValueException(
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not "
            "exist or is not available for visibility timeout change."
        )

    def discard(self, queue: Queue, received: list[Received]) -> None:
        """Take received messages out of a queue for good: to its dead-letter queue if it has
        one, else deleted (Lambda stopping a recursive loop)."""
        with self.lock:
            now = self.now_ms()
            target = self._dead_letter_queue(queue)
            taken = [r.message for r in received if queue.messages.get(r.message.id) is r.message]
            with self.store.transaction():
                for message in taken:
                    if target is None:
                        queue.remove(message)
                        self.store.delete_messages([message.seq])
                    else:
                        move(queue, target, message, now)
                        self.store.move_message(message, target.record.id)
        self.wake(target)

    def purge(self, queue: Queue) -> None:
        with self.lock:
            now = self.now_ms()
            if now - queue.purged_ms < PURGE_INTERVAL_MS:
                raise PurgeQueueInProgress(
                    f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds."
                )
            self.store.purge(queue.record.id)
            queue.clear()
            queue.deduplication = {}
            queue.purged_ms = now

    def delete_queue(self, queue: Queue) -> None:
        with self.lock:
            self.registry.delete(queue)
            queue.clear()
        self.wake(queue)

    # --- Lambda's destinations --------------------------------------------------------------

    def deliver(self, delivery: Delivery) -> None:
        """Destinations' `sqs` sender: an async invocation's record or dead letter (or a
        topic's or rule's message) becomes a message of the queue its ARN names. Raises
        DeliveryFailed when there is no such queue or it refuses the message (as SendMessage
        would), with nothing kept.

        A service delivering for its own resource (`delivery.sender`: SNS for a topic,
        EventBridge for a rule, S3 for a bucket) needs the queue's policy to allow it
        sqs:SendMessage ("Basic examples of Amazon SQS policies"); a queue without one
        takes nothing from it."""
        queue = self.registry.by_arn(delivery.arn)
        if queue is None:
            raise DeliveryFailed(f"The queue {delivery.arn} does not exist.", missing=True)
        if delivery.sender is not None:
            policy = queue.record.attributes.get("Policy") or None
            refusal = service_refusal(policy, SEND_ACTION, queue.arn, delivery.sender)
            if refusal is not None:
                raise DeliveryFailed(refusal, denied=True)
        try:
            self.send(queue, from_delivery(delivery, queue, self.registry.account_id))
        except QueueError as error:
            raise DeliveryFailed(f"{delivery.arn} refused the message: {error.message}") from None

    def now_ms(self) -> int:
        """The broker's clock, in milliseconds."""
        return int(self.clock() * 1000)


SEND_ACTION = "sqs:SendMessage"


def _receipt(queue: Queue, handle: str) -> Receipt:
    receipt = parse_receipt(handle)
    if receipt is None or receipt.queue_id != queue.record.id:
        raise ReceiptHandleIsInvalid(
            f'The input receipt handle "{handle}" is not a valid receipt handle.'
        )
    return receipt
