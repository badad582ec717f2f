"""Payload 2.0: HTTP requests as events, function results as HTTP responses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from overcast.http.payload_v2 import (
    EventContext,
    HttpRequest,
    InvalidResponse,
    event_v2,
    response_v2,
)

SAMPLES = Path(__file__).resolve().parents[1] / "events"


def request(**changes) -> HttpRequest:
    values = {
        "method": "POST",
        "raw_path": "/my/path",
        "raw_query": "parameter1=value1&parameter1=value2&parameter2=value",
        "headers": [
            ("header1", "value1"),
            ("header2", "value1"),
            ("header2", "value2"),
            ("cookie", "cookie1; cookie2"),
            ("user-agent", "agent"),
        ],
        "body": b"Hello from client!",
        "source_ip": "123.123.123.123",
    }
    return HttpRequest(**{**values, **changes})


CONTEXT = EventContext(
    account_id="123456789012",
    api_id="urlid",
    domain_name="urlid.lambda-url.us-west-2.on.aws",
    request_id="id",
)


def test_the_event_has_lambdas_shape() -> None:
    event = event_v2(request(), CONTEXT)
    sample = json.loads((SAMPLES / "lambda-urls-request.json").read_text())
    for key in ("version", "rawPath", "rawQueryString", "cookies", "queryStringParameters", "body"):
        assert event[key] == sample[key], key
    assert event["headers"]["header2"] == "value1,value2" and "cookie" not in event["headers"]
    assert event["routeKey"] == "$default" and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert set(sample["requestContext"]) - {"authorizer"} <= set(context)
    assert context["http"] == {**sample["requestContext"]["http"], "path": "/my/path"}
    assert context["domainPrefix"] == "urlid"


def test_binary_bodies_are_base64() -> None:
    body = bytes(range(256))
    event = event_v2(request(body=body, headers=[("content-type", "image/png")]), CONTEXT)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


def test_structured_response() -> None:
    sample = (SAMPLES / "lambda-urls-response.json").read_bytes()
    response = response_v2(sample)
    assert response.status == 201
    assert ("my-custom-header", "Custom Value") in response.headers
    assert [v for n, v in response.headers if n == "set-cookie"] == [
        "Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT",
        "Cookie_2=Value2; Max-Age=78000",
    ]
    assert json.loads(response.body) == {"message": "Hello, world!"}


def test_inferred_and_binary_responses() -> None:
    inferred = response_v2(b'{"hello": "world"}')
    assert inferred.status == 200 and inferred.body == b'{"hello": "world"}'
    assert ("content-type", "application/json") in inferred.headers
    png = base64.b64encode(b"\x89PNG").decode()
    binary = response_v2(
        json.dumps({"statusCode": 200, "body": png, "isBase64Encoded": True}).encode()
    )
    assert binary.body == b"\x89PNG"


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b'{"statusCode": "two hundred"}',
        # Headers HTTP/1.1 cannot carry: a split line, a character outside Latin-1, a bad name.
        b'{"statusCode": 200, "headers": {"x-a": "one\\r\\nx-b: two"}}',
        b'{"statusCode": 200, "headers": {"x-price": "10 \\u20ac"}}',
        b'{"statusCode": 200, "multiValueHeaders": {"bad name": ["x"]}}',
    ],
)
def test_invalid_responses(payload: bytes) -> None:
    with pytest.raises(InvalidResponse):
        response_v2(payload)
