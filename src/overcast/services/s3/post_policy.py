"""A browser POST upload's policy: the base64 JSON document a form carries in its `policy`
field, read and enforced as S3 does.

    {"expiration": "2030-01-01T00:00:00Z",
     "conditions": [{"bucket": "b"}, ["starts-with", "$key", "user/"],
                    ["content-length-range", 0, 1048576], ["eq", "$acl", "private"]]}

A condition is an object of one field (exact match), `["eq", "$field", value]`,
`["starts-with", "$field", prefix]` (a Content-Type that lists several types must have
each start so) or `["content-length-range", min, max]` (the file's size). Field names and
operations are case-insensitive. Every form field must be named by a condition, except the
signature and policy fields, `file`, `x-ignore-*` fields and the flexible checksums; the
bucket must be.
A document that cannot be read is InvalidPolicyDocument (400); a form that breaks it, or a
policy past its expiration, is AccessDenied (403) "Invalid according to Policy: ...".

The policy's signature is not verified here: Overcast checks no request's signature yet.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.services.s3.body_errors import EntityTooLarge, EntityTooSmall
from overcast.services.s3.errors import AccessDenied, InvalidPolicyDocument

EXPIRATION = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
# Fields no condition needs to name (S3's list, with SigV2's own and the checksums).
UNCOVERED = frozenset({"file", "policy", "x-amz-signature", "signature", "awsaccesskeyid"})
UNCOVERED_PREFIXES = ("x-ignore-", "x-amz-checksum-")


@dataclass(frozen=True)
class Condition:
    """One condition: `operation` is "eq", "starts-with" or "content-length-range"; `text`
    is the condition as the policy wrote it, for S3's error message."""

    operation: str
    field: str
    value: str = ""
    low: int = 0
    high: int = 0
    text: str = ""


@dataclass(frozen=True)
class Policy:
    expiration: datetime
    conditions: tuple[Condition, ...]

    def check(self, fields: Mapping[str, str], now: datetime) -> None:
        """The form's fields (lower-case names; `bucket` and `key` as the upload resolved
        them) against the policy, all but the file's size (AccessDenied)."""
        if now >= self.expiration:
            raise _denied("Policy expired.")
        covered = {c.field for c in self.conditions}
        for name in fields:
            if name not in covered and not _uncovered(name):
                raise _denied(f"Extra input fields: {name}")
        if "bucket" not in covered:
            raise _denied("Extra input fields: bucket")
        for condition in self.conditions:
            if condition.operation != "content-length-range" and not _holds(condition, fields):
                raise _denied(f"Policy Condition failed: {condition.text}")

    def check_size(self, size: int) -> None:
        """The file's size against the policy's content-length-range conditions."""
        for condition in self.conditions:
            if condition.operation != "content-length-range":
                continue
            if size > condition.high:
                raise EntityTooLarge(
                    "Your proposed upload exceeds the maximum allowed size",
                    ProposedSize=size,
                    MaxSizeAllowed=condition.high,
                )
            if size < condition.low:
                raise EntityTooSmall(
                    "Your proposed upload is smaller than the minimum allowed size",
                    ProposedSize=size,
                    MinSizeAllowed=condition.low,
                )


def _denied(reason: str) -> AccessDenied:
    return AccessDenied(f"Invalid according to Policy: {reason}")


def _invalid(reason: str) -> InvalidPolicyDocument:
    return InvalidPolicyDocument(f"Invalid Policy: {reason}")


def _uncovered(name: str) -> bool:
    return name in UNCOVERED or name.startswith(UNCOVERED_PREFIXES)


def _holds(condition: Condition, fields: Mapping[str, str]) -> bool:
    value = fields.get(condition.field)
    if value is None:
        return False
    if condition.operation == "eq":
        return value == condition.value
    if condition.field == "content-type" and "," in value:
        return all(part.strip().startswith(condition.value) for part in value.split(","))
    return value.startswith(condition.value)


def parse_policy(encoded: str) -> Policy:
    """The policy a form's `policy` field carries (InvalidPolicyDocument if unreadable)."""
    if not encoded.strip():
        raise _invalid("Expecting '{' but found End-of-Input")
    try:
        document = json.loads(base64.b64decode(encoded.strip(), validate=True))
    except (binascii.Error, ValueError):
        raise _invalid("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise _invalid("Invalid JSON.")
    if "expiration" not in document:
        raise _invalid("Policy missing expiration.")
    if "conditions" not in document:
        raise _invalid("Policy missing conditions.")
    for name in document:
        if name not in ("expiration", "conditions"):
            raise _invalid(f'Unexpected: "{name}"')
    conditions = document["conditions"]
    if not isinstance(conditions, list):
        raise _invalid("Invalid 'conditions' value: must be a List.")
    return Policy(_expiration(document["expiration"]), tuple(_condition(c) for c in conditions))


def _expiration(value: object) -> datetime:
    if not isinstance(value, str) or EXPIRATION.fullmatch(value) is None:
        raise _invalid(f"Invalid 'expiration' value: '{value}'")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC)


def _condition(raw: object) -> Condition:
    text = json.dumps(raw)
    if isinstance(raw, dict):
        if len(raw) != 1:
            raise _invalid(
                "Invalid Simple-Condition: Simple-Conditions must have exactly one property "
                "specified."
            )
        ((name, value),) = raw.items()
        if not isinstance(value, str):
            raise _invalid("Invalid Simple-Condition: value must be a string.")
        return Condition("eq", name.lower(), value, text=f'["eq", "${name}", "{value}"]')
    if not isinstance(raw, list):
        raise _invalid("Invalid condition test: must be a List or Object.")
    if not raw:
        raise _invalid("Invalid Condition: missing operation identifier.")
    operation = raw[0].lower() if isinstance(raw[0], str) else raw[0]  # any case, as S3
    if operation not in ("eq", "starts-with", "content-length-range"):
        raise _invalid(f"Invalid Condition: unknown operation '{operation}'.")
    if len(raw) != 3:
        raise _invalid(f"Invalid {operation}: wrong number of arguments.")
    if operation == "content-length-range":
        return Condition(operation, "", low=_integer(raw[1]), high=_integer(raw[2]), text=text)
    field, value = raw[1], raw[2]
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(field, str) or not isinstance(value, str):
        raise _invalid("Invalid JSON.")
    if not field.startswith("$") or len(field) == 1:
        raise _denied(f"Policy Condition failed: {text}")
    return Condition(operation, field[1:].lower(), value, text=text)


def _integer(value: object) -> int:
    """A content-length-range bound: a JSON integer, or one in a string (as S3 takes it)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise _invalid("Invalid JSON.")
