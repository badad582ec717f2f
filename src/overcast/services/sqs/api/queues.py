"""SQS's queue operations at the API edge: CreateQueue, DeleteQueue, ListQueues, GetQueueUrl,
Get/SetQueueAttributes, Tag/Untag/ListQueueTags, PurgeQueue, ListDeadLetterSourceQueues."""

from __future__ import annotations

from overcast.aws.operations import Call
from overcast.services.sqs.api.call import OPERATIONS, queue_of, queue_url
from overcast.services.sqs.errors import (
    InvalidParameterValueException,
    QueueDoesNotExist,
    UnsupportedOperation,
)
from overcast.services.sqs.registry import NO_QUEUE
from overcast.services.sqs.service import QueueService

MAX_RESULTS = (1, 1000)


@OPERATIONS("CreateQueue")
async def create_queue(sqs: QueueService, call: Call) -> dict:
    p = call.params
    queue, _ = sqs.registry.create(
        call.region, p["QueueName"], p.get("Attributes") or {}, p.get("tags") or {}
    )
    return {"QueueUrl": queue_url(call, queue)}


@OPERATIONS("GetQueueUrl")
async def get_queue_url(sqs: QueueService, call: Call) -> dict:
    p = call.params
    owner = p.get("QueueOwnerAWSAccountId")
    if owner is not None and owner != sqs.registry.account_id:
        raise QueueDoesNotExist(NO_QUEUE)
    return {"QueueUrl": queue_url(call, sqs.registry.get(call.region, p["QueueName"]))}


@OPERATIONS("DeleteQueue")
async def delete_queue(sqs: QueueService, call: Call) -> None:
    sqs.broker.delete_queue(queue_of(sqs, call))


@OPERATIONS("ListQueues")
async def list_queues(sqs: QueueService, call: Call) -> dict:
    p = call.params
    max_results = p.get("MaxResults")
    low, high = MAX_RESULTS
    if max_results is not None and not low <= max_results <= high:
        raise InvalidParameterValueException(
            f"Value {max_results} for parameter MaxResults is invalid. Reason: MaxResults must "
            f"be an integer between {low} and {high}."
        )
    queues, token = sqs.registry.list(
        call.region, p.get("QueueNamePrefix", ""), max_results, p.get("NextToken", "")
    )
    return {"QueueUrls": [queue_url(call, q) for q in queues] or None, "NextToken": token}


@OPERATIONS("GetQueueAttributes")
async def get_queue_attributes(sqs: QueueService, call: Call) -> dict:
    queue = queue_of(sqs, call)
    found = sqs.registry.attributes(queue, call.params.get("AttributeNames") or [])
    return {"Attributes": found or None}


@OPERATIONS("SetQueueAttributes")
async def set_queue_attributes(sqs: QueueService, call: Call) -> None:
    queue = queue_of(sqs, call)
    sqs.registry.set_attributes(queue, call.params["Attributes"])
    if queue.waiters:
        sqs.broker.wake(queue)  # a shorter delay or wait may apply to waiting receives


@OPERATIONS("TagQueue")
async def tag_queue(sqs: QueueService, call: Call) -> None:
    sqs.registry.tag(queue_of(sqs, call), call.params["Tags"])


@OPERATIONS("UntagQueue")
async def untag_queue(sqs: QueueService, call: Call) -> None:
    sqs.registry.untag(queue_of(sqs, call), call.params["TagKeys"])


@OPERATIONS("ListQueueTags")
async def list_queue_tags(sqs: QueueService, call: Call) -> dict:
    return {"Tags": dict(queue_of(sqs, call).record.tags) or None}


@OPERATIONS("PurgeQueue")
async def purge_queue(sqs: QueueService, call: Call) -> None:
    sqs.broker.purge(queue_of(sqs, call))


@OPERATIONS("ListDeadLetterSourceQueues")
async def list_dead_letter_source_queues(sqs: QueueService, call: Call) -> dict:
    sources = sqs.registry.dead_letter_sources(queue_of(sqs, call))
    return {"queueUrls": [queue_url(call, q) for q in sources]}


def _unsupported(name: str):
    async def refuse(sqs: QueueService, call: Call) -> None:
        raise UnsupportedOperation(f"Overcast does not support {name} yet.")

    return refuse


for _name in ("AddPermission", "RemovePermission"):
    OPERATIONS(_name)(_unsupported(_name))
