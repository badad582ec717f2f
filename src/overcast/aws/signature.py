"""Verifying a request's SigV4 signature, as AWS does before anything else, in its header
and presigned-query forms (every service). S3's SigV2 is signature_v2.py's, and its browser
POST form's signature form_signature.py's; what they share (the request, the verdict, the
failure and its reasons) is signed_request.py's.

The string to sign is botocore's (SigV4Auth, S3SigV4Auth, SigV4QueryAuth): the algorithm,
the request's date, the credential's scope, and the SHA-256 of the canonical request
(canonical_request.py), whose payload hash is `x-amz-content-sha256` where sent, else the
body's (S3's presigned URLs sign `UNSIGNED-PAYLOAD`). It is signed by HMAC under the key
derived for the scope (signing_key.py).

Cost: a warm Invoke verifies its signature on every request, so what repeats from one
request of a client to the next (the Authorization header's credential and signed headers,
the derived key and its HMAC set-up, the path's encoding) is worked out once and cached;
what the signature covers (date, headers, path, body) is read from each request anew.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections import ChainMap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from overcast.aws import signature_v2
from overcast.aws._memo import remember
from overcast.aws.canonical_request import CanonicalHashes, canonical_request, header_names
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
    UNKNOWN_KEY,
    WRONG_SERVICE,
    AuthFailure,
    SignedParts,
    SignedRequest,
    Verified,
    check_token,
    http_time,
    parse_amz_date,
    query_pairs,
    same_text,
)
from overcast.aws.signing_key import ALGORITHM, Signer, signer_for, string_to_sign
from overcast.aws.sigv4 import Scope as ContextScope

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_PRESIGNED_S = 7 * 24 * 3600  # a SigV4 presigned URL lives a week at most
AMZ_DATE = "%Y%m%dT%H%M%SZ"
# Names no client signs (botocore's SIGNED_HEADERS_BLACKLIST is the client's side of this).
_QUERY_AUTH = frozenset({"X-Amz-Signature"})


@dataclass(frozen=True, slots=True)
class Scope:
    """A SigV4 credential (`AKID/20260101/us-east-1/lambda/aws4_request`), taken apart."""

    access_key_id: str
    date: str
    region: str
    service: str
    text: str  # the scope as signed: `20260101/us-east-1/lambda/aws4_request`


AUTHORITY = ":authority"


@dataclass(frozen=True, slots=True)
class Signing:
    """What a signature says before its signature proper: who signs, in which scope, over
    which headers. The same on every request of a client, so worked out once (`signing`)."""

    credential: str | None
    signed_headers: str | None
    scope: Scope | None  # None for a credential that is not scoped correctly
    names: tuple[str, ...]  # the signed headers' names
    complete: bool  # both credential and signed headers given
    # Per secret of the key named (one: a key's secret is fixed), the latest key object
    # found, the scope's signer under its secret, and the verdict of its requests.
    keyed: dict[str, tuple[SigningKey, Signer, Verified]] = field(compare=False)
    # The hashes of the canonical requests it signs in the header form (None if incomplete).
    hashes: CanonicalHashes | None = field(compare=False)
    # Whether HTTP/2's `:authority` is signed (the JavaScript SDK signs it, not `host`, when
    # it sends a request over HTTP/2): its value is the host the ASGI scope carries.
    authority: bool = False


@lru_cache(maxsize=1024)
def signing(credential: str | None, signed_headers: str | None) -> Signing:
    scope = None
    if credential is not None:
        fields = credential.split("/")
        if len(fields) == 5 and fields[4] == "aws4_request":
            scope = Scope(*fields[:4], "/".join(fields[1:]))
    names = header_names(signed_headers) if signed_headers is not None else ()
    complete = credential is not None and signed_headers is not None
    hashes = None
    if complete and scope is not None:
        hashes = CanonicalHashes(names, signed_headers, scope.service)
    authority = AUTHORITY in names
    return Signing(credential, signed_headers, scope, names, complete, {}, hashes, authority)


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
        # The keys that never change (the root key's: KeyRings.fixed), found without a call.
        self._fixed: dict[str, SigningKey] = getattr(keys, "fixed", {})
        self._latest = ("", 0.0)  # the latest X-Amz-Date read, and its epoch seconds

    def verify(self, request: SignedParts, service: str) -> Verified | None:
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

    def _header_v4(self, request: SignedParts, authorization: str, service: str) -> Verified:
        head, sep, signature = authorization.rpartition("Signature=")
        if sep and "," not in signature and "=" not in signature:
            signs = _HEAD_SIGNINGS.get(head) or _head_signing(head)
            signature = signature.strip()
        else:  # no signature, or one not last: the header's every part, uncached
            parts = _parse_parts(authorization[len(ALGORITHM) :])
            signs = signing(parts.get("Credential"), parts.get("SignedHeaders"))
            signature = parts.get("Signature")
        headers = request.headers
        amz_date = headers.get("x-amz-date") or _http_date(headers.get("date"))
        if amz_date is None or signature is None or not signs.complete:
            raise AuthFailure(INCOMPLETE, _incomplete(signs, signature, amz_date, authorization))
        scope = signs.scope  # _scoped_key's checks, without its call where they hold
        key = None
        if scope is not None:  # the root key by a dict lookup; others by their rings
            key = self._fixed.get(scope.access_key_id) or self.keys.find(scope.access_key_id)
        if key is None or not key.active or scope.date != amz_date[:8]:
            key = self._scoped_key(signs, amz_date)  # raises the failure as it words it
        if scope.service != service:
            raise _wrong_service(scope.service, service)
        token = headers.get("x-amz-security-token")
        if token is not None or key.session_token is not None:
            check_token(key, token, self.now)
        stamp, signed = self._latest
        if stamp != amz_date:  # a client's requests within a second carry the same stamp
            signed = parse_amz_date(amz_date, INCOMPLETE)
            self._latest = (amz_date, signed)  # replaced whole: thread-safe
        if abs(self.now() - signed) > MAX_SKEW_S:
            self._check_time(amz_date)
        if service != "s3" and "x-amz-content-sha256" not in headers:
            body = request.body  # the usual case, worked out here: _payload_hash's first
            payload = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
            return self._match(request, key, signs, amz_date, signature, payload, (), True)
        payload, of_body = _payload_hash(request, service, query_form=False)
        return self._match(request, key, signs, amz_date, signature, payload, (), of_body)

    def _query_v4(
        self, request: SignedParts, pairs: list[tuple[str, str]], service: str
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
        signs = signing(query["X-Amz-Credential"], query["X-Amz-SignedHeaders"])
        key = self._scoped_key(signs, amz_date)
        if signs.scope.service != service:
            raise _wrong_service(signs.scope.service, service)
        check_token(key, query.get("X-Amz-Security-Token"), self.now)
        now = self.now()
        if now > signed + expires:
            raise AuthFailure(EXPIRED_URL, "Request has expired", expires=signed + expires, now=now)
        if signed - now > MAX_SKEW_S:
            self._check_time(amz_date)
        signature = query["X-Amz-Signature"]
        payload, of_body = _payload_hash(request, service, query_form=True)
        return self._match(request, key, signs, amz_date, signature, payload, _QUERY_AUTH, of_body)

    def _scoped_key(self, signs: Signing, amz_date: str) -> SigningKey:
        scope = signs.scope
        if scope is None:
            raise AuthFailure(
                INCOMPLETE, f"Credential should be scoped correctly: {signs.credential}"
            )
        key = self.keys.find(scope.access_key_id)
        if key is None or not key.active:  # known_key's check, without its call
            raise AuthFailure(UNKNOWN_KEY, access_key_id=scope.access_key_id)
        if scope.date != amz_date[:8]:
            raise AuthFailure(
                INCOMPLETE,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                "date from HTTP",
            )
        return key

    def _check_time(self, amz_date: str) -> None:
        signed, now = parse_amz_date(amz_date, INCOMPLETE), self.now()
        if abs(now - signed) > MAX_SKEW_S:
            raise AuthFailure(SKEWED, signed=signed, now=now)

    def _match(
        self,
        request: SignedParts,
        key: SigningKey,
        signs: Signing,
        amz_date: str,
        signature: str,
        payload: str,
        left_out: frozenset[str] | tuple[()],
        of_body: bool,
    ) -> Verified:
        scope, hashes = signs.scope, signs.hashes
        assert scope is not None and hashes is not None
        if signs.authority:
            request = SignedRequest(
                request.method,
                request.path,
                request.query,
                ChainMap({AUTHORITY: request.headers.get("host", "")}, request.headers),
                request.body,
            )
        canonical = None  # its text is made here only for a presigned URL, or a refusal
        if left_out:
            canonical = canonical_request(
                request.method,
                request.path,
                request.query,
                request.headers,
                signs.names,
                hashes.signed_headers,
                payload,
                scope.service,
                left_out,
            )
            digest = hashlib.sha256(canonical.encode()).hexdigest()
        else:
            digest = hashes.hexdigest(request, payload)
        secret = key.secret_access_key
        kept = signs.keyed.get(secret)
        if kept is None or kept[0] is not key:  # the same key object: the same verdict
            verified = Verified(key.identity, key, scope=_context_scope(key, scope))
            kept = (key, signer_for(secret, scope.text), verified)
            remember(signs.keyed, secret, kept, 4)
        signer = kept[1]
        expected = signer.signature(amz_date, digest)
        # Constant-time, as same_text; a signature beyond ASCII is no hex one: wrong.
        if not (signature.isascii() and hmac.compare_digest(expected, signature)):
            raise AuthFailure(
                BAD_SIGNATURE,
                access_key_id=key.access_key_id,
                StringToSign=string_to_sign(amz_date, scope.text, digest),
                SignatureProvided=signature,
                CanonicalRequest=canonical or hashes.text(request, payload),
            )
        if of_body:
            return kept[2]
        if payload.startswith(STREAMING_PAYLOAD):
            chain = ChunkChain(signer.key, amz_date, scope.text, expected)
            return Verified(key.identity, key, chain=chain)
        return _content_checked(request, key, payload)


def _context_scope(key: SigningKey, scope: Scope) -> ContextScope | None:
    """The request context's scope of a verified credential: what sigv4.scope_of reads from
    a credential whose region is of the characters it reads (else None: it reads that)."""
    if _REGION.fullmatch(scope.region) is None:
        return None
    return ContextScope(key.access_key_id, scope.region, scope.service)


_REGION = re.compile(r"[a-z0-9-]+")


def _payload_hash(request: SignedParts, service: str, query_form: bool) -> tuple[str, bool]:
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
    body = request.body
    return (hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256), True


def _content_checked(request: SignedParts, key: SigningKey, payload: str) -> Verified:
    """A hex payload hash must be the body's: now if the body was read, else as it streams."""
    if len(payload) != 64:  # UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER
        return Verified(key.identity, key)
    if request.body is None:
        return Verified(key.identity, key, content_hash=payload)
    computed = hashlib.sha256(request.body).hexdigest()
    if computed != payload:
        raise AuthFailure(CONTENT_MISMATCH, client=payload, computed=computed)
    return Verified(key.identity, key)


