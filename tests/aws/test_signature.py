"""SigV4/SigV2 verification against requests botocore signs (aws/signature.py,
aws/signature_v2.py)."""

from __future__ import annotations

import datetime
import hashlib
import time
from urllib.parse import urlsplit

import botocore.auth
import pytest
from botocore.auth import HmacV1QueryAuth, S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from overcast.aws.credentials import Identity, KeyRings, SigningKey
from overcast.aws.protocols.aws_chunked import ChunkedDecoder
from overcast.aws.sessions import SessionKeys, assumed_role_identity
from overcast.aws.signature import ChunkChain, Verifier
from overcast.aws.signed_request import (
    BAD_SIGNATURE,
    BAD_TOKEN,
    CONTENT_MISMATCH,
    EXPIRED_TOKEN,
    EXPIRED_URL,
    SKEWED,
    UNKNOWN_KEY,
    AuthFailure,
    SignedRequest,
)
from overcast.aws.signing_key import derived_key
from overcast.aws.sigv4 import Scope, scope_of
from support import aws_chunked

ROOT = Identity("arn:aws:iam::000000000000:root", "000000000000", "000000000000")
KEY = SigningKey("AKIAEXAMPLEEXAMPLE00", "secret/with+chars", ROOT)


class OneKey:
    def __init__(self, *keys: SigningKey) -> None:
        self.keys = {k.access_key_id: k for k in keys}

    def find(self, access_key_id: str) -> SigningKey | None:
        return self.keys.get(access_key_id)


def as_signed(request: AWSRequest, body: bytes | None = b"") -> SignedRequest:
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    if body is not None:
        body = prepared.body or b""
        body = body.encode() if isinstance(body, str) else body
    return SignedRequest(prepared.method, parts.path, parts.query, headers, body)


def signed(signer, url: str, method: str = "POST", data: bytes = b"", **headers: str):
    request = AWSRequest(method=method, url=url, data=data, headers=headers)
    signer.add_auth(request)
    return request


def creds(key: SigningKey = KEY) -> Credentials:
    return Credentials(key.access_key_id, key.secret_access_key, key.session_token)


def test_lambda_header_form_verifies_and_a_wrong_secret_does_not():
    url = "http://127.0.0.1:9000/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations?Qualifier=%24LATEST"
    request = signed(SigV4Auth(creds(), "lambda", "us-east-1"), url, data=b'{"a": 1}')
    verified = Verifier(OneKey(KEY)).verify(as_signed(request), "lambda")
    assert verified is not None and verified.identity == ROOT
    wrong = SigningKey(KEY.access_key_id, "other", ROOT)
    with pytest.raises(AuthFailure) as caught:
        Verifier(OneKey(wrong)).verify(as_signed(request), "lambda")
    assert caught.value.reason == BAD_SIGNATURE


def test_a_changed_body_breaks_the_signature():
    request = signed(SigV4Auth(creds(), "sqs", "us-east-1"), "http://h/", data=b"{}")
    parts = as_signed(request)
    tampered = SignedRequest(parts.method, parts.path, parts.query, parts.headers, b'{"x":1}')
    with pytest.raises(AuthFailure) as caught:
        Verifier(OneKey(KEY)).verify(tampered, "sqs")
    assert caught.value.reason == BAD_SIGNATURE


