"""Payload 1.0: HTTP API requests as REST-style events, function results as responses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from overcast.http.payload_v1 import event_v1, response_v1
from overcast.http.payload_v2 import EventContext, HttpRequest, InvalidResponse

SAMPLES = Path(__file__).resolve().parents[1] / "events"
# The 1.0 example of the HTTP API guide ("Working with AWS Lambda proxy integrations").
DOCUMENTED_KEYS = {
    "version",
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "requestContext",
    "pathParameters",
    "stageVariables",
    "body",
    "isBase64Encoded",
}
DOCUMENTED_CONTEXT_KEYS = {
    "accountId",
    "apiId",
    "authorizer",
    "domainName",
    "domainPrefix",
    "extendedRequestId",
    "httpMethod",
    "identity",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
}


def request(**changes) -> HttpRequest:
    values = {
        "method": "GET",
        "raw_path": "/prod/my/path",
        "raw_query": "parameter1=value1&parameter1=value2&parameter2=value",
        "headers": [
            ("header1", "value1"),
            ("header2", "value1"),
            ("header2", "value2"),
            ("user-agent", "agent"),
        ],
        "body": b"Hello from client!",
        "source_ip": "192.0.2.1",
    }
    return HttpRequest(**{**values, **changes})


CONTEXT = EventContext(
    account_id="123456789012",
    api_id="a1b2c3d4e5",
    domain_name="a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    request_id="LV7fzho-PHcEJPw=",
    route_key="GET /my/{thing}",
    stage="prod",
    path_parameters={"thing": "path"},
    stage_variables={"color": "blue"},
)


def test_the_event_has_the_documented_shape() -> None:
    event = event_v1(request(), CONTEXT, "/my/{thing}")
    rest_sample = json.loads((SAMPLES / "apigw-request.json").read_text())
    assert set(event) == DOCUMENTED_KEYS
    assert set(rest_sample) <= set(event)  # the REST-style fields every 1.0 parser reads
    assert set(event["requestContext"]) == DOCUMENTED_CONTEXT_KEYS
    assert event["version"] == "1.0" and event["httpMethod"] == "GET"
    assert event["resource"] == "/my/{thing}" and event["path"] == "/prod/my/path"
    assert event["headers"]["header2"] == "value2"
    assert event["multiValueHeaders"]["header2"] == ["value1", "value2"]
    assert event["queryStringParameters"] == {"parameter1": "value1", "parameter2": "value"}
    assert event["multiValueQueryStringParameters"]["parameter1"] == ["value1", "value2"]
    assert event["pathParameters"] == {"thing": "path"}
    assert event["stageVariables"] == {"color": "blue"}
    assert (event["body"], event["isBase64Encoded"]) == ("Hello from client!", False)
    context = event["requestContext"]
    assert context["identity"]["sourceIp"] == "192.0.2.1"
    assert context["identity"]["userAgent"] == "agent"
    assert (context["stage"], context["resourcePath"]) == ("prod", "/my/{thing}")
    assert context["domainPrefix"] == "a1b2c3d4e5"


def test_absent_parts_are_null_and_binary_bodies_base64() -> None:
    bare = EventContext("123456789012", "a1b2c3d4e5", "a.execute-api.x.amazonaws.com", "id")
    event = event_v1(
        request(raw_query="", headers=[("content-type", "image/png")], body=b"\x89PNG"),
        bare,
        "$default",
    )
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None and event["stageVariables"] is None
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG"
    assert event_v1(request(body=b""), bare, "$default")["body"] is None


def test_structured_responses() -> None:
    response = response_v1(
        json.dumps(
            {
                "statusCode": 201,
                "headers": {"X-One": "1", "Set-Cookie": "a=1"},
                "multiValueHeaders": {"set-cookie": ["b=2", "c=3"]},
                "body": "made",
            }
        ).encode()
    )
    assert response.status == 201 and response.body == b"made"
    assert ("x-one", "1") in response.headers
    assert [v for n, v in response.headers if n == "set-cookie"] == ["b=2", "c=3"]
    assert ("content-type", "application/json") in response.headers
    binary = response_v1(b'{"statusCode": 200, "body": "iVBORw==", "isBase64Encoded": true}')
    assert binary.body == base64.b64decode("iVBORw==")


@pytest.mark.parametrize(
    "payload",
    [
        b'{"hello": "world"}',  # 1.0 never infers a response
        b'"just text"',
        b"not json",
        b'{"statusCode": "abc"}',
        b'{"statusCode": 200, "body": {"an": "object"}}',
        b'{"statusCode": 200, "multiValueHeaders": {"a": "not-a-list"}}',
    ],
)
def test_invalid_responses(payload: bytes) -> None:
    with pytest.raises(InvalidResponse):
        response_v1(payload)
