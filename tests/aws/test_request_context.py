"""The request context's base URL: worked out once per way of reaching the server, and always
the text Starlette's `request.base_url` gives (queue URLs and code locations are made of it)."""

from __future__ import annotations

import itertools
from dataclasses import FrozenInstanceError, replace

import pytest
from starlette.requests import Request

from overcast.aws.credentials import Identity
from overcast.aws.request_context import RequestContext, base_url, request_context

SERVERS = [("127.0.0.1", 9000), ("::1", 443), ("h", 80), ["testserver", 80], None]
HOSTS = [None, "localhost:9000", "x.execute-api.localhost", "bad host:zz", "[::1]:80", "a.b"]


def _scope(scheme: str, server: tuple | None, host: str | None, root: str) -> dict:
    headers = [] if host is None else [(b"host", host.encode())]
    return {
        "type": "http", "scheme": scheme, "server": server, "root_path": root, "path": "/a/b",
        "query_string": b"q=1", "headers": [*headers, (b"host", b"second")],
    }  # fmt: skip


def test_the_base_url_is_starlettes_for_every_scheme_server_host_and_root() -> None:
    for case in itertools.product(["http", "https"], SERVERS, HOSTS, ["", "/r", "/r/"]):
        scope = _scope(*case)
        assert base_url(Request(scope)) == str(Request(dict(scope)).base_url), case


def test_a_context_reads_a_presigned_credential_only_from_a_query() -> None:
    credential = "AKIDEXAMPLE/20260101/eu-west-1/sqs/aws4_request"
    scope = _scope("http", ("127.0.0.1", 9000), "localhost:9000", "")
    scope["query_string"] = f"X-Amz-Credential={credential}".encode()
    context = request_context(Request(scope))
    assert (context.access_key, context.region, context.service) == (
        "AKIDEXAMPLE", "eu-west-1", "sqs",
    )  # fmt: skip
    unsigned = request_context(Request(_scope("http", None, None, "") | {"query_string": b""}))
    assert (unsigned.access_key, unsigned.service, unsigned.base_url) == ("", "", "http://second/")


def test_secure_transport_is_https_internal_or_loopback() -> None:
    def secure(scheme: str, client: str | None) -> bool:
        scope = _scope(scheme, ("h", 80), "h", "") | {"client": client and (client, 5000)}
        return request_context(Request(scope)).secure_transport

    assert secure("https", "203.0.113.7")
    assert secure("http", "127.0.0.1") and secure("http", "::1") and secure("http", "127.9.9.9")
    assert not secure("http", "203.0.113.7")
    assert not secure("http", "10.0.0.2")
    assert not secure("http", None)
    assert not secure("http", "not an address")


def test_signed_by_is_the_same_context_with_its_signer_set() -> None:
    before = RequestContext("AKIDEXAMPLE", "eu-west-1", "sqs", trace_header="Root=1-x")
    signer = Identity("arn:aws:iam::123456789012:user/ada", "123456789012", "AIDAADA")
    after = before.signed_by(signer)
    assert after == replace(before, identity=signer)
    assert before.identity is None  # the routed context is left as it was
    with pytest.raises(FrozenInstanceError):
        after.identity = None  # type: ignore[misc]
