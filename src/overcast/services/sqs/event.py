"""The SQS event Lambda hands a function: `{"Records": [...]}`, one record per message, field
for field as Lambda writes them (tests/events/sqs-event.json)."""

from __future__ import annotations

import base64
import json

from overcast.aws import json_document
from overcast.services.sqs.broker import Received
from overcast.services.sqs.queue import Queue

# The order Lambda lists a record's attributes in.
ATTRIBUTE_ORDER = (
    "ApproximateReceiveCount",
    "AWSTraceHeader",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
    "DeadLetterQueueSourceArn",
)


def record(received: Received, queue: Queue) -> dict:
    message = received.message
    system = message.system_attributes()
    return {
        "messageId": message.id,
        "receiptHandle": received.handle,
        "body": message.body,
        "attributes": {name: system[name] for name in ATTRIBUTE_ORDER if name in system},
        "messageAttributes": {
            name: message_attribute(value) for name, value in message.attributes.items()
        },
        "md5OfMessageAttributes": message.md5_attributes,
        "md5OfBody": message.md5_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": queue.region,
    }


def message_attribute(value: dict) -> dict:
    """A message attribute in the record's lowerCamelCase, binary values in base64."""
    out: dict = {}
    if value.get("StringValue") is not None:
        out["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    out["stringListValues"] = list(value.get("StringListValues") or [])
    out["binaryListValues"] = [
        base64.b64encode(v).decode() for v in value.get("BinaryListValues") or []
    ]
    out["dataType"] = value.get("DataType", "String")
    return out


def filter_view(event_record: dict) -> dict:
    """What a filter pattern is matched against: the record, with a body that is a JSON
    object read as one (so `{"body": {"field": [...]}}` works), else the plain text."""
    body = event_record["body"]
    try:
        parsed = json_document.loads(body, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        return event_record
    if not isinstance(parsed, dict):
        return event_record
    return {**event_record, "body": parsed}


def batch(records: list[dict]) -> bytes:
    return json.dumps({"Records": records}).encode()
