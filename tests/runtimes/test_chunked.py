"""Chunked transfer coding as the Runtime API reads a streamed response."""

from __future__ import annotations

import io

import pytest

from overcast.runtimes import chunked
from overcast.runtimes.chunked import ChunkedBody, ChunkedBodyError, FixedBody, body_of, read_all


def test_chunks_extensions_and_trailers() -> None:
    raw = (
        b"4\r\nWiki\r\n5;name=value\r\npedia\r\n0\r\n"
        b"Lambda-Runtime-Function-Error-Type: Custom.Broken\r\nX-Other:  v \r\n\r\nNEXT"
    )
    stream = io.BytesIO(raw)
    body = ChunkedBody(stream)
    assert list(body) == [b"Wiki", b"pedia"]
    assert body.trailers == {"lambda-runtime-function-error-type": "Custom.Broken", "x-other": "v"}
    assert stream.read() == b"NEXT"  # the connection's next request is left unread


def test_a_large_chunk_is_read_in_pieces() -> None:
    data = b"x" * (chunked.PIECE * 2 + 5)
    raw = b"%x\r\n" % len(data) + data + b"\r\n0\r\n\r\n"
    pieces = list(ChunkedBody(io.BytesIO(raw)))
    assert [len(p) for p in pieces] == [chunked.PIECE, chunked.PIECE, 5]
    assert b"".join(pieces) == data


@pytest.mark.parametrize(
    "raw",
    [
        b"zz\r\nabc\r\n0\r\n\r\n",  # not a size
        b"5\r\nab",  # ends inside a chunk
        b"2\r\nabc\r\n0\r\n\r\n",  # longer than its size
        b"2\r\nab\r\n",  # no last chunk
    ],
)
def test_malformed_bodies(raw: bytes) -> None:
    with pytest.raises(ChunkedBodyError):
        list(ChunkedBody(io.BytesIO(raw)))


def test_body_of_picks_the_framing_and_read_all_keeps_a_limit() -> None:
    chunked_body = body_of(io.BytesIO(b"3\r\nabc\r\n0\r\n\r\n"), {"Transfer-Encoding": "chunked"})
    assert isinstance(chunked_body, ChunkedBody) and read_all(chunked_body, 10) == b"abc"
    fixed = body_of(io.BytesIO(b"abcdef"), {"Content-Length": "4"})
    assert isinstance(fixed, FixedBody) and read_all(fixed, 10) == b"abcd"
    assert read_all(FixedBody(io.BytesIO(b"abcdef"), 6), 5) is None


@pytest.mark.parametrize("length", ["-5", "1e3", "12 34", "0x10", "\u00b2"])
def test_a_content_length_that_is_not_a_length_is_malformed(length: str) -> None:
    with pytest.raises(ChunkedBodyError):
        body_of(io.BytesIO(b"x" * 100), {"Content-Length": length})
