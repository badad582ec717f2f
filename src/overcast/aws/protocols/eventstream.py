"""AWS's event stream encoding (`application/vnd.amazon.eventstream`), as
InvokeWithResponseStream answers: a message per event, each framed as

    prelude:  total length (uint32), headers length (uint32), CRC32 of those 8 bytes
    headers:  name length (uint8), name, value type (uint8; 7 = string), value length
              (uint16), value; repeated
    payload:  the event's bytes
    trailer:  CRC32 of everything before it

all integers big-endian. Only what Lambda sends is encoded: events with string headers.
"""

from __future__ import annotations

import json
import struct
import zlib

CONTENT_TYPE = "application/vnd.amazon.eventstream"
STRING = 7  # header value type: a UTF-8 string with a 2-byte length
PRELUDE = struct.Struct("!II")
CRC = struct.Struct("!I")


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event stream message: `headers` (in order) and `payload`, framed and checksummed."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = PRELUDE.size + CRC.size + len(encoded) + len(payload) + CRC.size
    prelude = PRELUDE.pack(total, len(encoded))
    message = prelude + CRC.pack(zlib.crc32(prelude)) + encoded + payload
    return message + CRC.pack(zlib.crc32(message))


def event(event_type: str, content_type: str, payload: bytes) -> bytes:
    headers = {":event-type": event_type, ":content-type": content_type, ":message-type": "event"}
    return encode_message(headers, payload)


def payload_chunk(data: bytes) -> bytes:
    """A PayloadChunk event: the next bytes of the function's response."""
    return event("PayloadChunk", "application/octet-stream", data)


def invoke_complete(
    error_code: str | None = None, error_details: str | None = None, log_result: str | None = None
) -> bytes:
    """The InvokeComplete event that ends the stream (an error that ended it, the log tail)."""
    fields = {"ErrorCode": error_code, "ErrorDetails": error_details, "LogResult": log_result}
    body = {name: value for name, value in fields.items() if value is not None}
    return event("InvokeComplete", "application/json", json.dumps(body).encode())


def _header(name: str, value: str) -> bytes:
    name_bytes, value_bytes = name.encode(), value.encode()
    return (
        struct.pack("!B", len(name_bytes))
        + name_bytes
        + struct.pack("!BH", STRING, len(value_bytes))
        + value_bytes
    )
