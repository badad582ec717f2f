"""What every form of request signing shares (SigV4 in signature.py, S3's SigV2 in
signature_v2.py, S3's browser POST form in form_signature.py): the request as its signature
covers it, the verdict, the failure and its reasons, and the checks of the signer's key,
session token and clock.

A failure raises `AuthFailure` with its reason; each protocol words it as AWS does
(aws/authentication.py, and S3's own errors in services/s3/api/authentication.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from overcast.aws.credentials import Identity, KeyRing, SigningKey
from overcast.aws.errors import OvercastError
from overcast.aws.sigv4 import Scope as ContextScope

if TYPE_CHECKING:
    from overcast.aws.signature import ChunkChain

MAX_SKEW_S = 15 * 60  # AWS refuses a request signed more than 15 minutes away from now
MISSING_HEADER = "Missing required header for this request"

# The reasons, each answered in its protocol's words (aws/authentication.py).
MISSING = "missing"  # no signature at all, where the service needs one
INCOMPLETE = "incomplete"  # a signature lacking a part (Credential, SignedHeaders, date...)
UNKNOWN_KEY = "unknown_key"  # no such access key (or an inactive one)
BAD_TOKEN = "bad_token"  # a session token missing, wrong, or sent with a long-term key
EXPIRED_TOKEN = "expired_token"  # a temporary key past its expiry
BAD_SIGNATURE = "bad_signature"  # the signature does not match
SKEWED = "skewed"  # signed more than 15 minutes from now
EXPIRED_URL = "expired_url"  # a presigned URL past its X-Amz-Expires / Expires
BAD_QUERY = "bad_query"  # a presigned URL's parameters are malformed
CONTENT_MISMATCH = "content_mismatch"  # x-amz-content-sha256 does not match the body
WRONG_SERVICE = "wrong_service"  # a credential scoped to another service than the one asked


class AuthFailure(OvercastError):
    """Raised when a request's credentials or signature do not hold. `reason` is one of
    the module's reasons; `details` are what AWS's answer names (StringToSign, times...)."""

    def __init__(self, reason: str, message: str = "", **details: object) -> None:
        super().__init__(message or reason)
        self.reason, self.message, self.details = reason, message, details


class SignedParts(Protocol):
    """The parts of a request a signature covers, on whatever object carries them: a
    SignedRequest, or Lambda's InvokeCall, which Invoke's hot path verifies as it is."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> bytes | None: ...


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs on every request
class SignedRequest:
    """The parts of a request a signature covers. `path` and `query` as sent (raw,
    percent-encoded); `headers` by lower-case name; `body` None where not read (S3's object
    bodies, checked against their announced hash as they stream: `content_hash`)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes | None = None


@dataclass(slots=True)
class Verified:
    """A verified request's signer, and what a streamed body must still match. Never changed
    once made: the requests of one key share theirs (signature.py)."""

    identity: Identity
    key: SigningKey
    content_hash: str | None = None  # S3: a hex x-amz-content-sha256 the body must have
    chain: ChunkChain | None = None  # S3: a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body's chain
    # The request context's scope (sigv4.scope_of's answer) as the verified credential names
    # it, so the context need not read the Authorization header again; None: read it.
    scope: ContextScope | None = None


def same_text(expected: str, provided: str) -> bool:
    """Whether `provided` (a signature, a session token: whatever the client sent) is
    `expected`, compared in constant time. As bytes: hmac.compare_digest refuses two str
    unless both are ASCII (a TypeError, which would be a 500), and a header read as Latin-1
    may hold anything; `surrogatepass` lets every str encode."""
    if provided.isascii() and expected.isascii():  # the usual case: compared as they are
        return hmac.compare_digest(expected, provided)
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), provided.encode("utf-8", "surrogatepass")
    )


def known_key(keys: KeyRing, access_key_id: str) -> SigningKey:
    """The key the request names; an unknown or inactive one is refused."""
    key = keys.find(access_key_id)
    if key is None or not key.active:
        raise AuthFailure(UNKNOWN_KEY, access_key_id=access_key_id)
    return key


def check_token(key: SigningKey, token: str | None, now: Callable[[], float]) -> None:
    """A temporary key works only with its session token and until its expiry."""
    if key.session_token is None:
        if token:  # a token with a long-term key: AWS takes it as an invalid token
            raise AuthFailure(BAD_TOKEN, access_key_id=key.access_key_id)
        return
    if token is None or not same_text(key.session_token, token):
        raise AuthFailure(BAD_TOKEN, access_key_id=key.access_key_id)
    if key.expires_ms is not None and now() * 1000 >= key.expires_ms:
        raise AuthFailure(EXPIRED_TOKEN, access_key_id=key.access_key_id)


@lru_cache(maxsize=64)
def parse_amz_date(text: str, reason: str) -> float:
    """X-Amz-Date's `yyyyMMdd'T'HHmmss'Z'` as epoch seconds; else AuthFailure(`reason`)."""
    # By hand, not strptime (a third of a verification's cost); and cached, since a
    # client's requests within a second carry the same stamp.
    try:
        if len(text) != 16 or text[8] != "T" or text[15] != "Z" or not text.isascii():
            raise ValueError(text)
        digits = text[:8] + text[9:15]
        if not digits.isdigit():
            raise ValueError(text)
        fields = (int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        clock = (int(digits[8:10]), int(digits[10:12]), int(digits[12:14]))
        return datetime(*fields, *clock, tzinfo=UTC).timestamp()
    except ValueError:
        raise AuthFailure(
            reason, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        ) from None


def http_time(text: str | None) -> float | None:
    """A `Date` header (RFC 7231, or X-Amz-Date's form) as epoch seconds; None if absent
    or unreadable."""
    if not text:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        try:
            return parse_amz_date(text, INCOMPLETE)
        except AuthFailure:
            return None


def query_pairs(query: str) -> list[tuple[str, str]]:
    """A raw query string's (name, value) pairs, percent-decoded, in order."""
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs
