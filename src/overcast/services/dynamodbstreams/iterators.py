"""Shard iterators: where a reader is in a shard, handed out by GetShardIterator and
GetRecords and handed back to GetRecords.

The text has the form DynamoDB's iterators have, `<stream ARN>|1|<opaque>`, the opaque part
being base64 of the shard, the position and when it was issued: an iterator expires 15
minutes after it is issued, as AWS's do ("A shard iterator expires 15 minutes after it is
returned to the requester", GetShardIterator's reference). Nothing in it is secret or
trusted: the stream it names is authorized and looked up again at each GetRecords, so a
forged iterator reads no more than GetShardIterator would have given.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from overcast.services.dynamodbstreams.errors import ValidationException

LIFETIME_MS = 15 * 60 * 1000
VERSION = "1"


@dataclass(frozen=True)
class Position:
    """`after`: read records with greater sequence numbers; `horizon`: read from the oldest
    record kept, whatever was trimmed (TRIM_HORIZON), else reading past trimmed records is
    refused (TrimmedDataAccessException)."""

    stream_arn: str
    shard_id: str
    after: int
    horizon: bool
    issued_ms: int

    def text(self) -> str:
        state = [self.shard_id, self.after, int(self.horizon), self.issued_ms]
        opaque = base64.b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()
        return f"{self.stream_arn}|{VERSION}|{opaque}"


def invalid() -> ValidationException:
    # Overcast's words: AWS's message for a malformed iterator is not published.
    return ValidationException("Invalid ShardIterator: the shard iterator is malformed")


def parse(text: str) -> Position:
    """The position an iterator holds; ValidationException when it is not one of ours."""
    arn, _, rest = text.partition("|")
    version, _, opaque = rest.partition("|")
    if version != VERSION or not arn.startswith("arn:"):
        raise invalid()
    try:
        state = json.loads(base64.b64decode(opaque, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid() from None
    if not (
        isinstance(state, list)
        and len(state) == 4
        and isinstance(state[0], str)
        and all(type(v) is int for v in state[1:])
        and state[1] >= 0
    ):
        raise invalid()
    shard_id, after, horizon, issued = state
    return Position(arn, shard_id, after, bool(horizon), issued)


def stream_arn_of(text: object) -> str | None:
    """The stream an iterator names (for IAM, before the request runs), if it names one."""
    if not isinstance(text, str):
        return None
    arn = text.partition("|")[0]
    return arn if arn.startswith("arn:") else None
