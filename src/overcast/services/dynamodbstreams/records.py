"""A stream record in its two shapes: as GetRecords answers it (botocore's `Record`) and as
Lambda delivers it in a DynamoDB event (`event["Records"]`, which adds `eventSourceARN` and
writes `userIdentity` with lower-case members, as Lambda's sample events show)."""

from __future__ import annotations

import hashlib
import json

from overcast.services.dynamodbstreams.log import StoredRecord, StreamInfo

EVENT_VERSION = "1.1"
EVENT_SOURCE = "aws:dynamodb"


def event_id(stream_arn: str, seq: int) -> str:
    """32 hex digits, as AWS's eventIDs are; the same for the same record at every read."""
    return hashlib.md5(f"{stream_arn}|{seq}".encode(), usedforsecurity=False).hexdigest()


def api_record(stream: StreamInfo, stored: StoredRecord) -> dict:
    record = _common(stream, stored)
    if stored.user_identity:
        record["userIdentity"] = {
            "PrincipalId": stored.user_identity.get("principalId"),
            "Type": stored.user_identity.get("type"),
        }
    return record


def lambda_record(stream: StreamInfo, stored: StoredRecord) -> dict:
    record = _common(stream, stored)
    if stored.user_identity:
        record["userIdentity"] = dict(stored.user_identity)
    record["dynamodb"] = record.pop("dynamodb")  # after userIdentity, as in Lambda's events
    record["eventSourceARN"] = stream.arn
    return record


def order_key(stored: StoredRecord) -> str:
    """The item's keys: ParallelizationFactor keeps each item's records in order."""
    return json.dumps(stored.dynamodb.get("Keys", {}), sort_keys=True)


def _common(stream: StreamInfo, stored: StoredRecord) -> dict:
    return {
        "eventID": event_id(stream.arn, stored.seq),
        "eventName": stored.event_name,
        "eventVersion": EVENT_VERSION,
        "eventSource": EVENT_SOURCE,
        "awsRegion": stream.region,
        "dynamodb": stored.dynamodb,
    }
