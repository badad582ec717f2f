"""The event stream encoder, checked by decoding with botocore's own parser."""

from __future__ import annotations

import io

import pytest
from botocore.eventstream import ChecksumMismatch, EventStream, EventStreamBuffer
from botocore.parsers import EventStreamJSONParser

from overcast.aws.protocols import eventstream
from overcast.aws.protocols.rest_json import service_model


def decode(data: bytes) -> list:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return list(buffer)


def lambda_events(data: bytes) -> list[dict]:
    """What boto3's invoke_with_response_stream yields for these bytes."""
    output = service_model("lambda").operation_model("InvokeWithResponseStream").output_shape
    shape = output.members["EventStream"]

    class Raw:
        def stream(self):
            yield data

        def close(self):
            pass

    return list(EventStream(Raw(), shape, EventStreamJSONParser(), "InvokeWithResponseStream"))


def test_a_message_decodes_with_its_headers_and_payload() -> None:
    data = eventstream.encode_message({":event-type": "X", "name": "välue"}, b"\x00payload")
    (message,) = decode(data)
    assert message.headers == {":event-type": "X", "name": "välue"}
    assert message.payload == b"\x00payload"
    assert message.prelude.total_length == len(data)


def test_an_empty_payload_and_no_headers() -> None:
    (message,) = decode(eventstream.encode_message({}, b""))
    assert message.headers == {} and message.payload == b""


def test_a_corrupted_message_fails_its_checksum() -> None:
    data = bytearray(eventstream.encode_message({"a": "b"}, b"payload"))
    data[-6] ^= 0xFF  # a payload byte
    with pytest.raises(ChecksumMismatch):
        decode(bytes(data))


def test_boto3_reads_payload_chunks_then_invoke_complete() -> None:
    data = b"".join(
        [
            eventstream.payload_chunk(b"hello "),
            eventstream.payload_chunk(b"\x00\xffbytes"),
            eventstream.invoke_complete(log_result="bG9n"),
        ]
    )
    assert lambda_events(data) == [
        {"PayloadChunk": {"Payload": b"hello "}},
        {"PayloadChunk": {"Payload": b"\x00\xffbytes"}},
        {"InvokeComplete": {"LogResult": "bG9n"}},
    ]


def test_invoke_complete_carries_an_error() -> None:
    data = eventstream.invoke_complete("Sandbox.Timedout", "Task timed out after 1.00 seconds")
    (event,) = lambda_events(data)
    assert event == {
        "InvokeComplete": {
            "ErrorCode": "Sandbox.Timedout",
            "ErrorDetails": "Task timed out after 1.00 seconds",
        }
    }


def test_messages_split_anywhere_still_decode() -> None:
    data = eventstream.payload_chunk(b"x" * 1000) + eventstream.invoke_complete()
    buffer = EventStreamBuffer()
    stream = io.BytesIO(data)
    messages = []
    while piece := stream.read(7):
        buffer.add_data(piece)
        messages.extend(buffer)
    assert [m.headers[":event-type"] for m in messages] == ["PayloadChunk", "InvokeComplete"]
