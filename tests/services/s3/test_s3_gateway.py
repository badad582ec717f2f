"""S3 as the gateway serves it, in process: the headers every answer carries, the internal
error in S3's words, shared code's errors as S3's, and a connection that cannot carry another
request once a body was left unread."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from xml.etree import ElementTree

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x nudges towards httpx2
    from starlette.testclient import TestClient

from overcast.aws.gateway import Gateway
from overcast.services.s3.api.service import s3_api
from overcast.services.s3.api.wire import MAX_XML_BYTES, addressed_to_s3
from overcast.services.s3.store import ObjectStore

SIGNED = (
    "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def client_for(store: object) -> TestClient:
    gateway = Gateway([], s3_api(store), "us-east-1", "000000000000")  # type: ignore[arg-type]
    app = Starlette(routes=[Route("/{path:path}", gateway.handle, methods=METHODS)])
    return TestClient(app, headers={"Authorization": SIGNED})


@pytest.fixture
def s3(tmp_path: Path):
    store = ObjectStore(tmp_path, "000000000000", None, None, None, permissions=None)  # type: ignore[arg-type]
    with client_for(store) as client:
        yield client
    store.close()


def error_fields(body: bytes) -> dict[str, str | None]:
    return {child.tag: child.text for child in ElementTree.fromstring(body)}


def test_every_answer_carries_s3_s_request_id_and_host_id(s3: TestClient) -> None:
    made = s3.put("/bucket")
    assert made.status_code == 200
    assert re.fullmatch("[0-9A-F]{16}", made.headers["x-amz-request-id"])
    assert made.headers["x-amz-id-2"]
    missing = s3.get("/bucket/missing")
    fields = error_fields(missing.content)
    assert (missing.status_code, fields["Code"]) == (404, "NoSuchKey")
    assert fields["RequestId"] == missing.headers["x-amz-request-id"]
    assert fields["HostId"] == missing.headers["x-amz-id-2"]
    assert made.headers["x-amz-request-id"] != missing.headers["x-amz-request-id"]


class _FailingBuckets:
    def get(self, name: str) -> None:
        raise RuntimeError("the catalog is gone")

    def cors_rules(self, name: str) -> None:
        return None


class _FailingStore:
    """A store whose bucket lookups fail in a way no S3 error names."""

    buckets = _FailingBuckets()


def test_an_unexpected_failure_is_s3_s_internal_error() -> None:
    with client_for(_FailingStore()) as s3:
        answer = s3.get("/bucket?location")
        head = s3.head("/bucket")
    fields = error_fields(answer.content)
    assert answer.status_code == 500 and fields["Code"] == "InternalError"
    assert fields["Message"] == "We encountered an internal error. Please try again."
    assert fields["RequestId"] == answer.headers["x-amz-request-id"]
    assert "catalog" not in answer.text  # the cause stays in the server's log
    assert head.status_code == 500 and head.content == b""  # HEAD errors have no body
    assert head.headers["x-amz-request-id"] and head.headers["x-amz-id-2"]


def test_shared_code_s_errors_are_s3_s_invalid_argument(s3: TestClient) -> None:
    s3.put("/bucket")
    answer = s3.put("/bucket?tagging", content=b"<" * (MAX_XML_BYTES + 1))
    fields = error_fields(answer.content)
    assert (answer.status_code, fields["Code"]) == (400, "InvalidArgument")
    assert str(MAX_XML_BYTES) in (fields["Message"] or "")


def test_a_body_left_unread_closes_the_connection(s3: TestClient) -> None:
    refused = s3.put("/missing/key", content=b"body")  # refused before its body is read
    assert refused.status_code == 404 and refused.headers["connection"] == "close"
    s3.put("/bucket")
    stored = s3.put("/bucket/key", content=b"body")
    assert stored.status_code == 200 and "connection" not in stored.headers
    deleted = s3.request("DELETE", "/bucket/key", content=b"ignored")  # answered, body unread
    assert deleted.status_code == 204 and deleted.headers["connection"] == "close"
    assert "connection" not in s3.delete("/bucket/key").headers


def unsigned(path: str, host: str = "127.0.0.1:9000", method: str = "GET") -> Request:
    raw, _, query = path.partition("?")
    return Request(
        {
            "type": "http",
            "method": method,
            "path": raw,
            "raw_path": raw.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", host.encode())],
        }
    )


def test_an_unsigned_request_is_s3_s_when_it_names_a_bucket() -> None:
    buckets = {"public-site", "2015-03-31"}.__contains__
    assert addressed_to_s3(unsigned("/public-site/index.html"), buckets)
    assert addressed_to_s3(unsigned("/public-site", method="HEAD"), buckets)
    assert addressed_to_s3(unsigned("/any/key", host="any.localhost:9000"), buckets)
    assert addressed_to_s3(unsigned("/key", host="any.s3.us-east-1.amazonaws.com"), buckets)
    # Other services' paths, and buckets that are not here, are left to them.
    assert not addressed_to_s3(unsigned("/2015-03-31/functions/"), buckets)
    assert not addressed_to_s3(unsigned("/missing/key"), buckets)
    assert not addressed_to_s3(unsigned("/"), buckets)
    assert not addressed_to_s3(unsigned("/%FF/key"), buckets)
    assert not addressed_to_s3(
        unsigned("/public-site/k", host="s3.localhost:9000"), set().__contains__
    )
