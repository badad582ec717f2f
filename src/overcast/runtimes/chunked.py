"""HTTP/1.1 chunked transfer coding, read as it arrives (RFC 9112, section 7.1).

A runtime streams its response to the Runtime API this way, and may end it with trailers
(Lambda's mid-stream error report). Stdlib only: this runs inside environments.
"""

PIECE = 1 << 16  # the most read at once: a large chunk is relayed in pieces
LINE_LIMIT = 8192


class ChunkedBodyError(ValueError):
    """Raised when a chunked body is malformed or ends before its last chunk."""


class ChunkedBody:
    """Iterate a chunked body's data as it comes; `trailers` (lower-case names) after it.

    body = ChunkedBody(handler.rfile)
    for piece in body:
        relay(piece)
    body.trailers.get("lambda-runtime-function-error-type")
    """

    def __init__(self, rfile):
        self.rfile = rfile
        self.trailers = {}

    def __iter__(self):
        while True:
            size = self._size_line()
            if size == 0:
                self._read_trailers()
                return
            while size:
                piece = self.rfile.read(min(size, PIECE))
                if not piece:
                    raise ChunkedBodyError("the body ended inside a chunk")
                size -= len(piece)
                yield piece
            if self._line() != b"":
                raise ChunkedBodyError("a chunk is longer than its size says")

    def _size_line(self):
        line = self._line().split(b";", 1)[0].strip()  # chunk extensions are ignored
        try:
            return int(line, 16)
        except ValueError:
            raise ChunkedBodyError(f"bad chunk size {line[:20]!r}") from None

    def _read_trailers(self):
        while True:
            line = self._line()
            if not line:
                return
            name, _, value = line.decode("latin-1").partition(":")
            self.trailers[name.strip().lower()] = value.strip()

    def _line(self):
        line = self.rfile.readline(LINE_LIMIT + 1)
        if not line.endswith(b"\n"):
            raise ChunkedBodyError("the body ended early" if not line else "a line is too long")
        return line.rstrip(b"\r\n")


class FixedBody:
    """A body of known length (Content-Length), read in pieces like a ChunkedBody."""

    def __init__(self, rfile, length):
        self.rfile = rfile
        self.length = length
        self.trailers = {}

    def __iter__(self):
        left = self.length
        while left:
            piece = self.rfile.read(min(left, PIECE))
            if not piece:
                raise ChunkedBodyError("the body ended early")
            left -= len(piece)
            yield piece


def body_of(rfile, headers):
    """The request body as pieces: chunked if Transfer-Encoding says so, else Content-Length
    (ChunkedBodyError if that is not a length)."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return ChunkedBody(rfile)
    length = (headers.get("Content-Length") or "0").strip()
    if not (length.isascii() and length.isdigit()):  # RFC 9110's 1*DIGIT (not '²')
        raise ChunkedBodyError(f"bad Content-Length {length[:20]!r}")
    return FixedBody(rfile, int(length))


def read_all(body, limit):
    """The whole body, or None if it is longer than `limit` bytes (the rest is read)."""
    pieces, size = [], 0
    for piece in body:
        size += len(piece)
        if size <= limit:
            pieces.append(piece)
    return b"".join(pieces) if size <= limit else None
