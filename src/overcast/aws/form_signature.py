"""The signature of S3's browser-based upload: a POST form signs its base64 `policy`, not the
request ("Authenticating requests in browser-based uploads using POST", S3 API Reference).

SigV4's `x-amz-signature` is the hex HMAC-SHA256 of the policy under the key derived for
`x-amz-credential`'s scope; SigV2's `signature` is the base64 HMAC-SHA1 of the policy under
the secret. What the policy allows is checked by S3 (services/s3/post_policy.py).
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping

from overcast.aws.credentials import SigningKey
from overcast.aws.signature import Verifier
from overcast.aws.signed_request import (
    BAD_SIGNATURE,
    INCOMPLETE,
    AuthFailure,
    Verified,
    check_token,
    known_key,
    same_text,
)
from overcast.aws.signing_key import ALGORITHM, derived_key


def verify_policy(verifier: Verifier, form: Mapping[str, str]) -> Verified:
    """The signer of a POST form's policy, by `verifier`'s keys and clock (fields by
    lower-case name). Raises AuthFailure."""
    policy = form.get("policy", "")
    if form.get("x-amz-algorithm") == ALGORITHM or "x-amz-credential" in form:
        return _policy_v4(verifier, form, policy)
    key = known_key(verifier.keys, form.get("awsaccesskeyid", ""))
    check_token(key, form.get("x-amz-security-token"), verifier.now)
    provided = form.get("signature", "")
    secret = key.secret_access_key.encode()
    expected = base64.b64encode(hmac.digest(secret, policy.encode(), "sha1")).decode()
    if not same_text(expected, provided):
        raise _mismatch(key, policy, provided)
    return Verified(key.identity, key)


def _policy_v4(verifier: Verifier, form: Mapping[str, str], policy: str) -> Verified:
    credential = form.get("x-amz-credential", "")
    fields = credential.split("/")
    if len(fields) != 5 or fields[4] != "aws4_request":
        raise AuthFailure(INCOMPLETE, f"Credential should be scoped correctly: {credential}")
    key = known_key(verifier.keys, fields[0])
    check_token(key, form.get("x-amz-security-token"), verifier.now)
    signing_key = derived_key(key.secret_access_key, *fields[1:4])
    expected = hmac.digest(signing_key, policy.encode(), "sha256").hex()
    provided = form.get("x-amz-signature", "")
    if not same_text(expected, provided):
        raise _mismatch(key, policy, provided)
    return Verified(key.identity, key)


def _mismatch(key: SigningKey, policy: str, provided: str) -> AuthFailure:
    # S3's SignatureDoesNotMatch for a form: the string it signs is the policy itself.
    return AuthFailure(
        BAD_SIGNATURE,
        access_key_id=key.access_key_id,
        StringToSign=policy,
        SignatureProvided=provided,
    )
