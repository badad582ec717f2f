"""The aws-chunked decoder: payload out of its framing, in any split, with trailers."""

from __future__ import annotations

import pytest

from overcast.aws.protocols.aws_chunked import ChunkedDecoder, FramingError, is_aws_chunked

SIGNED = (
    b"5;chunk-signature=ab12\r\nhello\r\n"
    b"6;chunk-signature=cd34\r\n world\r\n"
    b"0;chunk-signature=ef56\r\n\r\n"
)
TRAILER = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"


def decode(body: bytes, step: int) -> tuple[bytes, ChunkedDecoder]:
    decoder = ChunkedDecoder()
    out = b""
    for start in range(0, len(body), step):
        out += b"".join(decoder.feed(body[start : start + step]))
    decoder.finish()
    return out, decoder


@pytest.mark.parametrize("step", [1, 2, 7, 1000])
def test_signed_chunks_in_any_split(step: int) -> None:
    out, decoder = decode(SIGNED, step)
    assert out == b"hello world" and decoder.trailers == {}


@pytest.mark.parametrize("step", [1, 5, 1000])
def test_trailing_checksum(step: int) -> None:
    out, decoder = decode(TRAILER, step)
    assert out == b"hello world"
    assert decoder.trailers == {"x-amz-checksum-crc32": "DUoRhQ=="}


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",  # not a size
        b"5\r\nhelloXX\r\n0\r\n\r\n",  # data longer than its size
        b"5\r\nhel",  # ends inside a chunk
        b"0\r\n\r\nmore",  # data after the end
    ],
)
def test_bad_framing(body: bytes) -> None:
    with pytest.raises(FramingError):
        decode(body, 1000)


def test_recognised_by_its_headers() -> None:
    assert is_aws_chunked({"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"})
    assert is_aws_chunked({"content-encoding": "aws-chunked,gzip"})
    assert not is_aws_chunked({"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
