"""What Lambda's async queue delivers when an event is done: its destination record and
its dead letter's attributes, in Lambda's shapes. How they reach their target (by ARN, through
the senders other services register) is overcast/delivery.py's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from overcast.aws import json_document
from overcast.delivery import Attributes, string_attributes
from overcast.types import InvokeResult

DEAD_LETTER_MESSAGE_LIMIT = 1024  # ErrorMessage attribute: the first 1 KB of the error


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    request_payload: bytes,
    result: InvokeResult | None,
) -> bytes:
    """Lambda's destination record. `function_arn` is qualified with the version run (or
    invoked). Without a result (the event expired before any run) there is no response part."""
    record: dict = {
        "version": "1.0",
        "timestamp": _timestamp(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if result is not None:
        context = {"statusCode": result.status_code, "executedVersion": result.executed_version}
        if result.function_error:
            context["functionError"] = result.function_error
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(result.payload)
    return json.dumps(record).encode()


def dead_letter_attributes(request_id: str, result: InvokeResult | None, reason: str) -> Attributes:
    """The message attributes Lambda puts on a dead letter (the body is the original event),
    all of them Strings."""
    message = reason
    if result is not None and result.payload:
        try:
            error = json_document.loads(result.payload, json_document.PAYLOAD_MAX_DEPTH)
            message = error.get("errorMessage") or reason
        except (ValueError, AttributeError):
            message = result.payload.decode("utf-8", "replace")
    status = result.status_code if result is not None else 200
    return string_attributes(
        {
            "RequestID": request_id,
            "ErrorCode": str(status),
            "ErrorMessage": message[:DEAD_LETTER_MESSAGE_LIMIT],
        }
    )


def _json_or_text(payload: bytes) -> object:
    try:
        return json_document.loads(payload, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError:
        return payload.decode("utf-8", "replace")


def _timestamp() -> str:
    """`2019-11-14T18:16:05.568Z`, as in Lambda's records."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
