"""SQS's message operations at the API edge: Send/SendMessageBatch, ReceiveMessage,
Delete/DeleteMessageBatch, ChangeMessageVisibility(Batch)."""

from __future__ import annotations

import re

from overcast.aws.operations import Call
from overcast.services.sqs.api.call import OPERATIONS, queue_of, sender_id
from overcast.services.sqs.broker import Outgoing, Received
from overcast.services.sqs.errors import (
    BatchRequestError,
    InvalidParameterValueException,
    QueueError,
)
from overcast.services.sqs.message import (
    attributes_md5,
    attributes_size,
    selected_attributes,
)
from overcast.services.sqs.service import QueueService

MAX_BATCH = 10
BATCH_BYTES = 1_048_576  # all of a SendMessageBatch's messages together
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
# ReceiveMessage's range errors, as SQS words them (MaxNumberOfMessages: the default).
_REASONS = {"WaitTimeSeconds": "Must be >= {low} and <= {high}, if provided."}


def _outgoing(sqs: QueueService, call: Call, entry: dict) -> Outgoing:
    system = entry.get("MessageSystemAttributes") or {}
    trace = (system.get("AWSTraceHeader") or {}).get("StringValue") or call.context.trace_header
    return Outgoing(
        body=entry["MessageBody"],
        attributes=entry.get("MessageAttributes") or {},
        sender_id=sender_id(sqs, call),
        delay_s=entry.get("DelaySeconds"),
        group_id=entry.get("MessageGroupId"),
        dedup_id=entry.get("MessageDeduplicationId"),
        trace_header=trace,
        hops=call.hops,
    )


def _sent(message, entry: dict) -> dict:
    system = entry.get("MessageSystemAttributes")
    return {
        "MessageId": message.id,
        "MD5OfMessageBody": message.md5_body,
        "MD5OfMessageAttributes": message.md5_attributes,
        "MD5OfMessageSystemAttributes": attributes_md5(system) if system else None,
        "SequenceNumber": message.sequence_number if message.group_id is not None else None,
    }


def _failed(entry_id: str, error: QueueError) -> dict:
    return {"Id": entry_id, "SenderFault": True, "Code": error.code, "Message": error.message}


def _check_batch(entries: list[dict], entry_name: str) -> None:
    """SQS's checks of a batch as a whole."""
    if not entries:
        raise BatchRequestError(
            "EmptyBatchRequest", f"There should be at least one {entry_name} in the request."
        )
    if len(entries) > MAX_BATCH:
        raise BatchRequestError(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}.",
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry["Id"]
        if not _BATCH_ID.fullmatch(entry_id):
            raise BatchRequestError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
            )
        if entry_id in seen:
            raise BatchRequestError("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)


@OPERATIONS("SendMessage")
async def send_message(sqs: QueueService, call: Call) -> dict:
    queue = queue_of(sqs, call)
    message = sqs.broker.send(queue, _outgoing(sqs, call, call.params))
    return _sent(message, call.params)


@OPERATIONS("SendMessageBatch")
async def send_message_batch(sqs: QueueService, call: Call) -> dict:
    queue = queue_of(sqs, call)
    entries = call.params["Entries"]
    _check_batch(entries, "SendMessageBatchRequestEntry")
    total = sum(
        len(e["MessageBody"].encode()) + attributes_size(e.get("MessageAttributes") or {})
        for e in entries
    )
    if total > BATCH_BYTES:
        raise BatchRequestError(
            "BatchRequestTooLong",
            f"Batch requests cannot be longer than {BATCH_BYTES} bytes. You have sent {total} "
            "bytes.",
        )
    results = sqs.broker.send_many(queue, [_outgoing(sqs, call, e) for e in entries])
    successful, failed = [], []
    for entry, result in zip(entries, results, strict=True):
        if isinstance(result, QueueError):
            failed.append(_failed(entry["Id"], result))
        else:
            successful.append({"Id": entry["Id"], **_sent(result, entry)})
    return {"Successful": successful, "Failed": failed}


@OPERATIONS("ReceiveMessage")
async def receive_message(sqs: QueueService, call: Call) -> dict:
    p = call.params
    queue = queue_of(sqs, call)
    limit = _bounded(p, "MaxNumberOfMessages", 1, MAX_BATCH, 1)
    wait_s = _bounded(p, "WaitTimeSeconds", 0, 20, queue.wait_s)
    visibility = _bounded(p, "VisibilityTimeout", 0, 43_200, None)
    received = await sqs.broker.receive(queue, limit, wait_s=wait_s, visibility_s=visibility)
    system_names = set(p.get("AttributeNames") or []) | set(
        p.get("MessageSystemAttributeNames") or []
    )
    wanted = p.get("MessageAttributeNames")
    messages = [_received(r, system_names, wanted) for r in received]
    return {"Messages": messages or None}


def _bounded(p: dict, name: str, low: int, high: int, default: int | None) -> int | None:
    value = p.get(name)
    if value is None:
        return default
    if not low <= value <= high:
        reason = _REASONS.get(name, "Must be between {low} and {high}, if provided.")
        raise InvalidParameterValueException(
            f"Value {value} for parameter {name} is invalid. Reason: "
            + reason.format(low=low, high=high)
        )
    return value


def _received(received: Received, system_names: set[str], wanted: list[str] | None) -> dict:
    message = received.message
    system = message.system_attributes()
    if "All" not in system_names:
        system = {k: v for k, v in system.items() if k in system_names}
    attributes = selected_attributes(message.attributes, wanted)
    return {
        "MessageId": message.id,
        "ReceiptHandle": received.handle,
        "MD5OfBody": message.md5_body,
        "Body": message.body,
        "Attributes": system or None,
        "MD5OfMessageAttributes": attributes_md5(attributes),
        "MessageAttributes": attributes or None,
    }


@OPERATIONS("DeleteMessage")
async def delete_message(sqs: QueueService, call: Call) -> None:
    queue = queue_of(sqs, call)
    (error,) = sqs.broker.delete(queue, [call.params["ReceiptHandle"]])
    if error is not None:
        raise error


@OPERATIONS("DeleteMessageBatch")
async def delete_message_batch(sqs: QueueService, call: Call) -> dict:
    queue = queue_of(sqs, call)
    entries = call.params["Entries"]
    _check_batch(entries, "DeleteMessageBatchRequestEntry")
    results = sqs.broker.delete(queue, [e["ReceiptHandle"] for e in entries])
    return _batch_outcome(entries, results)


@OPERATIONS("ChangeMessageVisibility")
async def change_message_visibility(sqs: QueueService, call: Call) -> None:
    p = call.params
    queue = queue_of(sqs, call)
    (error,) = sqs.broker.change_visibility(queue, [(p["ReceiptHandle"], p["VisibilityTimeout"])])
    if error is not None:
        raise error


@OPERATIONS("ChangeMessageVisibilityBatch")
async def change_message_visibility_batch(sqs: QueueService, call: Call) -> dict:
    queue = queue_of(sqs, call)
    entries = call.params["Entries"]
    _check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry")
    changes = [(e["ReceiptHandle"], e.get("VisibilityTimeout", 0)) for e in entries]
    return _batch_outcome(entries, sqs.broker.change_visibility(queue, changes))


def _batch_outcome(entries: list[dict], results: list[QueueError | None]) -> dict:
    successful, failed = [], []
    for entry, error in zip(entries, results, strict=True):
        if error is None:
            successful.append({"Id": entry["Id"]})
        else:
            failed.append(_failed(entry["Id"], error))
    return {"Successful": successful, "Failed": failed}
