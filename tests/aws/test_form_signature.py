"""The signature of S3's browser POST form, over its policy (aws/form_signature.py)."""

from __future__ import annotations

import base64
import hmac

import pytest

from overcast.aws.credentials import Identity, SigningKey
from overcast.aws.form_signature import verify_policy
from overcast.aws.root_key import RootKey
from overcast.aws.signature import Verifier
from overcast.aws.signed_request import BAD_SIGNATURE, UNKNOWN_KEY, AuthFailure
from overcast.aws.signing_key import derived_key

ROOT = Identity("arn:aws:iam::000000000000:root", "000000000000", "000000000000")
KEY = SigningKey("AKIAEXAMPLEEXAMPLE00", "secret/with+chars", ROOT)
POLICY = base64.b64encode(b'{"expiration": "2030-01-01T00:00:00Z", "conditions": []}').decode()
SCOPE = "20260101/us-east-1/s3/aws4_request"


def v2_form(signature: str | None = None, key_id: str = KEY.access_key_id) -> dict[str, str]:
    if signature is None:
        mac = hmac.digest(KEY.secret_access_key.encode(), POLICY.encode(), "sha1")
        signature = base64.b64encode(mac).decode()
    return {"policy": POLICY, "awsaccesskeyid": key_id, "signature": signature}


def v4_form(signature: str | None = None) -> dict[str, str]:
    if signature is None:
        signing_key = derived_key(KEY.secret_access_key, *SCOPE.split("/")[:3])
        signature = hmac.digest(signing_key, POLICY.encode(), "sha256").hex()
    return {
        "policy": POLICY,
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "x-amz-credential": f"{KEY.access_key_id}/{SCOPE}",
        "x-amz-signature": signature,
    }


def test_sigv2_and_sigv4_forms_verify() -> None:
    verifier = Verifier(RootKey(KEY))
    assert verify_policy(verifier, v2_form()).identity == ROOT
    assert verify_policy(verifier, v4_form()).identity == ROOT


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        (v2_form("d3Jvbmc="), BAD_SIGNATURE),
        (v4_form("0" * 64), BAD_SIGNATURE),
        (v2_form(key_id="AKIAUNKNOWNUNKNOWN00"), UNKNOWN_KEY),
        # A client's text beyond ASCII is a mismatch, not a TypeError from the comparison.
        (v2_form("\udce9"), BAD_SIGNATURE),
        (v4_form("\u00e9" * 64), BAD_SIGNATURE),
    ],
)
def test_wrong_forms_are_refused(form: dict[str, str], reason: str) -> None:
    with pytest.raises(AuthFailure) as caught:
        verify_policy(Verifier(RootKey(KEY)), form)
    assert caught.value.reason == reason
