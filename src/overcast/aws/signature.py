"""Verifying a request's signature, as AWS does before anything else: SigV4 in its header
and presigned-query forms (every service), and S3's SigV2 (`Authorization: AWS id:sig`, and
the `AWSAccessKeyId`/`Signature`/`Expires` URL botocore still presigns S3 with).

The canonical request is built as botocore builds it (botocore/auth.py: SigV4Auth,
S3SigV4Auth, SigV4QueryAuth, HmacV1Auth): the path as sent (URI-encoded once more except for
S3), the query's pairs encoded and sorted, the signed headers' trimmed values, and the payload
hash (`x-amz-content-sha256` where sent, else the body's; S3's presigned URLs sign
`UNSIGNED-PAYLOAD`). The signing key is derived once per (secret, date, region, service).

A failure raises `AuthFailure` with its reason; each protocol words it as AWS does
(aws/auth_errors.py, and S3's own errors).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote, unquote

from overcast.aws.credentials import Identity, KeyRing, SigningKey
from overcast.aws.errors import OvercastError

ALGORITHM = "AWS4-HMAC-SHA256"
MISSING_HEADER = "Missing required header for this request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW_S = 15 * 60  # AWS refuses a request signed more than 15 minutes away from now
MAX_PRESIGNED_S = 7 * 24 * 3600  # a SigV4 presigned URL lives a week at most
AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SAFE = "-_.~"
# Names no client signs (botocore's SIGNED_HEADERS_BLACKLIST is the client's side of this).
_QUERY_AUTH = frozenset({"X-Amz-Signature"})


def same_text(expected: str, provided: str) -> bool:
    """Whether `provided` (a signature, a session token: whatever the client sent) is
    `expected`, compared in constant time. As bytes: hmac.compare_digest refuses two str
    unless both are ASCII (a TypeError, which would be a 500), and a header read as Latin-1
    may hold anything; `surrogatepass` lets every str encode."""
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), provided.encode("utf-8", "surrogatepass")
    )


class AuthFailure(OvercastError):
    """Raised when a request's credentials or signature do not hold. `reason` is one of
    the module's reasons; `details` are what AWS's answer names (StringToSign, times...)."""

    def __init__(self, reason: str, message: str = "", **details: object) -> None:
        super().__init__(message or reason)
        self.reason, self.message, self.details = reason, message, details


# The reasons, each answered in its protocol's words (aws/auth_errors.py).
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
    """A verified request's signer, and what a streamed body must still match."""

    identity: Identity
    key: SigningKey
    content_hash: str | None = None  # S3: a hex x-amz-content-sha256 the body must have
    chain: ChunkChain | None = None  # S3: a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body's chain


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
                return self._header_v2(request, authorization)
            raise AuthFailure(INCOMPLETE, "Unsupported Authorization Type")
        if "X-Amz-Signature" in request.query or "X-Amz-Credential" in request.query:
            return self._query_v4(request, _query_pairs(request.query), service)
        if service == "s3" and "Signature=" in request.query:
            return self._query_v2(request, dict(_query_pairs(request.query)))
        return None

    # --- SigV4 ---

    def _header_v4(self, request: SignedRequest, authorization: str, service: str) -> Verified:
        parts = _auth_parts(authorization[len(ALGORITHM) :])
        missing = [p for p in ("Credential", "SignedHeaders", "Signature") if p not in parts]
        amz_date = request.headers.get("x-amz-date") or _http_date(request.headers.get("date"))
        if missing or amz_date is None:
            raise AuthFailure(INCOMPLETE, _incomplete_message(missing, amz_date, authorization))
        key, scope = self._scoped_key(parts["Credential"], amz_date, service)
        self._check_token(key, request.headers.get("x-amz-security-token"))
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
        signed = _parse_amz_date(amz_date, BAD_QUERY)
        expires = _presign_lifetime(query.get("X-Amz-Expires"))
        key, scope = self._scoped_key(query["X-Amz-Credential"], amz_date, service)
        self._check_token(key, query.get("X-Amz-Security-Token"))
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
        key = self.keys.find(fields[0])
        if key is None or not key.active:
            raise AuthFailure(UNKNOWN_KEY, access_key_id=fields[0])
        if fields[1] != amz_date[:8]:
            raise AuthFailure(
                INCOMPLETE,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                "date from HTTP",
            )
        return key, "/".join(fields[1:])

    def _check_token(self, key: SigningKey, token: str | None) -> None:
        if key.session_token is None:
            if token:  # a token with a long-term key: AWS takes it as an invalid token
                raise AuthFailure(BAD_TOKEN, access_key_id=key.access_key_id)
            return
        if token is None or not same_text(key.session_token, token):
            raise AuthFailure(BAD_TOKEN, access_key_id=key.access_key_id)
        if key.expires_ms is not None and self.now() * 1000 >= key.expires_ms:
            raise AuthFailure(EXPIRED_TOKEN, access_key_id=key.access_key_id)

    def _check_time(self, amz_date: str) -> None:
        signed, now = _parse_amz_date(amz_date, INCOMPLETE), self.now()
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

    # --- S3's browser POST: a signature over the form's policy ---

    def verify_policy(self, form: Mapping[str, str]) -> Verified:
        """The signer of a POST form's base64 `policy` (fields by lower-case name): SigV4's
        `x-amz-signature`, the hex HMAC-SHA256 of the policy under the key derived for
        `x-amz-credential`'s scope, or SigV2's `signature`, the base64 HMAC-SHA1 of the
        policy under the secret ("Authenticating requests in browser-based uploads using
        POST", S3 API Reference). Raises AuthFailure."""
        policy = form.get("policy", "")
        if form.get("x-amz-algorithm") == ALGORITHM or "x-amz-credential" in form:
            return self._policy_v4(form, policy)
        key = self._v2_key(form.get("awsaccesskeyid", ""), form.get("x-amz-security-token"))
        provided = form.get("signature", "")
        secret = key.secret_access_key.encode()
        expected = base64.b64encode(hmac.digest(secret, policy.encode(), "sha1")).decode()
        if not same_text(expected, provided):
            raise _policy_mismatch(key, policy, provided)
        return Verified(key.identity, key)

    def _policy_v4(self, form: Mapping[str, str], policy: str) -> Verified:
        credential = form.get("x-amz-credential", "")
        fields = credential.split("/")
        if len(fields) != 5 or fields[4] != "aws4_request":
            raise AuthFailure(INCOMPLETE, f"Credential should be scoped correctly: {credential}")
        key = self.keys.find(fields[0])
        if key is None or not key.active:
            raise AuthFailure(UNKNOWN_KEY, access_key_id=fields[0])
        self._check_token(key, form.get("x-amz-security-token"))
        signing_key = derived_key(key.secret_access_key, *fields[1:4])
        expected = hmac.digest(signing_key, policy.encode(), "sha256").hex()
        provided = form.get("x-amz-signature", "")
        if not same_text(expected, provided):
            raise _policy_mismatch(key, policy, provided)
        return Verified(key.identity, key)

    # --- S3's SigV2 ---

    def _header_v2(self, request: SignedRequest, authorization: str) -> Verified:
        access_key_id, sep, signature = authorization[4:].rpartition(":")
        if not sep:
            raise AuthFailure(INCOMPLETE, "Authorization header is invalid")
        key = self._v2_key(access_key_id, request.headers.get("x-amz-security-token"))
        date = request.headers.get("x-amz-date") or request.headers.get("date")
        signed = _http_time(date)
        if signed is None:
            raise AuthFailure(
                INCOMPLETE, "AWS authentication requires a valid Date or x-amz-date header"
            )
        if abs(self.now() - signed) > MAX_SKEW_S:
            raise AuthFailure(SKEWED, signed=signed, now=self.now())
        return self._match_v2(request, key, signature, None)

    def _query_v2(self, request: SignedRequest, query: dict[str, str]) -> Verified:
        if "AWSAccessKeyId" not in query or "Expires" not in query:
            raise AuthFailure(
                BAD_QUERY,
                "Query-string authentication requires the Signature, Expires and "
                "AWSAccessKeyId parameters",
            )
        key = self._v2_key(query["AWSAccessKeyId"], query.get("x-amz-security-token"))
        try:
            expires = int(query["Expires"])
        except ValueError:
            raise AuthFailure(BAD_QUERY, "Expires is not valid") from None
        now = self.now()
        if now > expires:
            raise AuthFailure(EXPIRED_URL, "Request has expired", expires=expires, now=now)
        return self._match_v2(request, key, query["Signature"], str(expires))

    def _v2_key(self, access_key_id: str, token: str | None) -> SigningKey:
        key = self.keys.find(access_key_id)
        if key is None or not key.active:
            raise AuthFailure(UNKNOWN_KEY, access_key_id=access_key_id)
        self._check_token(key, token)
        return key

    def _match_v2(
        self, request: SignedRequest, key: SigningKey, signature: str, expires: str | None
    ) -> Verified:
        text = v2_string_to_sign(request, expires)
        if not _v2_matches(key, text, signature):
            raise AuthFailure(
                BAD_SIGNATURE,
                access_key_id=key.access_key_id,
                StringToSign=text,
                SignatureProvided=signature,
            )
        return Verified(key.identity, key)


