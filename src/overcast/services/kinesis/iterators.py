"""Shard iterators: opaque to clients, signed here (HMAC-SHA256 with the store's key) so that
a client can neither forge one for another stream nor move its position or its age. An
iterator names the stream (region, name and the id it was created under), the shard, the
position after which reading starts, and when it was handed out: Kinesis refuses one older
than 5 minutes ("A shard iterator expires 5 minutes after it is returned to the requester")."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from overcast.services.kinesis.errors import ExpiredIteratorException, InvalidArgumentException

LIFETIME_MS = 300_000


@dataclass(frozen=True)
class Iterator:
    region: str
    stream: str  # the stream's name
    stream_id: int
    shard: int
    after: int  # read the records past this position
    created_ms: int


class Iterators:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, iterator: Iterator) -> str:
        payload = json.dumps(
            [iterator.region, iterator.stream, iterator.stream_id, iterator.shard,
             iterator.after, iterator.created_ms],
            separators=(",", ":"),
        ).encode()  # fmt: skip
        return _b64(payload) + "." + _b64(self._mac(payload))

    def read(self, token: str, now_ms: int) -> Iterator:
        """The iterator `token` holds; InvalidArgumentException for one not handed out here,
        ExpiredIteratorException past its 5 minutes."""
        iterator = self._verified(token)
        if iterator is None:
            raise InvalidArgumentException("Invalid ShardIterator.")
        if now_ms - iterator.created_ms > LIFETIME_MS:
            raise ExpiredIteratorException(
                f"Iterator expired. The iterator was created at time {_utc(iterator.created_ms)} "
                f"while right now it is {_utc(now_ms)} which is further in the future than the "
                f"tolerated delay of {LIFETIME_MS} milliseconds."
            )
        return iterator

    def _verified(self, token: str) -> Iterator | None:
        payload_text, _, mac_text = token.partition(".")
        try:
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        return Iterator(*json.loads(payload))

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:18]


def named_stream(token: object) -> tuple[str, str] | None:
    """(region, name) of the stream an iterator names, unverified: for IAM's resource only
    (GetRecords verifies the iterator before reading anything)."""
    if not isinstance(token, str):
        return None
    try:
        fields = json.loads(_unb64(token.partition(".")[0]))
    except (binascii.Error, ValueError):
        return None
    ok = isinstance(fields, list) and len(fields) == 6
    if ok and isinstance(fields[0], str) and isinstance(fields[1], str):
        return fields[0], fields[1]
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _utc(ms: int) -> str:
    """Kinesis' rendering of a time in this message: `Thu Jan 22 01:22:02 UTC 2015`."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
