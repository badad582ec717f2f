"""Object bodies in and out of S3's API, streamed: a PUT's body goes to a blob as it arrives
(decoded from aws-chunked framing where the client used it), a GET's comes from the blob's
file a chunk at a time. Neither is ever held whole in memory.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from typing import BinaryIO

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from overcast.aws.gateway import verified_of
from overcast.aws.protocols.aws_chunked import ChunkedDecoder, FramingError
from overcast.aws.signed_request import CONTENT_MISMATCH, AuthFailure
from overcast.http.connection_guard import BODY_CUT, BODY_CUT_ANSWERED
from overcast.services.s3.blobs import BlobWriter
from overcast.services.s3.body_errors import (
    EntityTooLarge,
    IncompleteBody,
    MissingContentLength,
    RequestTimeout,
)
from overcast.services.s3.checksums import (
    Checksum,
    announced_trailer,
    header_checksum,
    trailing_checksum,
)
from overcast.services.s3.errors import InvalidArgument, InvalidRequest, S3Error

MAX_PUT_BYTES = 5 * 1024**3  # S3's limit for one PUT (an object, or a part)
READ_CHUNK = 1024 * 1024
INLINE_READ = 256 * 1024  # smaller bodies are read without a thread hop
WRITE_BATCH = 1024 * 1024  # bytes hashed and written per hop to a worker thread
INLINE_WRITE = 64 * 1024  # a body this small is hashed and written on the event loop


def framed(headers: Mapping[str, str]) -> bool:
    """Whether the body comes in aws-chunked framing: SigV4's streaming payloads, announced
    by `x-amz-content-sha256: STREAMING-...`. A Content-Encoding that merely names
    aws-chunked does not frame the body: S3 stores such a body as sent."""
    return headers.get("x-amz-content-sha256", "").startswith("STREAMING-")


def declared_length(headers: Mapping[str, str]) -> int | None:
    """The body's length as the client states it (decoded, for aws-chunked)."""
    text = headers.get("x-amz-decoded-content-length")
    if text is None and not framed(headers):
        text = headers.get("content-length")
    if text is None:
        return None
    try:
        length = int(text)
    except ValueError:
        raise InvalidArgument("Invalid content length", ArgumentName="Content-Length") from None
    if length > MAX_PUT_BYTES:
        raise EntityTooLarge(
            "Your proposed upload exceeds the maximum allowed size",
            ProposedSize=length,
            MaxSizeAllowed=MAX_PUT_BYTES,
        )
    return length


def required_length(headers: Mapping[str, str]) -> int:
    """The declared length of a PUT's body: S3 takes no body of unstated length (a plain
    chunked transfer, aws-chunked without x-amz-decoded-content-length) and answers 411."""
    length = declared_length(headers)
    if length is None:
        raise MissingContentLength("You must provide the Content-Length HTTP header.")
    return length


