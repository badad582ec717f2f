"""An invocation's request and outcome, as the engine hands them to the API."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class InvokeResult:
    """What a synchronous invoke returns: Lambda's status, payload and headers."""

    request_id: str
    status_code: int
    payload: bytes
    executed_version: str
    function_error: str | None = None  # "Unhandled" when the function failed
    log_result: str | None = None  # base64 of the last 4 KB of the log, for LogType=Tail


def error_payload(error_type: str, message: str) -> bytes:
    """A platform-made error object (timeouts, crashes), shaped like the runtime's own."""
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()
