"""The `aws-chunked` content encoding: a body sent in framed chunks, with optional trailing
headers (a flexible checksum) after the last one.

    <hex size>[;chunk-signature=<sig>] CRLF <bytes> CRLF  ...  0[;...] CRLF
    [<trailer name>:<value> CRLF]* CRLF

Clients send it with `x-amz-content-sha256: STREAMING-...` (STREAMING-UNSIGNED-PAYLOAD-TRAILER,
STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) and `x-amz-decoded-content-length`. With a
`chain` (aws/signature.py's ChunkChain) each chunk's `chunk-signature` is checked as it ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Protocol

MAX_LINE = 4096  # a chunk header or trailer line longer than this is not aws-chunked


class FramingError(ValueError):
    """Raised when a body does not follow the aws-chunked framing."""


def is_aws_chunked(headers: Mapping[str, str]) -> bool:
    sha = headers.get("x-amz-content-sha256", "")
    encoding = headers.get("content-encoding", "")
    return sha.startswith("STREAMING-") or "aws-chunked" in encoding


class Chain(Protocol):
    def check(self, signature: str, data_sha256: str) -> None:
        """Raises when `signature` is not the next chunk's."""
        ...


class ChunkedDecoder:
    """Feed it the raw body as it arrives; it returns the payload bytes found so far.
    `done` once the final chunk and the trailers are read; `trailers` holds them."""

    def __init__(self, chain: Chain | None = None) -> None:
        self.chain = chain
        self._signature = ""
        self._hash = hashlib.sha256()
        self.trailers: dict[str, str] = {}
        self.done = False
        self._line = b""
        self._left = 0  # payload bytes still due in the current chunk
        self._state = "size"  # size -> data -> crlf -> size ... -> trailer -> done

    def feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        view, position = memoryview(data), 0
        while position < len(view):
            if self.done:
                raise FramingError("data after the final chunk")
            if self._state == "data":
                take = min(self._left, len(view) - position)
                piece = bytes(view[position : position + take])
                out.append(piece)
                position += take
                self._left -= take
                if self.chain is not None:
                    self._hash.update(piece)
                if self._left == 0:
                    self._chunk_ended()
                    self._state = "crlf"
                continue
            end = data.find(b"\n", position)
            if end < 0:
                self._line += data[position:]
                if len(self._line) > MAX_LINE:
                    raise FramingError("chunk header too long")
                break
            line, self._line = self._line + data[position:end], b""
            position = end + 1
            self._line_read(line.rstrip(b"\r"))
        return out

    def _line_read(self, line: bytes) -> None:
        if self._state == "crlf":
            if line:
                raise FramingError("chunk data longer than its size")
            self._state = "size"
        elif self._state == "size":
            size_text, _, extension = line.partition(b";")
            size_text = size_text.strip()
            if self.chain is not None:
                name, _, value = extension.decode("latin-1").partition("=")
                if name.strip() != "chunk-signature":
                    raise FramingError("a chunk without its chunk-signature")
                self._signature = value.strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise FramingError(f"bad chunk size {size_text[:20]!r}") from None
            if size == 0:
                self._chunk_ended()
                self._state = "trailer"
            else:
                self._left, self._state = size, "data"
        elif self._state == "trailer":
            if not line:
                self.done = True
                return
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                raise FramingError("bad trailer line")
            self.trailers[name.strip().lower()] = value.strip()

    def _chunk_ended(self) -> None:
        if self.chain is not None:
            self.chain.check(self._signature, self._hash.hexdigest())
            self._hash = hashlib.sha256()

    def finish(self) -> None:
        """The body has ended: it must have ended with the final chunk."""
        if not self.done:
            # Some clients end with `0\r\n` and no blank line when there are no trailers.
            if self._state == "trailer" and not self._line:
                self.done = True
                return
            raise FramingError("the body ended inside a chunk")
