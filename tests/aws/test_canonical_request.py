"""aws/canonical_request.py: the canonical request botocore signs, and a client's
CanonicalHashes, whose kept hash states never change what a request hashes to."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from overcast.aws.canonical_request import CanonicalHashes, header_names
from overcast.aws.signed_request import SignedRequest

PAYLOAD = hashlib.sha256(b"{}").hexdigest()
SIGNED_HEADERS = "host;x-amz-date;x-tag"


def botocore_request(url: str, **headers: str) -> tuple[AWSRequest, SignedRequest]:
    """A request as botocore signs it, and as the server reads it."""
    headers["X-Amz-Date"] = "20260101T000000Z"
    request = AWSRequest(method="POST", url=url, data=b"{}", headers=headers)
    parts = urlsplit(url)
    read = {k.lower(): v for k, v in request.headers.items()}
    read["host"] = parts.netloc
    return request, SignedRequest("POST", parts.path, parts.query, read, b"{}")


def botocore_canonical(request: AWSRequest) -> str:
    signer = SigV4Auth(Credentials("AKID", "secret"), "lambda", "us-east-1")
    return signer.canonical_request(request)


def hashes() -> CanonicalHashes:
    return CanonicalHashes(header_names(SIGNED_HEADERS), SIGNED_HEADERS, "lambda")


def test_the_hash_is_of_botocores_canonical_request_each_time():
    kept = hashes()
    url = "http://h:4566/2015-03-31/functions/f%25x/invocations?Qualifier=%241"
    request, read = botocore_request(url, **{"X-Tag": " a   b "})
    expected = hashlib.sha256(botocore_canonical(request).encode()).hexdigest()
    assert kept.text(read, PAYLOAD) == botocore_canonical(request)
    for _ in range(3):  # hashed whole, then from the kept state
        assert kept.hexdigest(read, PAYLOAD) == expected


def test_whatever_differs_from_a_kept_request_is_hashed_anew():
    kept = hashes()
    url = "http://h/2015-03-31/functions/f/invocations"
    _, first = botocore_request(url, **{"X-Tag": "a"})
    kept.hexdigest(first, PAYLOAD)
    variants = [
        botocore_request(url, **{"X-Tag": "b"}),  # a header's value
        botocore_request(url.replace("/f/", "/g/"), **{"X-Tag": "a"}),  # the path
        botocore_request(url + "?Qualifier=1", **{"X-Tag": "a"}),  # the query
    ]
    for request, read in variants:
        canonical = botocore_canonical(request)
        assert kept.hexdigest(read, PAYLOAD) == hashlib.sha256(canonical.encode()).hexdigest()
    other = hashlib.sha256(b"other").hexdigest()  # the payload hash: never kept
    expected = hashlib.sha256(kept.text(first, other).encode()).hexdigest()
    assert kept.hexdigest(first, other) == expected
    put = SignedRequest("PUT", first.path, first.query, first.headers, b"{}")  # the method
    expected = hashlib.sha256(kept.text(put, PAYLOAD).encode()).hexdigest()
    assert kept.hexdigest(put, PAYLOAD) == expected


def test_a_signed_header_not_sent_is_signed_empty_and_nothing_is_kept():
    kept = hashes()
    _, read = botocore_request("http://h/x")  # no X-Tag
    text = kept.text(read, PAYLOAD)
    assert "\nx-tag:\n" in text
    assert kept.hexdigest(read, PAYLOAD) == hashlib.sha256(text.encode()).hexdigest()
    assert not kept._states


def test_kept_states_are_bounded():
    kept = hashes()
    for i in range(100):
        _, read = botocore_request(f"http://h/{i}", **{"X-Tag": "a"})
        kept.hexdigest(read, PAYLOAD)
        assert len(kept._states) <= 32
