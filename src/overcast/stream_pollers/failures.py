"""The record Lambda sends to a stream mapping's OnFailure destination when it discards a
batch (Lambda Developer Guide, "Retaining discarded records from a DynamoDB event source":
its example invocation record): what was invoked and how it answered, and which records
were discarded (their shard and sequence range, the batch's arrival times and size); an S3
destination gets the records too, as `payload`, in an object of Lambda's naming."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from overcast.shards import ShardRecord

RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
AGE_EXCEEDED = "RecordAgeExceeded"


def _iso(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def failure_record(
    *,
    batch_info: str,
    stream_arn: str,
    shard_id: str,
    records: list[ShardRecord],
    condition: str,
    request_id: str,
    function_arn: str,
    invocations: int,
    response: dict | None,
    now_ms: float,
    payload: dict | None = None,
) -> bytes:
    """`response`: the last invocation's {statusCode, executedVersion, functionError}, or
    None when the batch was discarded before any invocation (its records too old).
    `payload`: the invocation's event, for an S3 destination ("the payload field contains
    the original invocation record as an escaped JSON string")."""
    record: dict = {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invocations,
        },
        "responseContext": response or {},
        "version": "1.0",
        "timestamp": _iso(now_ms),
        batch_info: {
            "shardId": shard_id,
            "startSequenceNumber": records[0].sequence,
            "endSequenceNumber": records[-1].sequence,
            "approximateArrivalOfFirstRecord": _iso(records[0].arrival_ms),
            "approximateArrivalOfLastRecord": _iso(records[-1].arrival_ms),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }
    if payload is not None:
        record["payload"] = json.dumps(payload)
    return json.dumps(record).encode()


def object_key(mapping_uuid: str, shard_id: str, now_ms: float) -> str:
    """Where an S3 destination keeps a failure record: "aws/lambda/<ESM-UUID>/<shardID>/
    YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>" (Lambda Developer Guide)."""
    moment = datetime.fromtimestamp(now_ms / 1000, UTC)
    day, stamp = moment.strftime("%Y/%m/%d"), moment.strftime("%Y-%m-%dT%H.%M.%S")
    return f"aws/lambda/{mapping_uuid}/{shard_id}/{day}/{stamp}-{uuid.uuid4()}"
