"""A queued message, the checks SQS makes on what is sent, its MD5 digests and receipt handles.

Message attributes keep the API's shape (`{"DataType": "String", "StringValue": "v"}`, binary
values as bytes); they are validated as SQS validates them and digested as SQS digests them
(the MD5 botocore-based SDKs and Lambda's event records carry).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from overcast.services.sqs.errors import (
    InvalidMessageContents,
    InvalidParameterValueException,
    MissingRequiredParameterException,
)

MAX_ATTRIBUTES = 10
MAX_NAME_LENGTH = 256
# What XML 1.0 allows; SQS refuses a body (or string attribute) with anything else.
ALLOWED_CHARACTERS = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
_NOT_ALLOWED = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_TYPE = re.compile(r"(String|Number|Binary)(\.[^\s]+)?")
_TRANSPORT = {"String": 1, "Number": 1, "Binary": 2}  # the digest's type byte
LIST_VALUES = ("StringListValues", "BinaryListValues")


@dataclass(slots=True)
class Message:
    """One message of a queue. `visible_ms` is when it is (or becomes) visible; `receipt`
    names its latest receive (None before the first), so a stale receipt handle is told apart."""

    seq: int  # order of arrival, across the server (the store's row id)
    id: str  # MessageId
    body: str
    attributes: dict  # message attributes, the API's shape
    sent_ms: int
    sender_id: str
    hops: int = 0  # invocations before this message in its chain (loop detection)
    group_id: str | None = None  # FIFO
    dedup_id: str | None = None  # FIFO
    trace_header: str | None = None  # the AWSTraceHeader system attribute
    dead_letter_source: str | None = None  # the queue it was moved from, for a dead letter
    receive_count: int = 0
    first_receive_ms: int | None = None
    visible_ms: int = 0
    receipt: str | None = None
    md5_body: str = ""
    md5_attributes: str | None = None
    ticket: int = 0  # its queue's order of becoming visible (not kept: set again at load)

    def __post_init__(self) -> None:
        if not self.md5_body:
            self.md5_body = hashlib.md5(self.body.encode()).hexdigest()
        if self.md5_attributes is None and self.attributes:
            self.md5_attributes = attributes_md5(self.attributes)

    @property
    def sequence_number(self) -> str:
        """A FIFO message's SequenceNumber: grows with every message sent."""
        return f"{self.seq:020d}"

    @property
    def size(self) -> int:
        return len(self.body.encode()) + attributes_size(self.attributes)

    def system_attributes(self) -> dict[str, str]:
        """The message's system attributes by name, as ReceiveMessage and Lambda name them."""
        out = {
            "SenderId": self.sender_id,
            "ApproximateFirstReceiveTimestamp": str(self.first_receive_ms or self.sent_ms),
            "ApproximateReceiveCount": str(self.receive_count),
            "SentTimestamp": str(self.sent_ms),
        }
        if self.group_id is not None:
            out["SequenceNumber"] = self.sequence_number
            out["MessageGroupId"] = self.group_id
            if self.dedup_id is not None:
                out["MessageDeduplicationId"] = self.dedup_id
        if self.trace_header:
            out["AWSTraceHeader"] = self.trace_header
        if self.dead_letter_source:
            out["DeadLetterQueueSourceArn"] = self.dead_letter_source
        return out


# --- checks ---------------------------------------------------------------------------------


def check_body(body: str) -> None:
    if body == "":
        raise MissingRequiredParameterException(
            "The request must contain the parameter MessageBody."
        )
    bad = _NOT_ALLOWED.search(body)
    if bad is not None:
        raise InvalidMessageContents(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message body, "
            f"the set of allowed characters is {ALLOWED_CHARACTERS}"
        )


def check_size(body: str, attributes: dict, limit: int) -> None:
    if len(body.encode()) + attributes_size(attributes) > limit:
        raise InvalidParameterValueException(
            f"One or more parameters are invalid. Reason: Message must be shorter than {limit} "
            "bytes."
        )