def test_query_protocol_form_body_verifies():
    body = b"Action=ListTopics&Version=2010-03-31&Name=a%20b"
    request = signed(
        SigV4Auth(creds(), "sns", "eu-west-1"),
        "http://h:1/",
        data=body,
        **{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert Verifier(OneKey(KEY)).verify(as_signed(request), "sns") is not None


def test_unknown_key_and_skew():
    request = signed(SigV4Auth(creds(), "lambda", "us-east-1"), "http://h/x")
    with pytest.raises(AuthFailure) as caught:
        Verifier(OneKey()).verify(as_signed(request), "lambda")
    assert caught.value.reason == UNKNOWN_KEY
    later = Verifier(OneKey(KEY), now=lambda: time.time() + 16 * 60)
    with pytest.raises(AuthFailure) as caught:
        later.verify(as_signed(request), "lambda")
    assert caught.value.reason == SKEWED


def test_unsigned_is_none():
    assert Verifier(OneKey(KEY)).verify(SignedRequest("GET", "/", "", {}), "s3") is None


def test_session_tokens_and_expiry():
    sessions = SessionKeys()
    key = sessions.issue(assumed_role_identity("arn:aws:iam::1:role/r", "f"), 60, durable=False)
    assert key.access_key_id.startswith("ASIA")
    request = signed(SigV4Auth(creds(key), "lambda", "us-east-1"), "http://h/x")
    verified = Verifier(KeyRings([sessions])).verify(as_signed(request), "lambda")
    assert verified.identity.arn == "arn:aws:sts::1:assumed-role/r/f"
    assert verified.identity.user_id.startswith("AROA") and verified.identity.user_id.endswith(":f")
    without = signed(
        SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), "lambda", "us-east-1"),
        "http://h/x",
    )
    with pytest.raises(AuthFailure) as caught:
        Verifier(sessions).verify(as_signed(without), "lambda")
    assert caught.value.reason == BAD_TOKEN
    late = Verifier(sessions, now=lambda: time.time() + 61)
    with pytest.raises(AuthFailure) as caught:
        late.verify(as_signed(request), "lambda")
    assert caught.value.reason == EXPIRED_TOKEN


def test_s3_header_presigned_v4_and_v2():
    url = "http://127.0.0.1:9000/bucket/a%20key%2Bplus?tagging"
    s3 = signed(S3SigV4Auth(creds(), "s3", "us-east-1"), url, method="PUT", data=b"<x/>")
    verifier = Verifier(OneKey(KEY))
    assert verifier.verify(as_signed(s3), "s3") is not None
    v4 = S3SigV4QueryAuth(creds(), "s3", "us-east-1", expires=60)
    presigned = signed(v4, "http://127.0.0.1:9000/bucket/k?versionId=1", method="GET")
    assert verifier.verify(as_signed(presigned, None), "s3") is not None
    late = Verifier(OneKey(KEY), now=lambda: time.time() + 120)
    with pytest.raises(AuthFailure) as caught:
        late.verify(as_signed(presigned, None), "s3")
    assert caught.value.reason == EXPIRED_URL
    v2 = signed(
        HmacV1QueryAuth(creds(), expires=60), "http://127.0.0.1:9000/bucket/k", method="GET"
    )
    assert verifier.verify(as_signed(v2, None), "s3") is not None
    with pytest.raises(AuthFailure) as caught:
        late.verify(as_signed(v2, None), "s3")
    assert caught.value.reason == EXPIRED_URL


def test_s3_content_hash_must_match_the_body():
    request = signed(
        S3SigV4Auth(creds(), "s3", "us-east-1"), "http://h/b/k", method="PUT", data=b"abc"
    )
    parts = as_signed(request)
    other = SignedRequest(parts.method, parts.path, parts.query, parts.headers, b"abd")
    with pytest.raises(AuthFailure) as caught:
        Verifier(OneKey(KEY)).verify(other, "s3")
    assert caught.value.reason == CONTENT_MISMATCH
    streamed = SignedRequest(parts.method, parts.path, parts.query, parts.headers, None)
    verified = Verifier(OneKey(KEY)).verify(streamed, "s3")
    assert verified.content_hash == hashlib.sha256(b"abc").hexdigest()


class StreamingAuth(S3SigV4Auth):
    def payload(self, request):
        return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


