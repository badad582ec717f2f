"""What a Publish carries, checked as SNS checks it, and what each protocol receives of it.

- Message: required, not empty; with its attributes at most 256 KB.
- Subject: 1-100 printable ASCII characters, no line breaks.
- MessageAttributes: names of letters, digits, `-`, `_` and `.` (not first, not last, never
  two in a row), under 256 bytes; a type that starts with String, Number or Binary; a value
  in the field the type calls for (StringValue, or BinaryValue for Binary).
- MessageStructure `json`: the Message is a JSON object of texts with a `default` one, and
  each protocol gets its own key's text (`lambda`, `sqs`, `http`, `https`) or the default.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from overcast.aws import json_document
from overcast.services.sns.errors import InvalidParameterValueException, ValidationException
from overcast.services.sns.model import invalid

MAX_MESSAGE_BYTES = 256 * 1024
MAX_SUBJECT = 100
_SUBJECT = re.compile(r"[\x20-\x7e]{1,100}")
_ATTRIBUTE_NAME_CHAR = re.compile(r"[A-Za-z0-9_.\-]")
_TYPE_PREFIXES = ("String", "Number", "Binary")
RESERVED_PREFIXES = ("AWS.", "Amazon.")
# The reserved names a publisher may set: the SMS settings SNS documents for Publish.
SMS_ATTRIBUTES = frozenset(
    {
        "AWS.SNS.SMS.SenderID", "AWS.SNS.SMS.MaxPrice", "AWS.SNS.SMS.SMSType",
        "AWS.MM.SMS.OriginationNumber", "AWS.MM.SMS.EntityId", "AWS.MM.SMS.TemplateId",
    }
)  # fmt: skip


@dataclass
class Message:
    """A published message, as kept until every subscription has had it."""

    message_id: str
    topic_arn: str
    message: str
    timestamp: str  # 2024-01-02T03:04:05.678Z
    subject: str | None = None
    structure: dict[str, str] | None = None  # MessageStructure=json: text per protocol
    attributes: dict[str, dict] = field(default_factory=dict)  # {name: {"Type", "Value"}}
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None  # FIFO topics
    hops: int = 0  # invocations before it in its chain (loop detection)

    def text_for(self, protocol: str) -> str:
        if self.structure is None:
            return self.message
        return self.structure.get(protocol, self.structure["default"])

    def to_record(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_record(cls, record: dict) -> Message:
        return cls(**record)


def check_message(message: str | None, attributes: dict[str, dict]) -> None:
    if not message:
        raise invalid("Empty message")
    size = len(message.encode())
    for name, attribute in attributes.items():
        size += len(name.encode()) + len(attribute["Type"].encode())
        size += len(attribute["Value"].encode())
    if size > MAX_MESSAGE_BYTES:
        raise invalid("Message too long")


def check_subject(subject: str | None) -> None:
    if subject is not None and not _SUBJECT.fullmatch(subject):
        raise invalid("Subject")


def parse_structure(message: str, structure: str | None) -> dict[str, str] | None:
    """The per-protocol texts of a MessageStructure=json message (None for a plain one)."""
    if structure is None:
        return None
    if structure != "json":
        raise invalid("MessageStructure")
    try:
        document = json_document.loads(message)
    except ValueError:
        raise invalid("Message Structure - JSON message body failed to parse") from None
    if not isinstance(document, dict) or not isinstance(document.get("default"), str):
        raise invalid("Message Structure - No default entry in JSON message body")
    return {key: value for key, value in document.items() if isinstance(value, str)}


def parse_attributes(
    raw: dict[str, dict] | None, path: str = "messageAttributes"
) -> dict[str, dict]:
    """MessageAttributes as SNS delivers them: {name: {"Type": ..., "Value": text}}, a
    Binary value base64-encoded. `path` names them in a missing DataType's error."""
    attributes = {}
    for name, value in (raw or {}).items():
        if not (value or {}).get("DataType"):
            raise ValidationException(
                f"1 validation error detected: Value null at '{path}.{name}.member.dataType' "
                "failed to satisfy constraint: Member must not be null"
            )
        _check_name(name)
        attributes[name] = _attribute(name, value)
    return attributes


def _check_name(name: str) -> None:
    if len(name.encode()) >= 256:
        raise _bad("Length of message attribute name must be less than 256 bytes.")
    for char in name:
        if not _ATTRIBUTE_NAME_CHAR.fullmatch(char):
            raise _bad(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the "
                "message attribute name. Can only include alphanumeric characters, hyphens, "
                "underscores, or dots."
            )
    if name.startswith("."):
        raise _bad("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise _bad("Invalid message attribute name ending with character '.' was found.")
    if ".." in name:
        raise _bad("Message attribute name can not have successive '.' character.")
    if name.startswith(RESERVED_PREFIXES) and name not in SMS_ATTRIBUTES:
        raise _bad(f"The message attribute name '{name}' uses a reserved prefix.")


def _attribute(name: str, value: dict) -> dict:
    kind = value.get("DataType") or ""
    base = kind.split(".", 1)[0]
    if base not in _TYPE_PREFIXES:
        raise _bad(
            f"The message attribute '{name}' has an invalid message attribute type, the set "
            "of supported type prefixes is Binary, Number, and String."
        )
    text, blob = value.get("StringValue"), value.get("BinaryValue")
    if base == "Binary":
        if text is not None and blob is None:
            raise _bad(
                f"The message attribute '{name}' with type 'Binary' must use field 'Binary'."
            )
        if not blob:
            raise _empty(name, kind)
        return {"Type": kind, "Value": base64.b64encode(blob).decode()}
    if blob is not None and text is None:
        raise _bad(f"The message attribute '{name}' with type '{base}' must use field 'String'.")
    if not text:
        raise _empty(name, kind)
    if base == "Number":
        _check_number(name, text, kind)
    elif kind == "String.Array":
        _check_array(name, text)
    return {"Type": kind, "Value": text}


def _check_number(name: str, text: str, kind: str) -> None:
    if kind.startswith("Number.Array"):
        _check_array(name, text)
        return
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _bad(f"Could not cast message attribute '{name}' value to number.")


def _check_array(name: str, text: str) -> None:
    try:
        items = json_document.loads(text)
    except ValueError:
        items = None
    if not isinstance(items, list):
        raise invalid(f"Message attribute '{name}' must be a JSON array for type String.Array.")


def _empty(name: str, kind: str) -> InvalidParameterValueException:
    return _bad(
        f"The message attribute '{name}' must contain non-empty message attribute value for "
        f"message attribute type '{kind.split('.', 1)[0]}'."
    )


def _bad(text: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(text)
