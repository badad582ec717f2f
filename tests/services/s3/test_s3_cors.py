"""CORS: a bucket's configuration through boto3, the Access-Control-* headers of a
cross-origin request, and the preflight front door, in process."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x nudges towards httpx2
    from starlette.testclient import TestClient

from overcast.services.s3.api.cors import CorsPreflight
from overcast.services.s3.store import ObjectStore
from support import RunningServer, http_call, signed

RULES = {
    "CORSRules": [
        {
            "ID": "app",
            "AllowedOrigins": ["https://*.example.com"],
            "AllowedMethods": ["GET", "PUT"],
            "AllowedHeaders": ["content-type", "x-amz-*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        },
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]},
    ]
}


def error_of(raised: pytest.ExceptionInfo) -> tuple[str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_cors_configuration_is_kept(s3, bucket: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(raised) == ("NoSuchCORSConfiguration", 404)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == RULES["CORSRules"]
    deleted = s3.delete_bucket_cors(Bucket=bucket)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as raised:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(raised) == ("NoSuchCORSConfiguration", 404)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]},
            "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
        ),
        (
            {"AllowedOrigins": ["https://*.*.com"], "AllowedMethods": ["GET"]},
            'AllowedOrigin "https://*.*.com" can not have more than one wildcard.',
        ),
    ],
)
def test_a_cors_rule_s3_refuses(s3, bucket: str, rule: dict, message: str) -> None:
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    assert error_of(raised) == ("InvalidRequest", 400)
    assert raised.value.response["Error"]["Message"] == message


def test_a_cross_origin_request_carries_its_rule_s_headers(
    server: RunningServer, s3, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = f"{server.endpoint}/{bucket}/k"
    status, headers, _ = http_call(url, headers=signed(url))
    assert status == 200 and "Access-Control-Allow-Origin" not in headers  # no Origin
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    origin = signed(url, headers={"Origin": "https://app.example.com"})
    status, headers, _ = http_call(url, headers=origin)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert headers["Access-Control-Expose-Headers"] == "ETag"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    anyone = signed(url, headers={"Origin": "https://elsewhere.org"})
    assert http_call(url, headers=anyone)[1]["Access-Control-Allow-Origin"] == "*"
    deleting = signed(url, "DELETE", headers={"Origin": "https://elsewhere.org"})
    status, headers, _ = http_call(url, "DELETE", headers=deleting)  # no rule allows DELETE
    assert status == 204 and "Access-Control-Allow-Origin" not in headers


@pytest.fixture
def door(tmp_path: Path):
    store = ObjectStore(tmp_path, "000000000000", None, None, None, permissions=None)  # type: ignore[arg-type]
    store.buckets.create("site", "us-east-1", None)
    store.buckets.create("closed", "us-east-1", None)
    store.buckets.put_cors("site", RULES)
    preflight = CorsPreflight(store)
    yield preflight, TestClient(preflight)  # no lifespan: the door answers HTTP alone
    store.close()


def preflight_headers(origin: str, method: str, headers: str = "") -> dict[str, str]:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return asked


def test_the_preflight_door_claims_options_to_a_bucket(door) -> None:
    preflight, _ = door

    def scope(method: str, path: str, host: str = "127.0.0.1:9000") -> dict:
        headers = [(b"host", host.encode())]
        return {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
        }

    assert preflight.match(scope("OPTIONS", "/site/index.html")) == "site"
    assert preflight.match(scope("OPTIONS", "/k", host="site.localhost:9000")) == "site"
    assert preflight.match(scope("GET", "/site/index.html")) is None
    assert preflight.match(scope("OPTIONS", "/2015-03-31/functions/f/invocations")) is None
    assert preflight.match(scope("OPTIONS", "/missing/k")) is None


def test_a_preflight_is_answered_from_the_bucket_s_rules(door) -> None:
    _, client = door
    allowed = client.options(
        "/site/upload.txt",
        headers=preflight_headers("https://app.example.com", "PUT", "Content-Type, X-Amz-Meta-A"),
    )
    assert allowed.status_code == 200 and allowed.content == b""
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert allowed.headers["access-control-allow-methods"] == "GET, PUT"
    assert allowed.headers["access-control-allow-headers"] == "content-type, x-amz-meta-a"
    assert allowed.headers["access-control-max-age"] == "600"
    assert allowed.headers["x-amz-request-id"]
    refused = client.options(
        "/site/upload.txt", headers=preflight_headers("https://app.example.com", "PUT", "x-other")
    )
    assert refused.status_code == 403 and b"<Code>CORSResponse</Code>" in refused.content
    assert b"This CORS request is not allowed" in refused.content
    closed = client.options("/closed/k", headers=preflight_headers("https://a.org", "GET"))
    assert closed.status_code == 403
    assert b"CORS is not enabled for this bucket." in closed.content
    no_origin = client.options("/site/k", headers={"Access-Control-Request-Method": "GET"})
    assert no_origin.status_code == 400 and b"<Code>BadRequest</Code>" in no_origin.content
    no_method = client.options("/site/k", headers={"Origin": "https://a.org"})
    assert no_method.status_code == 400
    assert b"Invalid Access-Control-Request-Method: null" in no_method.content
