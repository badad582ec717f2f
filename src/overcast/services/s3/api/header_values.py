"""Header values as S3 reads and writes them, where that is more than passing text along.

User metadata (`x-amz-meta-*`): S3 takes arbitrary Unicode. A value arrives as UTF-8 bytes
(what the SDKs send), as RFC 2047 encoded words, or as other bytes (read as Latin-1); S3
decodes it before storing and, when the stored text is not US-ASCII, answers it RFC 2047
encoded (`=?UTF-8?B?...?=`), so a header never carries bytes a client cannot read.

Content-Encoding: kept as the client sent it (`deflate, gzip` stays `deflate, gzip`), less
`aws-chunked`, which names how the body travelled, not how it is stored.

`x-amz-copy-source` (CopyObject, UploadPartCopy): the source's bucket, key and version,
read alike by the operations and by what they need of IAM (access.py).
"""

from __future__ import annotations

import base64
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from urllib.parse import parse_qs, unquote

from overcast.services.s3.errors import InvalidArgument
from overcast.services.s3.versioning import check_version_id

TRANSFER_ONLY = "aws-chunked"


def metadata_value(received: str) -> str:
    """The text of a metadata header as received (the server reads header bytes as
    Latin-1: UTF-8 is recovered from them; encoded words are decoded)."""
    raw = received.encode("latin-1", "replace")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = received
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (HeaderParseError, LookupError, UnicodeError, ValueError):
            pass  # not encoded words after all: kept as sent
    return text


def metadata_header(stored: str) -> str:
    """A stored metadata value as S3 answers it: US-ASCII as is, else RFC 2047 encoded."""
    if stored.isascii():
        return stored
    return f"=?UTF-8?B?{base64.b64encode(stored.encode('utf-8')).decode('ascii')}?="


def stored_encoding(received: str) -> str | None:
    """The Content-Encoding to keep; None when only aws-chunked was named."""
    pieces = received.split(",")
    kept = [piece for piece in pieces if piece.strip() and piece.strip() != TRANSFER_ONLY]
    if len(kept) == len(pieces):
        return received
    return ", ".join(piece.strip() for piece in kept) or None


def copy_source(text: str | None) -> tuple[str, str]:
    """`x-amz-copy-source: [/]<bucket>/<key>[?versionId=...]`, URL-encoded."""
    path = (text or "").split("?versionId=", 1)[0].lstrip("/")
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise InvalidArgument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            ArgumentName="x-amz-copy-source",
            ArgumentValue=text or "",
        )
    return unquote(bucket), unquote(key)


def copy_source_version(text: str | None) -> str | None:
    """The source version a copy names: `x-amz-copy-source`'s `?versionId=` (checked)."""
    _, asked, query = (text or "").partition("?")
    versions = parse_qs(query, keep_blank_values=True).get("versionId") if asked else None
    if not versions:
        return None
    check_version_id(versions[0])
    return versions[0]
