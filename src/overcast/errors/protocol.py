"""Errors of AWS's JSON protocol itself, answered alike by every JSON 1.0/1.1 service."""

from __future__ import annotations

from overcast.errors.base import UserError


class SerializationException(UserError):
    """Raised when a JSON-protocol request body (X-Amz-Target services: CloudWatch Logs,
    EventBridge) is not a JSON object: AWS's JSON front end answers 400
    `SerializationException` before any operation sees the request."""

    code = "SerializationException"