def _policy_mismatch(key: SigningKey, policy: str, provided: str) -> AuthFailure:
    # S3's SignatureDoesNotMatch for a form: the string it signs is the policy itself.
    return AuthFailure(
        BAD_SIGNATURE,
        access_key_id=key.access_key_id,
        StringToSign=policy,
        SignatureProvided=provided,
    )


def _v2_matches(key: SigningKey, text: str, signature: str) -> bool:
    """Whether `signature` signs `text`, or the same with a bucket's resource written
    `/bucket/`: botocore (and S3's documentation) sign a path-style bucket so, with the
    slash its URL leaves out (`/bucket?versions` is signed as `/bucket/?versions`)."""
    candidates = [text]
    resource = text.rsplit("\n", 1)[-1]
    path, mark, sub = resource.partition("?")
    if path.count("/") == 1 and len(path) > 1:
        candidates.append(f"{text[: len(text) - len(resource)]}{path}/{mark}{sub}")
    secret = key.secret_access_key.encode()
    return any(
        same_text(
            base64.b64encode(hmac.digest(secret, c.encode(), "sha1")).decode(),
            signature,
        )
        for c in candidates
    )


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
        for k, v in _query_pairs(query)
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


def v2_string_to_sign(request: SignedRequest, expires: str | None) -> str:
    """S3's SigV2 string to sign (verb, Content-MD5, Content-Type, Date or a presigned URL's
    Expires, the x-amz-* headers, the resource with its sub-resources), as botocore's
    HmacV1Auth builds it; its canonical_resource is reused as is."""
    from botocore.auth import HmacV1Auth

    headers = request.headers
    if expires is not None:
        date = expires
    else:
        date = "" if "x-amz-date" in headers else headers.get("date", "")
    amz = sorted(
        (name.lower(), ",".join(v.strip() for v in value.split(",")))
        for name, value in headers.items()
        if name.lower().startswith("x-amz-")
    )
    lines = [request.method, headers.get("content-md5", ""), headers.get("content-type", "")]
    lines += [date, *(f"{name}:{value}" for name, value in amz)]
    resource = HmacV1Auth(None).canonical_resource(_Split(request.path, request.query))
    return "\n".join([*lines, resource])


@dataclass(frozen=True)
class _Split:
    path: str
    query: str


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


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


@lru_cache(maxsize=64)
def _parse_amz_date(text: str, reason: str) -> float:
    # By hand, not strptime (a third of a verification's cost): yyyyMMdd'T'HHmmss'Z'; and
    # cached, since a client's requests within a second carry the same stamp.
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


def _http_time(text: str | None) -> float | None:
    if not text:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        try:
            return _parse_amz_date(text, INCOMPLETE)
        except AuthFailure:
            return None


def _http_date(text: str | None) -> str | None:
    """A `Date` header as X-Amz-Date's form (SigV4 takes either)."""
    moment = _http_time(text)
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime(AMZ_DATE)


def _remove_dot_segments(path: str) -> str:
    if "." not in path and "//" not in path:
        return path
    from botocore.utils import normalize_url_path

    return normalize_url_path(path)
