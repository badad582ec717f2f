"""Frames between the engine and a Python execution environment.

A frame is a 9-byte header (kind, meta length, body length; network order), a JSON `meta`
object and raw `body` bytes. Event and response bodies travel untouched, so the hot path
never re-encodes a payload. Stdlib only: this module is imported inside environments, which
may run any Python from 3.9 on.
"""

import json
import select
import struct

HEADER = struct.Struct("!BII")
RECV_SIZE = 1 << 16
# Lambda's limits on what a function answers: "Response payload size exceeded maximum allowed
# payload size (6291556 bytes)." (6 MiB and 100 bytes; a payload of exactly that size passes),
# and 200 MB for a streamed response (the response streaming page of Lambda's guide).
RESPONSE_LIMIT = 6 * 1024 * 1024 + 100
STREAM_LIMIT = 200 * 1024 * 1024
META_LIMIT = 1 << 20  # an environment's meta: a few fields (an error type of at most 64 KiB)
UNLIMITED = 1 << 32  # more than a header can announce: the environment trusts the engine

# engine -> environment
INVOKE = 1  # meta: request_id, deadline_ms, invoked_arn, trace_id, client_context, stream
#            (set when the caller streams: the streaming size limit applies); body: event
#            (sent right behind ASSIGN, first_invoke: timeout_ms instead of deadline_ms)
ASSIGN = 6  # meta: the function a spare environment becomes (env, cwd, path, handler, isolation)
# With first_invoke in ASSIGN's meta, the environment writes this to its log once its init is
# done (before READY): its first invocation's output follows it, its init's comes before.
INIT_DONE = b"\x00overcast:init-done\x00"
TEMPLATE = 7  # SnapStart: run the before-snapshot hooks, then fork restored copies on request
SHUTDOWN = 9  # the environment is ending: extensions get their SHUTDOWN event
# environment -> engine
READY = 2  # meta: init_ms
INIT_ERROR = 3  # meta: init_ms; body: error object JSON
RESPONSE = 4  # meta: max_rss_kb; body: the handler's result as JSON
ERROR = 5  # meta: max_rss_kb, error_type; body: error object JSON
SNAPSHOT = 8  # a template is ready to fork restored environments; meta: hooks_ms
# A streamed response (Runtime API runtimes): CHUNKs as the runtime writes them, then its end.
CHUNK = 10  # meta (first only): content_type; body: the next bytes of the response
STREAM_END = 11  # meta: max_rss_kb, error_type if it failed mid-stream; body: that error object


# One encoder and one decoder for every frame: json.dumps with any option builds a new encoder
# on each call, and json.loads of bytes first works out their encoding (meta is always UTF-8).
# Meta is made by the runtimes, never circular: the encoder does not look for reference cycles.
_encode_meta = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
_decode_meta = json.JSONDecoder().decode


def encode(kind, meta, body=b""):
    meta_bytes = _encode_meta(meta).encode() if meta else b""
    return HEADER.pack(kind, len(meta_bytes), len(body)) + meta_bytes + body


def decode_meta(meta_bytes):
    return _decode_meta(meta_bytes.decode()) if meta_bytes else {}


class FrameTooLarge(Exception):
    """Raised when a frame's header announces a body or a meta longer than the reader accepts,
    before any of it is kept; `frames` are the whole frames that came before it."""

    def __init__(self, kind, size, frames):
        super().__init__(f"a frame of kind {kind} announces {size} bytes")
        self.kind = kind
        self.size = size
        self.frames = frames


class FrameReader:
    """Incremental decoder: feed bytes, take whole frames (kind, meta, body).

    `body_limit` and `meta_limit` bound every frame's parts (the engine's reader bounds what an
    environment may send; an environment trusts the engine): the header tells both sizes, so
    a frame over them is refused (FrameTooLarge) before its bytes are kept. The reader is of
    no further use then.
    """

    def __init__(self, body_limit=UNLIMITED, meta_limit=UNLIMITED):
        self._buffer = bytearray()
        self._body_limit = body_limit
        self._meta_limit = meta_limit

    def feed(self, data):
        if not self._buffer and len(data) >= HEADER.size:
            # The usual case, a frame that arrived whole and alone: no copy through the buffer.
            kind, meta_len, body_len = HEADER.unpack_from(data)
            if body_len > self._body_limit or meta_len > self._meta_limit:
                raise FrameTooLarge(kind, body_len, [])
            body_start = HEADER.size + meta_len
            if body_start + body_len == len(data):
                return [(kind, decode_meta(data[HEADER.size : body_start]), data[body_start:])]
        self._buffer += data
        frames = []
        while len(self._buffer) >= HEADER.size:
            kind, meta_len, body_len = HEADER.unpack_from(self._buffer)
            if body_len > self._body_limit or meta_len > self._meta_limit:
                raise FrameTooLarge(kind, body_len, frames)
            end = HEADER.size + meta_len + body_len
            if len(self._buffer) < end:
                break
            meta = decode_meta(bytes(self._buffer[HEADER.size : HEADER.size + meta_len]))
            body = bytes(self._buffer[HEADER.size + meta_len : end])
            del self._buffer[:end]
            frames.append((kind, meta, body))
        return frames


class Channel:
    """The environment's end of its control socket: whole frames in, bytes out.

    Reads as much as has arrived with one recv, so a frame usually costs one system call
    after the wait for it.
    """

    def __init__(self, sock):
        self.sock = sock
        self._reader = FrameReader()
        self._frames = []
        # Waits in poll, not in recv: a process asleep in recv on a Unix stream socket is also
        # woken whenever the engine reads what it sent (the kernel's write-space wake-up), a
        # second context switch per invocation. poll's wait ignores wake-ups it did not ask for.
        self._poll = select.poll()
        self._poll.register(sock, select.POLLIN)

    def read(self):
        """The next frame (kind, meta, body), blocking; None once the engine has closed."""
        while not self._frames:
            self._poll.poll()
            # 64 KiB stays on malloc's heap: a larger buffer is mmap'd and unmapped on every
            # call, and unmapping costs a TLB shootdown across cores.
            data = self.sock.recv(RECV_SIZE)
            if not data:
                return None
            self._frames.extend(self._reader.feed(data))
        return self._frames.pop(0)

    def send(self, data):
        self.sock.sendall(data)
