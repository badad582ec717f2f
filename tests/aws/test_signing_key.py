"""SigV4's signing key and its signer (aws/signing_key.py) against the standard library's
HMAC (tests/aws/test_signature.py checks them against botocore's signatures)."""

from __future__ import annotations

import hashlib
import hmac

from overcast.aws.signing_key import Signer, derived_key, string_to_sign

SCOPE = "20260101/us-east-1/lambda/aws4_request"


def test_the_signer_computes_rfc_2104_hmac_whatever_the_order_of_dates() -> None:
    key = derived_key("secret/with+chars", "20260101", "us-east-1", "lambda")
    signer = Signer(key, SCOPE)
    # Dates alternate (two clients, or a second's turn): the kept state follows the date.
    for amz_date in ("20260101T000000Z", "20260101T000001Z", "20260101T000000Z") * 2:
        for canonical_hash in (hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()):
            text = string_to_sign(amz_date, SCOPE, canonical_hash)
            expected = hmac.digest(key, text.encode(), "sha256").hex()
            assert signer.signature(amz_date, canonical_hash) == expected
