"""Dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks and
CancelMessageMoveTask, and the tasks that move the messages.

As SQS documents it: the source is a dead-letter queue (the RedrivePolicy of some queue names
it); its messages go, oldest first, to DestinationArn (a queue of the same type) or each back
to the queue it came from; a redriven message is a new message there (a new MessageId, sent
now, never received); one task at a time per source queue; MaxNumberOfMessagesPerSecond sets
the pace (1 to 500), and without it the task moves as fast as the server goes.

Durable as SendMessage is: each step of a task (the messages it moved and its progress) is one
commit, and a task still running when the server stopped resumes when it starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid

from overcast.aws.arn import Arn
from overcast.services.sqs.broker import Broker
from overcast.services.sqs.errors import (
    InvalidParameterValueException,
    QueueDoesNotExist,
    ResourceNotFoundException,
)
from overcast.services.sqs.message import Message
from overcast.services.sqs.move_task import MoveStatus, MoveTask, parse_handle
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.registry import QueueRegistry
from overcast.services.sqs.store import QueueStore

STEP = 100  # messages moved in one commit, and at most between two turns of the event loop
MAX_RATE = 500
KEPT_PER_SOURCE = 10  # ListMessageMoveTasks shows up to the 10 most recent tasks
ARN_FORMAT = "arn:<partition>:<service>:<region>:<account-id>:<resource-id>"

log = logging.getLogger(__name__)


class MessageMover:
    def __init__(self, registry: QueueRegistry, broker: Broker, store: QueueStore) -> None:
        self.registry = registry
        self.broker = broker
        self.store = store
        self.tasks: dict[str, MoveTask] = {}  # by id, oldest first
        self._runners: dict[str, asyncio.Task] = {}
        self._started = False

    def load(self) -> None:
        for task in self.store.load_move_tasks():
            self.tasks[task.id] = task

    def start(self) -> None:
        """Needs the running loop: resumes the tasks that were running."""
        self._started = True
        for task in list(self.tasks.values()):
            if task.active:
                self._launch(task)

    async def stop(self) -> None:
        runners = list(self._runners.values())
        for runner in runners:
            runner.cancel()
        for runner in runners:
            with contextlib.suppress(asyncio.CancelledError):
                await runner

    # --- the API's operations ---------------------------------------------------------------

    def begin(self, source_arn: str, destination_arn: str | None, rate: int | None) -> MoveTask:
        """StartMessageMoveTask, after SQS's checks."""
        destination_arn = destination_arn or None  # blank: back to the messages' own queues
        source = self._queue(source_arn, "SourceArn")
        if not self.registry.dead_letter_sources(source):
            raise InvalidParameterValueException(
                "Source queue must be configured as a Dead Letter Queue."
            )
        destination = self._queue(destination_arn, "DestinationArn") if destination_arn else None
        if destination is not None and destination.fifo != source.fifo:
            raise InvalidParameterValueException(  # SQS's wording unknown
                "The destination queue must be of the same type as the source queue."
            )
        if rate is not None and not 1 <= rate <= MAX_RATE:
            raise InvalidParameterValueException(  # SQS's wording unknown
                f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: "
                f"Must be between 1 and {MAX_RATE}, if provided."
            )
        with self.broker.lock:
            if any(t.active for t in self.tasks.values() if t.source_arn == source.arn):
                raise InvalidParameterValueException(
                    "There is already a task running. Only one active task is allowed for a "
                    "source queue arn at a given time."
                )
            now = self.broker.now_ms()
            visible, _, _ = source.counts(now)
            task = MoveTask(str(uuid.uuid4()), source.arn, destination_arn, rate, now, visible)
            with self.store.transaction():
                self.store.put_move_task(task)
                self._forget_old(source.arn, task)
            self.tasks[task.id] = task
        self._launch(task)
        return task

    def list(self, source_arn: str, max_results: int) -> list[MoveTask]:
        """ListMessageMoveTasks: the source's most recent tasks first."""
        source = self._queue(source_arn, "SourceArn")
        tasks = [t for t in self.tasks.values() if t.source_arn == source.arn]
        return tasks[::-1][:max_results]

    def cancel(self, handle: str) -> MoveTask:
        """CancelMessageMoveTask: a running task stops before its next step; what it moved
        stays moved."""
        parsed = parse_handle(handle)
        if parsed is None:
            raise InvalidParameterValueException("Value for parameter TaskHandle is invalid.")
        task_id, source_arn = parsed
        self._queue(source_arn, "SourceArn")
        task = self.tasks.get(task_id)
        if task is None or task.source_arn != source_arn or task.status is not MoveStatus.RUNNING:
            raise ResourceNotFoundException("Task does not exist.")
        with self.broker.lock:
            task.status = MoveStatus.CANCELLED
            self.store.put_move_task(task)
        runner = self._runners.pop(task.id, None)
        if runner is not None:
            runner.cancel()
        return task

    def _queue(self, arn: str, parameter: str) -> Queue:
        try:
            Arn.parse(arn)
        except ValueError:
            raise InvalidParameterValueException(
                f"You must use this format to specify the {parameter}: {ARN_FORMAT}"
            ) from None
        queue = self.registry.by_arn(arn)
        if queue is None:
            raise ResourceNotFoundException(
                f"The resource that you specified for the {parameter} parameter doesn't exist."
            )
        return queue

    def _forget_old(self, source_arn: str, newest: MoveTask) -> None:
        """Keep the 10 most recent tasks of a source (with the new one)."""
        kept = [t for t in self.tasks.values() if t.source_arn == source_arn]
        old = kept[: max(0, len(kept) + 1 - KEPT_PER_SOURCE)]
        self.store.delete_move_tasks(t.id for t in old)
        for task in old:
            del self.tasks[task.id]

    # --- running tasks ----------------------------------------------------------------------

    def _launch(self, task: MoveTask) -> None:
        if self._started:
            runner = asyncio.get_running_loop().create_task(self._run(task))
            self._runners[task.id] = runner
            runner.add_done_callback(lambda _: self._runners.pop(task.id, None))

    async def _run(self, task: MoveTask) -> None:
        """Steps until the task is over, at its rate: with one, a message moves every
        1/rate seconds from when the task (re)started."""
        started, base = self.broker.clock(), task.moved
        while task.status is MoveStatus.RUNNING:
            limit = STEP
            if task.rate is not None:
                due = math.floor((self.broker.clock() - started) * task.rate) + 1
                limit = min(STEP, due - (task.moved - base))
            if limit > 0:
                try:
                    self.step(task, limit)
                except Exception:  # the store failed: the task ends, what it moved stays moved
                    log.exception("message movement task %s", task.id)
                    task.status, task.failure = MoveStatus.FAILED, "InternalError"
                    return
            pause = 0.0
            if task.rate is not None:
                pause = (task.moved - base) / task.rate - (self.broker.clock() - started)
            await asyncio.sleep(max(pause, 0.0))

    def step(self, task: MoveTask, limit: int) -> None:
        """Move up to `limit` visible messages of the task's source, in one commit. The task
        completes once it moved what it was to move or its source has no visible message
        left; it fails when its source, or a message's destination, is gone."""
        moved: list[tuple[Message, Message, Queue]] = []
        with self.broker.lock:
            now = self.broker.now_ms()
            source = self.registry.by_arn(task.source_arn)
            dropped, failure, exhausted = [], None, source is None
            if source is None:
                failure = QueueDoesNotExist.code
            elif task.moved < task.to_move:
                for message in source.candidates(now):
                    if source.expired(message, now):
                        source.remove(message)
                        dropped.append(message)
                        continue
                    target = self._destination(task, message)
                    if target is None:
                        failure = QueueDoesNotExist.code
                        source.hide(message, message.visible_ms, keep_place=True)
                        break
                    source.remove(message)
                    moved.append((message, redriven(message, target, now), target))
                    if len(moved) >= limit or task.moved + len(moved) >= task.to_move:
                        break
                else:
                    exhausted = True
            with self.store.transaction():
                self.store.delete_messages([m.seq for m in dropped] + [m.seq for m, _, _ in moved])
                for _, message, target in moved:
                    self.store.add_messages(target.record.id, [message])
                task.moved += len(moved)
                if failure is not None:
                    task.status, task.failure = MoveStatus.FAILED, failure
                elif exhausted or task.moved >= task.to_move:
                    task.status = MoveStatus.COMPLETED
                self.store.put_move_task(task)
            for _, message, target in moved:
                target.add(message, now)
        for target in {id(t): t for _, _, t in moved}.values():
            self.broker.wake(target)

    def _destination(self, task: MoveTask, message: Message) -> Queue | None:
        arn = task.destination_arn or message.dead_letter_source
        return self.registry.by_arn(arn) if arn else None


def redriven(message: Message, target: Queue, now: int) -> Message:
    """A dead letter as the new message redrive makes of it in `target`: a new MessageId, sent
    now, never received, its body, attributes and FIFO group kept."""
    return Message(
        seq=0,
        id=str(uuid.uuid4()),
        body=message.body,
        attributes=message.attributes,
        sent_ms=now,
        sender_id=message.sender_id,
        hops=message.hops,
        group_id=message.group_id if target.fifo else None,
        dedup_id=message.dedup_id if target.fifo else None,
        trace_header=message.trace_header,
        visible_ms=now + target.delay_s * 1000,
        md5_body=message.md5_body,
        md5_attributes=message.md5_attributes,
    )