def test_streaming_chunk_signatures_are_chained():
    request = AWSRequest(
        method="PUT", url="http://h/b/k", headers={"x-amz-decoded-content-length": "8"}
    )
    StreamingAuth(creds(), "s3", "us-east-1").add_auth(request)
    parts = as_signed(request)
    streamed = SignedRequest(parts.method, parts.path, parts.query, parts.headers, None)
    verified = Verifier(OneKey(KEY)).verify(streamed, "s3")
    chain = verified.chain
    seed = parts.headers["authorization"].rsplit("Signature=", 1)[1]
    key = derived_key(KEY.secret_access_key, chain.amz_date[:8], "us-east-1", "s3")
    body = aws_chunked(key, chain.amz_date, chain.scope, seed, [b"abcd", b"efgh"])
    decoder = ChunkedDecoder(chain)
    assert b"".join(decoder.feed(body)) == b"abcdefgh"
    tampered = body.replace(b"efgh", b"efgX")
    verified = Verifier(OneKey(KEY)).verify(streamed, "s3")
    with pytest.raises(AuthFailure) as caught:
        ChunkedDecoder(verified.chain).feed(tampered)
    assert caught.value.reason == BAD_SIGNATURE


def test_a_non_ascii_chunk_signature_is_a_wrong_one():
    """A client's bytes beyond ASCII (read as Latin-1 text) in a chunk's signature are a
    mismatch, not a TypeError from hmac.compare_digest."""
    chain = ChunkChain(b"k" * 32, "20260101T000000Z", "20260101/us-east-1/s3/aws4_request", "0")
    with pytest.raises(AuthFailure) as caught:
        ChunkedDecoder(chain).feed(b"1;chunk-signature=" + "\u00e9".encode("latin-1") + b"\r\nx")
    assert caught.value.reason == BAD_SIGNATURE


def test_a_verifier_reads_each_requests_date_anew(monkeypatch):
    """The verifier keeps the latest X-Amz-Date's reading; a request signed at another
    moment is still read, and refused when out of the 15 minutes."""
    verifier = Verifier(OneKey(KEY))
    fresh = as_signed(signed(SigV4Auth(creds(), "lambda", "us-east-1"), "http://h/x"))
    assert verifier.verify(fresh, "lambda") is not None
    earlier = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: earlier)
    stale = as_signed(signed(SigV4Auth(creds(), "lambda", "us-east-1"), "http://h/x"))
    with pytest.raises(AuthFailure) as caught:
        verifier.verify(stale, "lambda")
    assert caught.value.reason == SKEWED
    assert verifier.verify(fresh, "lambda") is not None
    with pytest.raises(AuthFailure):
        verifier.verify(stale, "lambda")


def test_header_values_are_signed_as_sent_on_every_request():
    """What is kept between requests (the canonical request's fixed lines, header values
    seen before) changes no verdict: a value needing trimming verifies again and again, and
    another value for a header of the same shape is checked anew."""
    verifier = Verifier(OneKey(KEY))
    url = "http://h/2015-03-31/functions/f%25x/invocations?Qualifier=%241"
    for _ in range(2):
        request = signed(SigV4Auth(creds(), "lambda", "us-east-1"), url, **{"X-Tag": " a   b "})
        assert verifier.verify(as_signed(request), "lambda") is not None
    tampered = as_signed(request)
    tampered.headers["x-tag"] = "a c"
    with pytest.raises(AuthFailure) as caught:
        verifier.verify(tampered, "lambda")
    assert caught.value.reason == BAD_SIGNATURE


def test_a_verified_credential_gives_the_context_scope_scope_of_would_read():
    """The request context takes a verified header signature's scope instead of reading the
    Authorization header again (sigv4.scope_of): the same answer, or None where scope_of
    would not read the credential's region (then it is read as before)."""
    verifier = Verifier(OneKey(KEY))
    for region, expected in (("eu-west-1", "eu-west-1"), ("EU_West", None)):
        request = as_signed(signed(SigV4Auth(creds(), "lambda", region), "http://h/x"))
        verified = verifier.verify(request, "lambda")
        assert verified is not None
        read = scope_of(request.headers)
        if expected is None:
            assert verified.scope is None and read.region == "us-east-1"
        else:
            assert verified.scope == read == Scope(KEY.access_key_id, expected, "lambda")
