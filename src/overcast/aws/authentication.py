"""Authentication as the front doors ask for it: verify a request's signature (signature.py)
against the server's keys, or, with `--auth off`, accept anything as the root; and word a
refusal as the request's protocol does (AWS's common errors: query names without a suffix,
the JSON protocols with `Exception`).

AWS refuses an unsigned request to every service but S3 (which serves anonymous requests,
authorized as anonymous later) with MissingAuthenticationToken.
"""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.aws import errors
from overcast.aws.credentials import Identity, KeyRing
from overcast.aws.signature import Verifier
from overcast.aws.signed_request import (
    BAD_QUERY,
    BAD_SIGNATURE,
    BAD_TOKEN,
    CONTENT_MISMATCH,
    EXPIRED_TOKEN,
    EXPIRED_URL,
    INCOMPLETE,
    MAX_SKEW_S,
    MISSING,
    SKEWED,
    UNKNOWN_KEY,
    WRONG_SERVICE,
    AuthFailure,
    SignedParts,
    Verified,
)

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED = "The security token included in the request is expired"
NO_MATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details."
)
# (query-protocol class, JSON-protocol class) per reason.
_CLASSES: dict[str, tuple[type[errors.ServiceError], type[errors.ServiceError]]] = {
    UNKNOWN_KEY: (errors.InvalidClientTokenId, errors.UnrecognizedClientException),
    BAD_TOKEN: (errors.InvalidClientTokenId, errors.UnrecognizedClientException),
    EXPIRED_TOKEN: (errors.ExpiredToken, errors.ExpiredTokenException),
    BAD_SIGNATURE: (errors.SignatureDoesNotMatch, errors.InvalidSignatureException),
    CONTENT_MISMATCH: (errors.SignatureDoesNotMatch, errors.InvalidSignatureException),
    WRONG_SERVICE: (errors.SignatureDoesNotMatch, errors.InvalidSignatureException),
    SKEWED: (errors.SignatureDoesNotMatch, errors.InvalidSignatureException),
    EXPIRED_URL: (errors.SignatureDoesNotMatch, errors.InvalidSignatureException),
    INCOMPLETE: (errors.IncompleteSignature, errors.IncompleteSignatureException),
    BAD_QUERY: (errors.IncompleteSignature, errors.IncompleteSignatureException),
    MISSING: (errors.MissingAuthenticationToken, errors.MissingAuthenticationTokenException),
}


def auth_error(failure: AuthFailure, protocol: str) -> errors.ServiceError:
    """The failure as a service of `protocol` (botocore's metadata name) answers it."""
    query_class, json_class = _CLASSES[failure.reason]
    error_class = query_class if protocol in ("query", "ec2") else json_class
    return error_class(_message(failure, protocol))


def _message(failure: AuthFailure, protocol: str) -> str:
    reason = failure.reason
    if reason in (UNKNOWN_KEY, BAD_TOKEN):
        return INVALID_TOKEN
    if reason == EXPIRED_TOKEN:
        return EXPIRED
    if reason in (BAD_SIGNATURE, CONTENT_MISMATCH):
        return NO_MATCH
    if reason == SKEWED:
        return skew_message(failure.details["signed"], failure.details["now"])
    if reason == EXPIRED_URL:
        return skew_message(failure.details["expires"], failure.details["now"] - MAX_SKEW_S)
    if reason == MISSING:
        # Lambda and the JSON services: "Missing Authentication Token"; query services say
        # "Request is missing Authentication Token".
        if protocol in ("query", "ec2"):
            return "Request is missing Authentication Token"
        return "Missing Authentication Token"
    return failure.message


def skew_message(signed: float, now: float) -> str:
    """SigV4's words for a signature out of its 15 minutes."""
    stamp = _amz(signed)
    if signed < now:
        return (
            f"Signature expired: {stamp} is now earlier than {_amz(now - MAX_SKEW_S)} "
            f"({_amz(now)} - 15 min.)"
        )
    return (
        f"Signature not yet current: {stamp} is still later than {_amz(now + MAX_SKEW_S)} "
        f"({_amz(now)} + 15 min.)"
    )


def _amz(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y%m%dT%H%M%SZ")


class Authenticator:
    """The server's authentication: `verifier` is None with `--auth off`, when every
    request is taken as the account's root (today's accept-anything mode)."""

    def __init__(self, verifier: Verifier | None, anyone: Identity) -> None:
        self.verifier = verifier
        self.anyone = anyone

    @classmethod
    def of(cls, keys: KeyRing | None, account_id: str) -> Authenticator:
        root = Identity(f"arn:aws:iam::{account_id}:root", account_id, account_id)
        return cls(Verifier(keys) if keys is not None else None, root)

    @property
    def enabled(self) -> bool:
        return self.verifier is not None

    def authenticate(
        self, request: SignedParts, service: str, anonymous: bool = False
    ) -> Verified | None:
        """The request's verified signer; None for an unsigned request to a service that
        takes those (`anonymous`, S3) or with auth off. Raises AuthFailure."""
        if self.verifier is None:
            return None
        verified = self.verifier.verify(request, service)
        if verified is None and not anonymous:
            raise AuthFailure(MISSING)
        return verified
