"""A streamed invocation response, relayed from the runtime to the engine as it arrives.

A runtime streams by POSTing `/runtime/invocation/{id}/response` with
`Lambda-Runtime-Function-Response-Mode: streaming` and chunked transfer coding. Each piece
goes on to the engine as a CHUNK frame the moment it is read; an error that happens after
the runtime began to write comes in trailers: `Lambda-Runtime-Function-Error-Type` and
`Lambda-Runtime-Function-Error-Body` (the error object, base64). Stdlib only.
"""

import base64
import binascii
import json

from overcast.runtimes.chunked import ChunkedBodyError, body_of
from overcast.runtimes.python import protocol

RESPONSE_MODE = "Lambda-Runtime-Function-Response-Mode"
STREAMING = "streaming"
DEFAULT_CONTENT_TYPE = "application/octet-stream"  # a stream's type when the runtime names none


def error(error_type, message):
    return {"errorMessage": message, "errorType": error_type}


def too_large(limit):
    """The error a caller gets for a response over `limit` bytes, in Lambda's words."""
    message = f"Response payload size exceeded maximum allowed payload size ({limit} bytes)."
    return error("Function.ResponseSizeTooLarge", message)


def error_object(body, error_type):
    """(error type, error object JSON) from what a runtime reported: its own error object,
    or any text, which becomes the message of an error of `error_type`."""
    error_type = error_type or "Unhandled"
    try:
        found = json.loads(body) if body else {}
    except ValueError:
        found = {}
    if not isinstance(found, dict) or "errorType" not in found:
        found = {"errorType": error_type, "errorMessage": body.decode("utf-8", "replace")}
    return found.get("errorType", error_type), json.dumps(found).encode()


def relay(rfile, headers, control, limit):
    """Send the stream's content type, then each piece of its body, to the engine.

    Returns (error object or None, whether the body exceeded `limit`). Past the limit the
    body is still read to its end, but nothing more is relayed.
    """
    content_type = headers.get("Content-Type") or DEFAULT_CONTENT_TYPE
    control.send(protocol.encode(protocol.CHUNK, {"content_type": content_type}))
    size = 0
    try:
        body = body_of(rfile, headers)
        for piece in body:
            size += len(piece)
            if size <= limit:
                control.send(protocol.encode(protocol.CHUNK, None, piece))
    except ChunkedBodyError as exc:
        return error("Runtime.TruncatedResponse", f"Truncated response: {exc}"), False
    if size > limit:
        return too_large(limit), True
    return _trailer_error(body.trailers), False


def drain(rfile, headers):
    """Read a refused body to its end, so the connection can serve the next request."""
    try:
        for _ in body_of(rfile, headers):
            pass
    except ChunkedBodyError:
        pass


def _trailer_error(trailers):
    error_type = trailers.get("lambda-runtime-function-error-type")
    if not error_type:
        return None
    try:
        raw = base64.b64decode(trailers.get("lambda-runtime-function-error-body", ""))
    except (binascii.Error, ValueError):
        raw = b""
    return json.loads(error_object(raw, error_type)[1])