def check_attributes(attributes: dict) -> None:
    """Message attributes as SQS accepts them: at most 10, named and typed by its rules."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValueException(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    for name, value in attributes.items():
        _check_name(name)
        _check_value(name, value or {})


def _check_name(name: str) -> None:
    lowered = name.lower()
    if (
        not _NAME.fullmatch(name)
        or len(name) > MAX_NAME_LENGTH
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
        or lowered.startswith(("aws.", "amazon."))
    ):
        raise InvalidParameterValueException(
            f"Message (user) attribute name '{name}' is invalid. A name can contain "
            "alphanumeric characters, '_', '-' and '.', must not start or end with '.', nor "
            "hold '..', nor start with 'AWS.' or 'Amazon.', and can be up to 256 characters."
        )


def _check_value(name: str, value: dict) -> None:
    data_type = value.get("DataType") or ""
    match = _TYPE.fullmatch(data_type)
    if match is None or len(data_type) > MAX_NAME_LENGTH:
        raise InvalidParameterValueException(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    if any(value.get(key) for key in LIST_VALUES):
        raise InvalidParameterValueException(
            "Message attribute list values in SendMessage operation are not supported."
        )
    kind = match.group(1)
    field = "BinaryValue" if kind == "Binary" else "StringValue"
    content = value.get(field)
    if not content:
        raise InvalidParameterValueException(
            f"Message (user) attribute '{name}' must contain a non-empty value of type '{kind}'."
        )
    if kind == "Number":
        _check_number(name, content)
    elif kind == "String" and _NOT_ALLOWED.search(content):
        raise InvalidMessageContents(
            f"Message (user) attribute '{name}' holds a character SQS does not allow."
        )


def _check_number(name: str, text: str) -> None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(number.as_tuple().digits) > 38:
        raise InvalidParameterValueException(
            f"Can't cast the value of message (user) attribute '{name}' to a number."
        )


def attributes_size(attributes: dict) -> int:
    """What attributes count toward the message size: names, types and values."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(value.get("DataType", "").encode())
        content = value.get("BinaryValue") or value.get("StringValue") or b""
        size += len(content) if isinstance(content, bytes) else len(content.encode())
    return size


# --- digests --------------------------------------------------------------------------------


def attributes_md5(attributes: dict) -> str | None:
    """MD5OfMessageAttributes as SQS computes it: for each attribute, by name, the name, the
    type and the value, each prefixed by its 4-byte length, with a type byte before the value."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value.get("DataType", "")
        digest.update(_field(name.encode()) + _field(data_type.encode()))
        if value.get("BinaryValue") is not None:
            digest.update(b"\x02" + _field(value["BinaryValue"]))
        elif value.get("StringValue") is not None:
            digest.update(b"\x01" + _field(value["StringValue"].encode()))
        elif value.get("StringListValues"):
            digest.update(b"\x03" + b"".join(_field(v.encode()) for v in value["StringListValues"]))
        elif value.get("BinaryListValues"):
            digest.update(b"\x04" + b"".join(_field(v) for v in value["BinaryListValues"]))
    return digest.hexdigest()


def _field(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def selected_attributes(attributes: dict, names: list[str] | None) -> dict:
    """The message attributes a ReceiveMessage asked for: `All`, `.*`, `prefix.*` or names."""
    if not names or not attributes:
        return {}
    if "All" in names or ".*" in names:
        return dict(attributes)
    prefixes = tuple(n[:-1] for n in names if n.endswith(".*"))
    wanted = set(names)
    return {
        k: v for k, v in attributes.items() if k in wanted or (prefixes and k.startswith(prefixes))
    }


# --- storage form ---------------------------------------------------------------------------


def attributes_to_record(attributes: dict) -> dict:
    """Message attributes as JSON can hold them (binary values in base64)."""
    out = {}
    for name, value in attributes.items():
        value = dict(value)
        if isinstance(value.get("BinaryValue"), bytes):
            value["BinaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        out[name] = value
    return out


def attributes_from_record(record: dict) -> dict:
    out = {}
    for name, value in record.items():
        value = dict(value)
        if isinstance(value.get("BinaryValue"), str):
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
        out[name] = value
    return out


# --- receipt handles ------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What a receipt handle names: a queue (by its id), a message and one receive of it."""

    queue_id: int
    message_id: str
    nonce: str

    @property
    def handle(self) -> str:
        text = f"{self.queue_id}:{self.message_id}:{self.nonce}"
        return base64.urlsafe_b64encode(text.encode()).decode()


def parse_receipt(handle: str) -> Receipt | None:
    """The receipt a handle names, or None when it is no handle this server gave out."""
    try:
        text = base64.urlsafe_b64decode(handle.encode()).decode()
        queue_id, message_id, nonce = text.split(":")
        return Receipt(int(queue_id), message_id, nonce)
    except (binascii.Error, UnicodeError, ValueError):
        return None
