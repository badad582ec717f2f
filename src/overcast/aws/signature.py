"""Verifying a request's signature, as AWS does before anything else: SigV4 in its header
and presigned-query forms (every service); S3's SigV2 is signature_v2.py's, and its browser
POST form's signature form_signature.py's. What they share (the request, the verdict, the
failure and its reasons) is signed_request.py's.

The canonical request is built as botocore builds it (botocore/auth.py: SigV4Auth,
S3SigV4Auth, SigV4QueryAuth): the path as sent (URI-encoded once more except for S3), the
query's pairs encoded and sorted, the signed headers' trimmed values, and the payload hash
(`x-amz-content-sha256` where sent, else the body's; S3's presigned URLs sign
`UNSIGNED-PAYLOAD`). The signing key is derived once per (secret, date, region, service).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

from overcast.aws import signature_v2
from overcast.aws.credentials import KeyRing, SigningKey
from overcast.aws.signed_request import (
    BAD_QUERY,
    BAD_SIGNATURE,
    CONTENT_MISMATCH,
    EXPIRED_URL,
    INCOMPLETE,
    MAX_SKEW_S,
    MISSING_HEADER,
    SKEWED,
    AuthFailure,
    SignedRequest,
    Verified,
    check_token,
    http_time,
    known_key,
    parse_amz_date,
    query_pairs,
    same_text,
)

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_PRESIGNED_S = 7 * 24 * 3600  # a SigV4 presigned URL lives a week at most
AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SAFE = "-_.~"
# Names no client signs (botocore's SIGNED_HEADERS_BLACKLIST is the client's side of this).
_QUERY_AUTH = frozenset({"X-Amz-Signature"})


@dataclass
class ChunkChain:
    """The signatures of an aws-chunked body's chunks: each signs the previous one's and
    the chunk's hash (SigV4's streaming payloads, as S3 documents them)."""

    signing_key: bytes
    amz_date: str
    scope: str
    previous: str  # the seed: the request's own signature

    def check(self, signature: str, data_sha256: str) -> None:
        """The next chunk's signature, given its data's SHA-256 (hex)."""
        text = "\n".join(
            (
                "AWS4-HMAC-SHA256-PAYLOAD",
                self.amz_date,
                self.scope,
                self.previous,
                EMPTY_SHA256,
                data_sha256,
            )
        )
        expected = hmac.digest(self.signing_key, text.encode(), "sha256").hex()
        if not same_text(expected, signature):
            raise AuthFailure(BAD_SIGNATURE, StringToSign=text, SignatureProvided=signature)
        self.previous = expected


class Verifier:
    """Verifies requests against the keys of `keys`; `now` is the clock (epoch seconds)."""

    def __init__(self, keys: KeyRing, now: Callable[[], float] = time.time) -> None:
        self.keys = keys
        self.now = now

    def verify(self, request: SignedRequest, service: str) -> Verified | None:
        """The request's signer; None for an unsigned request (the caller decides whether
        its service takes those). Raises AuthFailure."""
        authorization = request.headers.get("authorization")
        if authorization is not None:
            if authorization.startswith(ALGORITHM):
                return self._header_v4(request, authorization, service)
            if authorization.startswith("AWS ") and service == "s3":
                return signature_v2.verify_header(self.keys, request, authorization, self.now)
            raise AuthFailure(INCOMPLETE, "Unsupported Authorization Type")
        if "X-Amz-Signature" in request.query or "X-Amz-Credential" in request.query:
            return self._query_v4(request, query_pairs(request.query), service)
        if service == "s3" and "Signature=" in request.query:
            query = dict(query_pairs(request.query))
            return signature_v2.verify_query(self.keys, request, query, self.now)
        return None

    # --- SigV4 ---

    def _header_v4(self, request: SignedRequest, authorization: str, service: str) -> Verified:
        parts = _auth_parts(authorization[len(ALGORITHM) :])
        missing = [p for p in ("Credential", "SignedHeaders", "Signature") if p not in parts]
        amz_date = request.headers.get("x-amz-date") or _http_date(request.headers.get("date"))
        if missing or amz_date is None:
            raise AuthFailure(INCOMPLETE, _incomplete_message(missing, amz_date, authorization))
        key, scope = self._scoped_key(parts["Credential"], amz_date, service)
        check_token(key, request.headers.get("x-amz-security-token"), self.now)
        self._check_time(amz_date)
        payload, of_body = self._payload_hash(request, service, query_form=False)
        return self._match(request, key, scope, amz_date, parts, payload, (), of_body)

    def _query_v4(
        self, request: SignedRequest, pairs: list[tuple[str, str]], service: str
    ) -> Verified:
        query = dict(pairs)
        needed = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders")
        missing = [n for n in (*needed, "X-Amz-Signature") if n not in query]
        if missing:
            raise AuthFailure(BAD_QUERY, f"Query-string authentication requires {missing[0]}")
        if query["X-Amz-Algorithm"] != ALGORITHM:
            raise AuthFailure(BAD_QUERY, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
        amz_date = query["X-Amz-Date"]
        signed = parse_amz_date(amz_date, BAD_QUERY)
        expires = _presign_lifetime(query.get("X-Amz-Expires"))
        key, scope = self._scoped_key(query["X-Amz-Credential"], amz_date, service)
        check_token(key, query.get("X-Amz-Security-Token"), self.now)
        now = self.now()
        if now > signed + expires:
            raise AuthFailure(EXPIRED_URL, "Request has expired", expires=signed + expires, now=now)
        if signed - now > MAX_SKEW_S:
            self._check_time(amz_date)
        parts = {
            "SignedHeaders": query["X-Amz-SignedHeaders"],
            "Signature": query["X-Amz-Signature"],
        }
        payload, of_body = self._payload_hash(request, service, query_form=True)
        return self._match(request, key, scope, amz_date, parts, payload, _QUERY_AUTH, of_body)

    def _scoped_key(self, credential: str, amz_date: str, service: str) -> tuple[SigningKey, str]:
        fields = credential.split("/")
        if len(fields) != 5 or fields[4] != "aws4_request":
            raise AuthFailure(INCOMPLETE, f"Credential should be scoped correctly: {credential}")
        key = known_key(self.keys, fields[0])
        if fields[1] != amz_date[:8]:
            raise AuthFailure(
                INCOMPLETE,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                "date from HTTP",
            )
        return key, "/".join(fields[1:])

    def _check_time(self, amz_date: str) -> None:
        signed, now = parse_amz_date(amz_date, INCOMPLETE), self.now()
        if abs(now - signed) > MAX_SKEW_S:
            raise AuthFailure(SKEWED, signed=signed, now=now)

    def _payload_hash(
        self, request: SignedRequest, service: str, query_form: bool
    ) -> tuple[str, bool]:
        """The payload hash the signature covers, and whether it was computed from the body
        here (then there is nothing left to check against the body)."""
        sent = request.headers.get("x-amz-content-sha256")
        if service == "s3":
            if query_form:
                return sent or UNSIGNED_PAYLOAD, False
            if sent is None:
                raise AuthFailure(INCOMPLETE, f"{MISSING_HEADER}: x-amz-content-sha256")
            return sent, False
        if sent is not None:
            return sent, False
        body = request.body or b""
        return (hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256), True

    def _match(
        self,
        request: SignedRequest,
        key: SigningKey,
        scope: str,
        amz_date: str,
        parts: Mapping[str, str],
        payload: str,
        left_out: frozenset[str] | tuple[()],
        of_body: bool,
    ) -> Verified:
        date, region, service = scope.split("/")[:3]
        canonical = canonical_request(request, parts["SignedHeaders"], payload, service, left_out)
        text = "\n".join(
            (ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest())
        )
        signing_key = derived_key(key.secret_access_key, date, region, service)
        # hmac.digest: OpenSSL's one-shot HMAC, several times cheaper than hmac.new's object.
        expected = hmac.digest(signing_key, text.encode(), "sha256").hex()
        if not same_text(expected, parts["Signature"]):
            raise AuthFailure(
                BAD_SIGNATURE,
                access_key_id=key.access_key_id,
                StringToSign=text,
                SignatureProvided=parts["Signature"],
                CanonicalRequest=canonical,
            )
        if payload.startswith(STREAMING_PAYLOAD):
            chain = ChunkChain(signing_key, amz_date, scope, expected)
            return Verified(key.identity, key, chain=chain)
        if of_body:
            return Verified(key.identity, key)
        return _content_checked(request, key, payload)


def _content_checked(request: SignedRequest, key: SigningKey, payload: str) -> Verified:
    """A hex payload hash must be the body's: now if the body was read, else as it streams."""
    if len(payload) != 64:  # UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER
        return Verified(key.identity, key)
    if request.body is None:
        return Verified(key.identity, key, content_hash=payload)
    computed = hashlib.sha256(request.body).hexdigest()
    if computed != payload:
        raise AuthFailure(CONTENT_MISMATCH, client=payload, computed=computed)
    return Verified(key.identity, key)


