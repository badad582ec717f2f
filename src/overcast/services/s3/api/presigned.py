"""Presigned URLs' lifetimes, as S3 checks them before anything else about a request: a
URL that has run out is AccessDenied; a SigV4 one must name its signing time in ISO 8601
basic form and live between 0 seconds and a week (AuthorizationQueryParametersError).
Signatures themselves are not checked (as nowhere in Overcast)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.requests import Request

from overcast.aws.protocols import rest_xml
from overcast.services.s3.errors import AccessDenied, AuthorizationQueryParametersError

MAX_PRESIGNED_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs live a week at most
SIGV4_DATE = "%Y%m%dT%H%M%SZ"


def check_expiry(request: Request) -> None:
    """A presigned URL (SigV4's X-Amz-Date + X-Amz-Expires, or SigV2's Expires) that has
    run out is refused, as S3 refuses it; so is a SigV4 one made to last over a week."""
    query, now = request.query_params, time.time()
    if "X-Amz-Expires" in query and "X-Amz-Date" in query:
        expires = _sigv4_expiry(query["X-Amz-Date"], query["X-Amz-Expires"])
    elif "Signature" in query and "Expires" in query:
        try:
            expires = int(query["Expires"])
        except ValueError:
            raise AccessDenied("Expires is not valid") from None
    else:
        return
    if now > expires:
        raise AccessDenied(
            "Request has expired",
            Expires=rest_xml.iso_time(datetime.fromtimestamp(expires, UTC)),
            ServerTime=rest_xml.iso_time(datetime.fromtimestamp(now, UTC)),
        )


def _sigv4_expiry(date: str, seconds: str) -> float:
    """When a SigV4 presigned URL runs out; its parameters checked in S3's words."""
    try:
        signed = datetime.strptime(date, SIGV4_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise AuthorizationQueryParametersError(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        ) from None
    try:
        lifetime = int(seconds)
    except ValueError:
        raise AuthorizationQueryParametersError("X-Amz-Expires should be a number") from None
    if lifetime < 0:
        raise AuthorizationQueryParametersError("X-Amz-Expires must be non-negative")
    if lifetime > MAX_PRESIGNED_SECONDS:
        raise AuthorizationQueryParametersError(
            f"X-Amz-Expires must be less than a week (in seconds) that is; {MAX_PRESIGNED_SECONDS}"
        )
    return signed.timestamp() + lifetime
