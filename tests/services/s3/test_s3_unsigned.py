"""Unsigned requests that are S3's (a public read, a health probe of a bucket, a browser's
CORS preflight) reach S3 through a real server and get S3's answers, in S3's XML, judged by
the bucket's policy alone (anonymous has nothing else); unsigned requests for Lambda's paths
still reach Lambda, which refuses them as unsigned."""

from __future__ import annotations

import json

from support import RunningServer, http_call, make_public


def test_an_unsigned_read_of_a_bucket_is_answered_by_s3(
    server: RunningServer, s3, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="public.txt", Body=b"hello")
    status, _, body = http_call(f"{server.endpoint}/{bucket}/public.txt")
    assert status == 403  # a bucket is private until its policy says otherwise, as on AWS
    assert b"<Code>AccessDenied</Code>" in body and b"<Message>Access Denied</Message>" in body

    make_public(s3, bucket)
    status, headers, body = http_call(f"{server.endpoint}/{bucket}/public.txt")
    assert (status, body) == (200, b"hello")
    assert headers["x-amz-request-id"]

    status, headers, body = http_call(f"{server.endpoint}/{bucket}/missing.txt")
    assert status == 404
    assert b"<Code>NoSuchKey</Code>" in body

    status, headers, body = http_call(f"{server.endpoint}/2015-03-31/functions/nope")
    assert status == 403  # Lambda's REST API's answer (JSON), not S3's XML
    assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert json.loads(body)["message"] == "Missing Authentication Token"


def test_a_browser_preflight_is_answered_from_the_bucket_s_cors_rules(
    server: RunningServer, s3, bucket: str
) -> None:
    rule = {"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["PUT"]}
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    status, headers, _ = http_call(
        f"{server.endpoint}/{bucket}/upload.bin",
        method="OPTIONS",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"},
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "PUT" in headers["Access-Control-Allow-Methods"]


def test_an_unsigned_request_for_an_unparsable_key_is_s3s_invalid_uri(
    server: RunningServer, bucket: str
) -> None:
    status, headers, body = http_call(f"{server.endpoint}/{bucket}/%ff%fe")
    assert status == 400
    assert headers["content-type"] == "application/xml"
    assert b"<Code>InvalidURI</Code>" in body
    assert b"<Message>Couldn't parse the specified URI.</Message>" in body
