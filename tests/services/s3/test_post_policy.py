"""The browser POST policy document, read and checked in-process."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from overcast.services.s3.body_errors import EntityTooSmall
from overcast.services.s3.errors import AccessDenied, InvalidPolicyDocument
from overcast.services.s3.post_policy import parse_policy

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def encoded(conditions: list, expiration: str = "2026-06-01T00:00:00.000Z") -> str:
    document = {"expiration": expiration, "conditions": conditions}
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_conditions_hold_and_fail() -> None:
    policy = parse_policy(
        encoded(
            [
                {"Bucket": "b"},
                ["StArTs-WiTh", "$Content-Type", "image/"],  # any case, as S3 takes it
                ["content-length-range", "10", 20],
            ]
        )
    )
    fields = {"bucket": "b", "content-type": "image/png, image/jpeg"}
    policy.check(fields, NOW)  # each listed type starts with the prefix, as S3 requires
    with pytest.raises(AccessDenied, match="Policy Condition failed"):
        policy.check({**fields, "content-type": "image/png, text/plain"}, NOW)
    policy.check_size(15)
    with pytest.raises(EntityTooSmall):
        policy.check_size(5)
    with pytest.raises(AccessDenied, match="Policy expired"):
        policy.check(fields, datetime(2027, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Expecting '{' but found End-of-Input"),
        ("not base64!", "Invalid JSON."),
        (encoded([["in", "$key", "a"]]), "Invalid Condition: unknown operation 'in'."),
        (encoded([["eq", "$key"]]), "Invalid eq: wrong number of arguments."),
        (encoded([{"a": "1", "b": "2"}]), "Simple-Conditions must have exactly one property"),
        (encoded({"bucket": "b"}), "Invalid 'conditions' value: must be a List."),
    ],
)
def test_unreadable_documents(text: str, message: str) -> None:
    with pytest.raises(InvalidPolicyDocument, match=message.replace("(", r"\(")):
        parse_policy(text)
