"""Queue attributes as SQS names, checks and defaults them.

A queue keeps the attributes that can be set as SQS's strings (`{"VisibilityTimeout": "30"}`),
checked on the way in; those that describe its state (QueueArn, ApproximateNumberOfMessages...)
are computed when asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws import json_document
from overcast.services.sqs.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValueException,
)

# Settable integer attributes and their ranges.
RANGES = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
CHOICES = {
    "SqsManagedSseEnabled": ("true", "false"),
    "ContentBasedDeduplication": ("true", "false"),
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
FREE_TEXT = ("Policy", "KmsMasterKeyId")
FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
HIGH_THROUGHPUT = ("DeduplicationScope", "FifoThroughputLimit")
COMPUTED = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
)
DEFAULTS = {
    "VisibilityTimeout": "30",
    "DelaySeconds": "0",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "MaximumMessageSize": "1048576",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")
MAX_RECEIVE_COUNT = (1, 1000)
MAX_SOURCE_QUEUES = 10

# A queue ARN -> whether that queue is FIFO, or None when there is no such queue.
QueueKind = Callable[[str], "bool | None"]


@dataclass(frozen=True)
class RedrivePolicy:
    dead_letter_arn: str
    max_receive_count: int


def defaults(fifo: bool) -> dict[str, str]:
    return {**DEFAULTS, **FIFO_DEFAULTS} if fifo else dict(DEFAULTS)


def checked(given: dict[str, str], *, fifo: bool, kind_of: QueueKind) -> dict[str, str]:
    """The settable attributes in `given`, checked and in SQS's normal form. An empty
    RedrivePolicy, RedriveAllowPolicy or Policy stays empty: it removes the setting."""
    out = {}
    for name, value in given.items():
        out[name] = _checked(name, str(value), fifo, kind_of)
    return out


def _checked(name: str, value: str, fifo: bool, kind_of: QueueKind) -> str:
    if name in HIGH_THROUGHPUT and not fifo:
        raise InvalidAttributeName(
            f"You can specify the {name} only when FifoQueue is set to true."
        )
    if name in FIFO_ONLY and not fifo:
        raise InvalidAttributeName(f"Unknown Attribute {name}.")
    if name in RANGES:
        low, high = RANGES[name]
        if not value.strip().lstrip("-").isdigit() or not low <= int(value) <= high:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return str(int(value))
    if name in CHOICES:
        normal = value.lower() if CHOICES[name] == ("true", "false") else value
        if normal not in CHOICES[name]:
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return normal
    if name == "RedrivePolicy":
        return _redrive_policy(value, fifo, kind_of) if value else ""
    if name == "RedriveAllowPolicy":
        return _redrive_allow_policy(value) if value else ""
    if name in FREE_TEXT:
        return value
    raise InvalidAttributeName(f"Unknown Attribute {name}.")


def _redrive_policy(text: str, fifo: bool, kind_of: QueueKind) -> str:
    def invalid(reason: str) -> InvalidParameterValueException:
        return InvalidParameterValueException(
            f"Value {text} for parameter RedrivePolicy is invalid. Reason: {reason}"
        )

    document = _json_object(text, invalid("Redrive policy is not a valid JSON map."))
    arn, count = document.get("deadLetterTargetArn"), document.get("maxReceiveCount")
    if not isinstance(arn, str) or count is None:
        raise invalid("Redrive policy must contain deadLetterTargetArn and maxReceiveCount.")
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    low, high = MAX_RECEIVE_COUNT
    if not low <= count <= high:
        raise invalid(f"Invalid value for maxReceiveCount: {document.get('maxReceiveCount')}, ")
    target_fifo = kind_of(arn)
    if target_fifo is None:
        raise invalid("Dead letter target does not exist.")
    if target_fifo != fifo:
        kind = "FIFO" if fifo else "standard"
        raise invalid(f"Dead-letter queue of a {kind} queue must also be a {kind} queue.")
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count}, separators=(",", ":"))


def _redrive_allow_policy(text: str) -> str:
    def invalid(reason: str) -> InvalidParameterValueException:
        return InvalidParameterValueException(
            f"Value {text} for parameter RedriveAllowPolicy is invalid. Reason: {reason}"
        )

    document = _json_object(text, invalid("Amazon SQS can't parse the redrive allow policy."))
    permission = document.get("redrivePermission")
    if permission not in REDRIVE_PERMISSIONS:
        raise invalid("redrivePermission must be one of allowAll, denyAll or byQueue.")
    sources = document.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= MAX_SOURCE_QUEUES:
            raise invalid("byQueue needs between 1 and 10 sourceQueueArns.")
    elif sources is not None:
        raise invalid("sourceQueueArns is allowed only when redrivePermission is byQueue.")
    return json.dumps(document, separators=(",", ":"))


def _json_object(text: str, error: InvalidParameterValueException) -> dict:
    try:
        document = json_document.loads(text)
    except ValueError:
        raise error from None
    if not isinstance(document, dict):
        raise error
    return document


def check_throughput(attributes: dict[str, str]) -> None:
    """A queue's attributes as they will be: SQS allows FifoThroughputLimit=perMessageGroupId
    only with DeduplicationScope=messageGroup."""
    if (
        attributes.get("FifoThroughputLimit") == "perMessageGroupId"
        and attributes.get("DeduplicationScope") != "messageGroup"
    ):
        raise InvalidAttributeValue(
            "Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is "
            "allowed only when DeduplicationScope is messageGroup."
        )


def redrive_policy(attributes: dict[str, str]) -> RedrivePolicy | None:
    text = attributes.get("RedrivePolicy")
    if not text:
        return None
    document = json.loads(text)
    return RedrivePolicy(document["deadLetterTargetArn"], int(document["maxReceiveCount"]))


def allows_source(attributes: dict[str, str], source_arn: str) -> bool:
    """Whether a dead-letter queue's RedriveAllowPolicy lets `source_arn` use it."""
    text = attributes.get("RedriveAllowPolicy")
    if not text:
        return True
    document = json.loads(text)
    permission = document.get("redrivePermission")
    if permission == "denyAll":
        return False
    return permission != "byQueue" or source_arn in document.get("sourceQueueArns", [])


def known_name(name: str, fifo: bool) -> bool:
    """Whether GetQueueAttributes knows the name (for this kind of queue)."""
    if name == "All" or name in COMPUTED or name in RANGES or name in CHOICES:
        return fifo or name not in FIFO_ONLY
    if name == "FifoQueue":
        return fifo
    return name in FREE_TEXT or name in ("RedrivePolicy", "RedriveAllowPolicy")
