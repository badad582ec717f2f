"""Authentication failures (aws/signed_request.py) in S3's words: its own codes and the fields
its error documents carry (AWSAccessKeyId, StringToSign, RequestTime and ServerTime...)."""

from __future__ import annotations

from datetime import UTC, datetime

from overcast.aws import signed_request
from overcast.aws.errors import AccessDeniedException
from overcast.aws.protocols import rest_xml
from overcast.aws.signed_request import AuthFailure
from overcast.services.s3 import errors
from overcast.services.s3.errors import S3Error

NO_MATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def s3_auth_error(failure: AuthFailure) -> S3Error:
    """The failure as S3 answers it."""
    reason, details = failure.reason, failure.details
    key_id = details.get("access_key_id", "")
    if reason == signed_request.UNKNOWN_KEY:
        return errors.InvalidAccessKeyId(
            "The AWS Access Key Id you provided does not exist in our records.",
            AWSAccessKeyId=key_id,
        )
    if reason == signed_request.BAD_SIGNATURE:
        return _no_match(key_id, details)
    if reason == signed_request.SKEWED:
        return errors.RequestTimeTooSkewed(
            "The difference between the request time and the current time is too large.",
            RequestTime=_time(details["signed"]),
            ServerTime=_time(details["now"]),
            MaxAllowedSkewMilliseconds=signed_request.MAX_SKEW_S * 1000,
        )
    if reason == signed_request.EXPIRED_TOKEN:
        return errors.ExpiredToken("The provided token has expired.")
    if reason == signed_request.BAD_TOKEN:
        return errors.InvalidToken("The provided token is malformed or otherwise invalid.")
    if reason == signed_request.EXPIRED_URL:
        return errors.AccessDenied(
            "Request has expired",
            Expires=_time(details["expires"]),
            ServerTime=_time(details["now"]),
        )
    if reason == signed_request.BAD_QUERY:
        return errors.AuthorizationQueryParametersError(failure.message)
    if reason == signed_request.CONTENT_MISMATCH:
        return errors.XAmzContentSHA256Mismatch(
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ClientComputedContentSHA256=details.get("client", ""),
            S3ComputedContentSHA256=details.get("computed", ""),
        )
    if reason == signed_request.WRONG_SERVICE:
        return errors.AuthorizationHeaderMalformed(
            f'The authorization header is malformed; incorrect service "{details["signed_for"]}". '
            'This endpoint belongs to "s3".'
        )
    if failure.message.startswith(signed_request.MISSING_HEADER):
        return errors.InvalidRequest(failure.message)
    return errors.AuthorizationHeaderMalformed(
        f"The authorization header is malformed; {failure.message}"
    )


def access_denied(exc: AccessDeniedException) -> errors.AccessDenied:
    """IAM's refusal as S3 words it: the resource in quotes ("... on resource:
    \"arn:aws:s3:::b/k\" because ..."); an anonymous caller is told only "Access Denied"
    (S3 gives the policy detail only to callers of the bucket's own account)."""
    if exc.principal is None:
        return errors.AccessDenied("Access Denied")
    return errors.AccessDenied(exc.worded(quote_resource=True))


def _no_match(key_id: str, details: dict) -> S3Error:
    text = str(details.get("StringToSign", ""))
    fields: dict[str, object] = {
        "AWSAccessKeyId": key_id,
        "StringToSign": text,
        "SignatureProvided": details.get("SignatureProvided", ""),
        "StringToSignBytes": _bytes(text),
    }
    if "CanonicalRequest" in details:
        canonical = str(details["CanonicalRequest"])
        fields.update(CanonicalRequest=canonical, CanonicalRequestBytes=_bytes(canonical))
    return errors.SignatureDoesNotMatch(NO_MATCH, **fields)


def _bytes(text: str) -> str:
    return " ".join(f"{byte:02x}" for byte in text.encode())


def _time(moment: float) -> str:
    return rest_xml.iso_time(datetime.fromtimestamp(moment, UTC))