class Pipe:
    """Hands a body to its writer a batch at a time on a worker thread while the next batch
    is received, so hashing and writing overlap with reading the socket; at most two
    batches are held. A small body is written on the event loop, without a thread hop."""

    def __init__(self, writer: BlobWriter) -> None:
        self.writer = writer
        self.received = 0
        self._batch: list[bytes] = []
        self._batched = 0
        self._pending: asyncio.Future | None = None

    async def add(self, data: bytes) -> None:
        self.received += len(data)
        self._batch.append(data)
        self._batched += len(data)
        if self._batched >= WRITE_BATCH:
            await self._flush()

    async def close(self) -> None:
        if self._pending is None and self._batched <= INLINE_WRITE:
            for data in self._batch:
                self.writer.write(data)
            self._batch = []
        elif self._batch:
            await self._flush()
        await self.settle(raise_errors=True)

    async def settle(self, raise_errors: bool = False) -> None:
        """Wait for the batch being written (after a failure, before the writer is
        discarded: the thread must not write into a closed file)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            await pending
        except Exception:
            if raise_errors:
                raise

    async def _flush(self) -> None:
        data = self._batch[0] if len(self._batch) == 1 else b"".join(self._batch)
        self._batch, self._batched = [], 0
        await self.settle(raise_errors=True)
        self._pending = asyncio.get_running_loop().run_in_executor(None, self.writer.write, data)


async def small_body(request: Request) -> bytes | None:
    """A body of declared length up to INLINE_WRITE, read at once (the store then writes it
    in the same thread hop as the rest of the put); None for any other body, to stream."""
    headers = request.headers
    length = declared_length(headers)
    if length is None or length > INLINE_WRITE or framed(headers):
        return None
    request.scope[BODY_CUT_ANSWERED] = True
    try:
        body = await request.body()
    except ClientDisconnect:
        raise IncompleteBody("The request body terminated unexpectedly") from None
    if len(body) != length:
        raise short_body(request)
    check_content_hash(request, hashlib.sha256(body).hexdigest())
    return body


def check_content_hash(request: Request, computed: str) -> None:
    """A signed body must have the SHA-256 its x-amz-content-sha256 announced (S3's
    XAmzContentSHA256Mismatch otherwise)."""
    verified = verified_of(request)
    if verified is not None and verified.content_hash not in (None, computed):
        raise AuthFailure(CONTENT_MISMATCH, client=verified.content_hash, computed=computed)


def short_body(request: Request) -> S3Error:
    """S3's answer to a body that ended before its Content-Length: RequestTimeout when the
    client went silent (S3 waits for the rest, then gives up), IncompleteBody otherwise."""
    if request.scope.get(BODY_CUT) == "timeout":
        return RequestTimeout(
            "Your socket connection to the server was not read from or written to within "
            "the timeout period. Idle connections will be closed."
        )
    return IncompleteBody(
        "You did not provide the number of bytes specified by the Content-Length HTTP header"
    )


async def receive(request: Request, writer: BlobWriter) -> Checksum | None:
    """Stream the request's body into `writer`; returns the checksum the client sent (in a
    header or an aws-chunked trailer). The caller discards the writer on failure."""
    headers = request.headers
    expected = declared_length(headers)
    verified = verified_of(request)
    chain = verified.chain if verified is not None else None
    decoder = ChunkedDecoder(chain) if framed(headers) else None
    hasher = hashlib.sha256() if verified is not None and verified.content_hash else None
    pipe = Pipe(writer)
    request.scope[BODY_CUT_ANSWERED] = True
    try:
        async for chunk in request.stream():
            if hasher is not None:
                hasher.update(chunk)
            for piece in (chunk,) if decoder is None else decoder.feed(chunk):
                await pipe.add(piece)
            if expected is not None and pipe.received > expected:
                raise InvalidRequest("The body is longer than its declared length")
        if decoder is not None:
            decoder.finish()
        if hasher is not None:
            check_content_hash(request, hasher.hexdigest())
        await pipe.close()
    except FramingError as exc:
        await pipe.settle()
        raise IncompleteBody(f"The request body is not valid aws-chunked data: {exc}") from None
    except ClientDisconnect:
        await pipe.settle()
        raise IncompleteBody("The request body terminated unexpectedly") from None
    except BaseException:
        await pipe.settle()
        raise
    if expected is not None and writer.size != expected:
        raise short_body(request)
    return sent_checksum(headers, decoder.trailers if decoder is not None else {})


def sent_checksum(headers: Mapping[str, str], trailers: Mapping[str, str]) -> Checksum | None:
    """The checksum the client sent with a body: in a header, or in the trailer it announced
    (`x-amz-trailer`), each checked as S3 checks it (InvalidRequest)."""
    sent = header_checksum(headers)
    algorithm = announced_trailer(headers)
    if sent is None and algorithm is not None:
        return trailing_checksum(algorithm, trailers)
    return sent


class BlobResponse(Response):
    """`length` bytes of an open blob from `offset`; the file is closed when sent (or when
    the client goes away). A HEAD answer sends the headers only."""

    def __init__(
        self,
        stream: BinaryIO,
        offset: int,
        length: int,
        *,
        status_code: int,
        headers: dict[str, str],
        head: bool = False,
    ) -> None:
        super().__init__(status_code=status_code, headers=headers)
        self.headers["content-length"] = str(length)
        self.stream, self.offset, self.length, self.head = stream, offset, length, head

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            if self.head:
                await send({"type": "http.response.body", "body": b""})
                return
            await self._send_body(send)
        finally:
            self.stream.close()

    async def _send_body(self, send: Callable) -> None:
        self.stream.seek(self.offset)
        left = self.length
        if left <= INLINE_READ:
            await send({"type": "http.response.body", "body": self.stream.read(left)})
            return
        while left > 0:
            chunk = await anyio.to_thread.run_sync(self.stream.read, min(READ_CHUNK, left))
            if not chunk:
                break  # cannot happen with an immutable blob; never loop for ever
            left -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
        if left > 0:
            await send({"type": "http.response.body", "body": b""})
