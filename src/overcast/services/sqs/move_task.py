"""A message movement task (StartMessageMoveTask): messages redriven from a dead-letter queue
back to the queues they came from, or to one destination queue; its status and progress as
ListMessageMoveTasks shows them, and the handle CancelMessageMoveTask takes.

A task handle is SQS's: base64 of `{"taskId": ..., "sourceArn": ...}`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from enum import StrEnum


class MoveStatus(StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    CANCELLING = "CANCELLING"  # never lasts here: a task moves nothing between two steps
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


@dataclass
class MoveTask:
    """One task. `to_move` is the number of visible messages of the source queue when the task
    started: it moves at most that many, so messages that come back to the dead-letter queue
    meanwhile (a poison message redriven to its queue fails again) are not moved round and
    round."""

    id: str
    source_arn: str
    destination_arn: str | None  # None: each message back to the queue it came from
    rate: int | None  # MaxNumberOfMessagesPerSecond; None: as fast as the server goes
    started_ms: int
    to_move: int
    moved: int = 0
    status: MoveStatus = MoveStatus.RUNNING
    failure: str | None = None  # FailureReason: the code of the error that ended it

    @property
    def active(self) -> bool:
        return self.status in (MoveStatus.RUNNING, MoveStatus.CANCELLING)

    @property
    def handle(self) -> str:
        document = json.dumps(
            {"taskId": self.id, "sourceArn": self.source_arn}, separators=(",", ":")
        )
        return base64.b64encode(document.encode()).decode()

    def entry(self) -> dict:
        """The task as ListMessageMoveTasks shows it: its handle only while it runs, the
        destination and the rate only where the request gave them."""
        return {
            "TaskHandle": self.handle if self.status is MoveStatus.RUNNING else None,
            "Status": self.status.value,
            "SourceArn": self.source_arn,
            "DestinationArn": self.destination_arn,
            "MaxNumberOfMessagesPerSecond": self.rate,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "FailureReason": self.failure if self.status is MoveStatus.FAILED else None,
            "StartedTimestamp": self.started_ms,
        }


def parse_handle(handle: str) -> tuple[str, str] | None:
    """The task id and source queue ARN a handle names, or None when it is no task handle."""
    try:
        document = json.loads(base64.b64decode(handle.encode(), validate=True))
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    task_id, source_arn = document.get("taskId"), document.get("sourceArn")
    if not isinstance(task_id, str) or not isinstance(source_arn, str):
        return None
    return task_id, source_arn
