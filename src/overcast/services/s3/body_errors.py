"""S3's errors about the bytes a request sends: their length (Content-Length, a body cut
short or too large), their checksums (Content-MD5, x-amz-checksum-*), and the parts of a
multipart upload. The base class and every other S3 error: errors.py."""

from __future__ import annotations

from overcast.services.s3.errors import S3Error


class MissingContentLength(S3Error):
    """Raised when a PUT that carries a body states no Content-Length."""

    status = 411
    code = "MissingContentLength"


class IncompleteBody(S3Error):
    """Raised when the body ends before its Content-Length (or its aws-chunked framing)."""

    code = "IncompleteBody"


class RequestTimeout(S3Error):
    """Raised when the client stops sending a body before its Content-Length (S3 waits, then
    answers 400 RequestTimeout)."""

    status = 400
    code = "RequestTimeout"


class UnexpectedContent(S3Error):
    """Raised when a request carries a body where its headers already say it all."""

    code = "UnexpectedContent"


class EntityTooLarge(S3Error):
    """Raised when an object (5 GiB in one PUT) or a part is larger than S3 allows."""

    code = "EntityTooLarge"


class InvalidDigest(S3Error):
    """Raised when a Content-MD5 header is not a base64-encoded MD5."""

    code = "InvalidDigest"


class BadDigest(S3Error):
    """Raised when the body does not match its Content-MD5 or x-amz-checksum-* header."""

    code = "BadDigest"


class EntityTooSmall(S3Error):
    """Raised when a part other than the last of a multipart upload is under 5 MiB."""

    code = "EntityTooSmall"


class InvalidPart(S3Error):
    """Raised when a completed multipart upload names a part that was not uploaded, or with
    another ETag."""

    code = "InvalidPart"


class InvalidPartOrder(S3Error):
    """Raised when a completed multipart upload lists its parts out of ascending order."""

    code = "InvalidPartOrder"
