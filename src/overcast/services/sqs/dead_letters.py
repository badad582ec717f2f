"""Dead-letter redrive: a message received maxReceiveCount times moves to the queue its
queue's RedrivePolicy names, and so does one Lambda takes out of a queue for good.

A moved message is visible at once in its dead-letter queue and counted as never received
there. Its retention still counts from its first send, except in a FIFO dead-letter queue,
where it starts again, and where its deduplication id becomes its MessageId, so that two
messages that shared a deduplication id are both kept (as SQS documents both).

Moving messages back out of a dead-letter queue is message_mover.py's.
"""

from __future__ import annotations

from overcast.services.sqs.message import Message
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.registry import QueueRegistry


def dead_letter_queue(registry: QueueRegistry, queue: Queue) -> Queue | None:
    """The queue's dead-letter queue, if it has a RedrivePolicy and that queue exists."""
    return registry.by_arn(queue.redrive.dead_letter_arn) if queue.redrive else None


def redrive(registry: QueueRegistry, queue: Queue, message: Message, now: int) -> bool:
    """Move a message received maxReceiveCount times to the dead-letter queue."""
    policy = queue.redrive
    if policy is None or message.receive_count < policy.max_receive_count:
        return False
    target = dead_letter_queue(registry, queue)
    if target is None:
        return False  # the dead-letter queue is gone: SQS keeps delivering
    move(queue, target, message, now)
    return True


def move(source: Queue, target: Queue, message: Message, now: int) -> None:
    """A dead letter: in the target queue, visible, counted as never received there."""
    source.remove(message)
    message.receive_count, message.first_receive_ms, message.receipt = 0, None, None
    if target.fifo:
        message.sent_ms = now
        message.dedup_id = message.id
    message.dead_letter_source = source.arn
    message.visible_ms = now
    target.add(message, now)