def canonical_request(
    request: SignedRequest,
    signed_headers: str,
    payload: str,
    service: str,
    left_out: frozenset[str] | tuple[()] = (),
) -> str:
    """SigV4's canonical request, as botocore's SigV4Auth.canonical_request builds it."""
    path = request.path or "/"
    if service != "s3":  # every service but S3 signs its path URI-encoded twice
        path = _canonical_path(path)
    query = _canonical_query(request.query, left_out) if request.query else ""
    names = signed_headers.split(";")
    headers = "".join(f"{n}:{_signed_value(request.headers.get(n, ''))}\n" for n in names)
    return "\n".join((request.method, path, query, headers, signed_headers, payload))


@lru_cache(maxsize=1024)
def _canonical_path(path: str) -> str:
    """A path as SigV4 signs it (the same few paths repeat: a function's, a queue's)."""
    return quote(_remove_dot_segments(path), safe="/~")


def _canonical_query(query: str, left_out: frozenset[str] | tuple[()]) -> str:
    pairs = sorted(
        (quote(k, safe=_SAFE), quote(v, safe=_SAFE))
        for k, v in query_pairs(query)
        if k not in left_out
    )
    return "&".join(f"{k}={v}" for k, v in pairs)


@lru_cache(maxsize=4096)  # the same host, content type, ... on every request
def _signed_value(value: str) -> str:
    """A header's value as its signer saw it. The server reads header bytes as Latin-1;
    botocore signs the text (hashed as UTF-8) and sends it UTF-8 encoded, so bytes that are
    UTF-8 are that text (an S3 metadata value beyond ASCII), and others the Latin-1 text."""
    if not value.isascii():
        try:
            value = value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
    return " ".join(value.split())


