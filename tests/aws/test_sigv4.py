"""Scope from SigV4 credentials."""

from __future__ import annotations

from overcast.aws.sigv4 import Scope, scope_of

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def test_authorization_header() -> None:
    assert scope_of({"authorization": AUTH}) == Scope("AKID", "eu-west-1", "lambda")


def test_presigned_query() -> None:
    query = {"X-Amz-Credential": "AKID/20240101/ap-south-1/lambda/aws4_request"}
    assert scope_of({}, query=query) == Scope("AKID", "ap-south-1", "lambda")


def test_unsigned_gets_default_region() -> None:
    assert scope_of({}).region == "us-east-1"
    assert scope_of({}, "eu-central-1").region == "eu-central-1"
    assert scope_of({"authorization": "Bearer xyz"}, "eu-central-1").region == "eu-central-1"
