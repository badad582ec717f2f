"""The SigV4 credential scope of a request: who signed it, for which region and service.

Functions are regional, as on Lambda, and the region comes from here. The signature itself
is verified by signature.py, once the request is routed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_REGION = "us-east-1"

# Credential=AKID/20240101/us-east-1/lambda/aws4_request
_CREDENTIAL = re.compile(r"Credential=([^/,\s]*)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_QUERY_CREDENTIAL = re.compile(r"([^/]*)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


@dataclass(frozen=True)
class Scope:
    access_key: str
    region: str
    service: str


def scope_of(
    headers: Mapping[str, str],
    default_region: str = DEFAULT_REGION,
    query: Mapping[str, str] | None = None,
) -> Scope:
    """The scope from `Authorization: AWS4-HMAC-SHA256 Credential=...`, or from a presigned
    URL's `X-Amz-Credential`; an unsigned request gets the default region. S3's SigV2
    (`Authorization: AWS ...`, a URL's `AWSAccessKeyId` and `Signature`) is scoped to s3."""
    authorization = headers.get("authorization")
    if authorization:
        return _from_header(authorization, default_region)
    credential = query.get("X-Amz-Credential") if query else None
    if credential:
        match = _QUERY_CREDENTIAL.fullmatch(credential)
        if match:
            return Scope(match[1], match[3], match[4])
    if query and "AWSAccessKeyId" in query and "Signature" in query:
        # A SigV2 presigned URL (boto3's default for S3): only S3 still takes SigV2.
        return Scope(query["AWSAccessKeyId"], default_region, "s3")
    return Scope("", default_region, "")


def _from_header(authorization: str, default_region: str) -> Scope:
    if authorization.startswith("AWS "):  # SigV2 (`AWS <key>:<signature>`): S3's alone
        return Scope(authorization[4:].split(":", 1)[0], default_region, "s3")
    # A client sends the same credential on every request; only the signature after it
    # changes, so the cache is keyed on the part that repeats.
    return _parse(authorization.split(",", 1)[0], default_region)


@lru_cache(maxsize=1024)
def _parse(credential_part: str, default_region: str) -> Scope:
    match = _CREDENTIAL.search(credential_part)
    if match is None:
        return Scope("", default_region, "")
    return Scope(match[1], match[3], match[4])