def _head_signing(head: str) -> Signing:
    """The Signing of an Authorization header's parts before `Signature=` (remembered: a
    client sends the same credential and signed headers every time)."""
    parts = _parse_parts(head[len(ALGORITHM) :])
    return remember(
        _HEAD_SIGNINGS, head, signing(parts.get("Credential"), parts.get("SignedHeaders")), 256
    )


_HEAD_SIGNINGS: dict[str, Signing] = {}


def _parse_parts(text: str) -> dict[str, str]:
    parts = {}
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts[name] = value
    return parts


def _incomplete(
    signs: Signing, signature: str | None, amz_date: str | None, authorization: str
) -> str:
    """IAM-style: "Authorization header requires 'Signature' parameter. ..." (AWS's words)."""
    parts = {
        "Credential": signs.credential,
        "SignedHeaders": signs.signed_headers,
        "Signature": signature,
    }
    needs = [
        f"Authorization header requires '{n}' parameter." for n, v in parts.items() if v is None
    ]
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


def _wrong_service(signed_for: str, service: str) -> AuthFailure:
    """A signature scoped to another service than the one that answers (a credential scope
    naming `sqs` on a DynamoDB request): AWS refuses it, in these words ("Credential should
    be scoped to correct service: 'batch'. ", as AWS's answers quoted in public reports
    read; the trailing space is AWS's)."""
    return AuthFailure(
        WRONG_SERVICE,
        f"Credential should be scoped to correct service: '{service}'. ",
        signed_for=signed_for,
        service=service,
    )
