"""S3's SigV2, which only S3 still takes: `Authorization: AWS <key id>:<signature>`, and the
`AWSAccessKeyId` / `Signature` / `Expires` URL botocore still presigns S3 with.

The signature is the base64 HMAC-SHA1, under the secret, of the string botocore's
HmacV1Auth signs (verb, Content-MD5, Content-Type, Date or the URL's Expires, the x-amz-*
headers, the resource with its sub-resources).
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.credentials import KeyRing, SigningKey
from overcast.aws.signed_request import (
    BAD_QUERY,
    BAD_SIGNATURE,
    EXPIRED_URL,
    INCOMPLETE,
    MAX_SKEW_S,
    SKEWED,
    AuthFailure,
    SignedParts,
    Verified,
    check_token,
    http_time,
    known_key,
    same_text,
)


def verify_header(
    keys: KeyRing, request: SignedParts, authorization: str, now: Callable[[], float]
) -> Verified:
    """The signer of a request signed `Authorization: AWS id:signature`."""
    access_key_id, sep, signature = authorization[4:].rpartition(":")
    if not sep:
        raise AuthFailure(INCOMPLETE, "Authorization header is invalid")
    key = known_key(keys, access_key_id)
    check_token(key, request.headers.get("x-amz-security-token"), now)
    date = request.headers.get("x-amz-date") or request.headers.get("date")
    signed = http_time(date)
    if signed is None:
        raise AuthFailure(
            INCOMPLETE, "AWS authentication requires a valid Date or x-amz-date header"
        )
    if abs(now() - signed) > MAX_SKEW_S:
        raise AuthFailure(SKEWED, signed=signed, now=now())
    return _match(request, key, signature, None)


def verify_query(
    keys: KeyRing, request: SignedParts, query: dict[str, str], now: Callable[[], float]
) -> Verified:
    """The signer of a SigV2 presigned URL (`query`: its decoded parameters)."""
    if "AWSAccessKeyId" not in query or "Expires" not in query:
        raise AuthFailure(
            BAD_QUERY,
            "Query-string authentication requires the Signature, Expires and "
            "AWSAccessKeyId parameters",
        )
    key = known_key(keys, query["AWSAccessKeyId"])
    check_token(key, query.get("x-amz-security-token"), now)
    try:
        expires = int(query["Expires"])
    except ValueError:
        raise AuthFailure(BAD_QUERY, "Expires is not valid") from None
    moment = now()
    if moment > expires:
        raise AuthFailure(EXPIRED_URL, "Request has expired", expires=expires, now=moment)
    return _match(request, key, query["Signature"], str(expires))


def _match(request: SignedParts, key: SigningKey, signature: str, expires: str | None) -> Verified:
    text = string_to_sign(request, expires)
    if not _matches(key, text, signature):
        raise AuthFailure(
            BAD_SIGNATURE,
            access_key_id=key.access_key_id,
            StringToSign=text,
            SignatureProvided=signature,
        )
    return Verified(key.identity, key)


def _matches(key: SigningKey, text: str, signature: str) -> bool:
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
        same_text(base64.b64encode(hmac.digest(secret, c.encode(), "sha1")).decode(), signature)
        for c in candidates
    )


def string_to_sign(request: SignedParts, expires: str | None) -> str:
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