@lru_cache(maxsize=256)
def derived_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's signing key: HMACs of the date, region, service and `aws4_request`, once per
    day and scope (the part of the cost that repeats for every request of a client)."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _auth_parts(text: str) -> dict[str, str]:
    """Credential, SignedHeaders and Signature. A client sends the same credential and signed
    headers on every request; only the signature after them changes, so that part's parse
    is cached."""
    head, sep, signature = text.rpartition("Signature=")
    if not sep or "," in signature or "=" in signature:
        return _parse_parts(text)
    return {**_parse_head(head), "Signature": signature.strip()}


@lru_cache(maxsize=256)
def _parse_head(head: str) -> dict[str, str]:
    return _parse_parts(head)


def _parse_parts(text: str) -> dict[str, str]:
    parts = {}
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts[name] = value
    return parts


def _incomplete_message(missing: list[str], amz_date: str | None, authorization: str) -> str:
    """IAM-style: "Authorization header requires 'Signature' parameter. ..." (AWS's words)."""
    needs = [f"Authorization header requires '{name}' parameter." for name in missing]
    if amz_date is None:
        needs.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    return " ".join(needs) + f" Authorization={authorization}"


def _presign_lifetime(text: str | None) -> int:
    if text is None:
        return MAX_PRESIGNED_S
    try:
        seconds = int(text)
    except ValueError:
        raise AuthFailure(BAD_QUERY, "X-Amz-Expires should be a number") from None
    if seconds < 0:
        raise AuthFailure(BAD_QUERY, "X-Amz-Expires must be non-negative")
    if seconds > MAX_PRESIGNED_S:
        raise AuthFailure(
            BAD_QUERY,
            f"X-Amz-Expires must be less than a week (in seconds) that is; {MAX_PRESIGNED_S}",
        )
    return seconds


def _http_date(text: str | None) -> str | None:
    """A `Date` header as X-Amz-Date's form (SigV4 takes either)."""
    moment = http_time(text)
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime(AMZ_DATE)


def _remove_dot_segments(path: str) -> str:
    if "." not in path and "//" not in path:
        return path
    from botocore.utils import normalize_url_path

    return normalize_url_path(path)
