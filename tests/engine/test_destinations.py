"""What Lambda's async queue delivers when an event is done: a dead letter's attributes."""

from __future__ import annotations

from overcast.engine.destinations import dead_letter_attributes
from overcast.types import InvokeResult


def test_dead_letter_attributes_are_strings() -> None:
    result = InvokeResult("req-1", 200, b'{"errorMessage": "boom"}', "1", "Unhandled")
    assert dead_letter_attributes("req-1", result, "RetriesExhausted") == {
        "RequestID": {"DataType": "String", "StringValue": "req-1"},
        "ErrorCode": {"DataType": "String", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "boom"},
    }
