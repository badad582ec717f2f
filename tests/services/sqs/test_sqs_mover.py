"""Dead-letter redrive in process, on a stopped clock: what one step of a task moves, where,
and what survives reopening the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sqs_broker import Clock, Service

from overcast.services.sqs.message_mover import MessageMover
from overcast.services.sqs.move_task import MoveStatus


class Redrive(Service):
    """A source queue whose messages go to a dead-letter queue after one receive."""

    def __init__(self, path: Path, clock: Clock, fifo: bool = False) -> None:
        super().__init__(path, clock)
        self.mover = MessageMover(self.registry, self.broker, self.store)
        self.mover.load()  # not started: tests step tasks themselves
        suffix, kind = (".fifo", {"FifoQueue": "true"}) if fifo else ("", {})
        self.dead = self.create("dead" + suffix, **kind)  # CreateQueue is idempotent
        policy = json.dumps({"deadLetterTargetArn": self.dead.arn, "maxReceiveCount": 1})
        self.source = self.registry.create(
            "us-east-1", "source" + suffix, {**kind, "RedrivePolicy": policy}, {}
        )[0]

    def kill(self, *bodies: str, **fields) -> None:
        """Send messages to the source and receive them twice: they become dead letters."""
        for body in bodies:
            self.send(self.source, body, **fields)
        self.take(self.source, 10, visibility=0)
        assert self.take(self.source, 10) == []


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_task_moves_what_was_there_when_it_started(tmp_path, clock):
    redrive = Redrive(tmp_path / "q.db", clock)
    redrive.kill("a", "b", "c")
    task = redrive.mover.begin(redrive.dead.arn, None, None)
    assert (task.status, task.to_move) == (MoveStatus.RUNNING, 3)
    redrive.kill("late")  # a dead letter that comes after the start stays where it is
    redrive.mover.step(task, 2)
    assert (task.status, task.moved) == (MoveStatus.RUNNING, 2)
    redrive.mover.step(task, 2)
    assert (task.status, task.moved) == (MoveStatus.COMPLETED, 3)
    assert sorted(m.body for m in redrive.source.messages.values()) == ["a", "b", "c"]
    assert [m.body for m in redrive.dead.messages.values()] == ["late"]


def test_progress_is_kept_with_the_moves(tmp_path, clock):
    first = Redrive(tmp_path / "q.db", clock)
    first.kill("a", "b", "c")
    task = first.mover.begin(first.dead.arn, None, 1)
    first.mover.step(task, 1)
    again = Redrive(tmp_path / "q.db", clock)  # reopened: what was committed, nothing else
    (kept,) = again.mover.tasks.values()
    assert (kept.status, kept.moved, kept.to_move, kept.rate) == (MoveStatus.RUNNING, 1, 3, 1)
    assert len(again.source.messages) == 1 and len(again.dead.messages) == 2
    again.mover.step(kept, 10)
    assert kept.status is MoveStatus.COMPLETED and len(again.source.messages) == 3


def test_fifo_dead_letters_keep_their_group_and_order(tmp_path, clock):
    redrive = Redrive(tmp_path / "q.db", clock, fifo=True)
    for body in ("g-1", "g-2"):
        redrive.send(redrive.source, body, group_id="g", dedup_id="same-" + body)
    redrive.take(redrive.source, 10, visibility=0)
    assert redrive.take(redrive.source, 10) == []
    dead = list(redrive.dead.messages.values())
    # In a FIFO dead-letter queue a message's deduplication id is its own MessageId.
    assert [m.dedup_id for m in dead] == [m.id for m in dead]
    task = redrive.mover.begin(redrive.dead.arn, None, None)
    redrive.mover.step(task, 10)
    received = [r.message for r in redrive.take(redrive.source, 10)]
    assert [(m.body, m.group_id) for m in received] == [("g-1", "g"), ("g-2", "g")]
    assert {m.id for m in received}.isdisjoint(m.id for m in dead)


def test_a_message_whose_queue_is_gone_fails_the_task(tmp_path, clock):
    redrive = Redrive(tmp_path / "q.db", clock)
    redrive.kill("a")
    task = redrive.mover.begin(redrive.dead.arn, None, None)
    redrive.broker.delete_queue(redrive.source)
    redrive.mover.step(task, 10)
    assert (task.status, task.failure) == (
        MoveStatus.FAILED,
        "AWS.SimpleQueueService.NonExistentQueue",
    )
    assert [m.body for m in redrive.dead.messages.values()] == ["a"]
    assert [r.message.body for r in redrive.take(redrive.dead)] == ["a"]  # still there to take
