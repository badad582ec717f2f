"""SQS's dead-letter redrive at the API edge: StartMessageMoveTask, ListMessageMoveTasks,
CancelMessageMoveTask (the rules are message_mover.py's)."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.sqs.api.call import OPERATIONS
from overcast.services.sqs.errors import InvalidParameterValueException
from overcast.services.sqs.service import QueueService

LIST_RESULTS = (1, 10)  # ListMessageMoveTasks' MaxResults: 1 by default, 10 at most


@OPERATIONS("StartMessageMoveTask")
async def start_message_move_task(sqs: QueueService, call: Call) -> dict:
    p = call.params
    task = sqs.mover.begin(
        p["SourceArn"], p.get("DestinationArn"), p.get("MaxNumberOfMessagesPerSecond")
    )
    return {"TaskHandle": task.handle}


@OPERATIONS("ListMessageMoveTasks")
async def list_message_move_tasks(sqs: QueueService, call: Call) -> dict:
    p = call.params
    max_results = p.get("MaxResults")
    low, high = LIST_RESULTS
    if max_results is not None and not low <= max_results <= high:
        raise InvalidParameterValueException(  # SQS's wording unknown
            f"Value {max_results} for parameter MaxResults is invalid. Reason: Must be between "
            f"{low} and {high}, if provided."
        )
    tasks = sqs.mover.list(p["SourceArn"], max_results or low)
    return {"Results": [task.entry() for task in tasks]}


@OPERATIONS("CancelMessageMoveTask")
async def cancel_message_move_task(sqs: QueueService, call: Call) -> dict:
    task = sqs.mover.cancel(call.params["TaskHandle"])
    return {"ApproximateNumberOfMessagesMoved": task.moved}
