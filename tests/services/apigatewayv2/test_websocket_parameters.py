"""A WebSocket integration's RequestParameters (websocket/parameters.py), from a `$connect`
route request's headers and query string, and from a later message, which has neither."""

from __future__ import annotations

import json

from overcast.services.apigatewayv2.websocket.parameters import mapped_parameters

CONNECT = {
    "headers": {"Host": "abc.execute-api.test", "X-Client": "cli-1", "Connection": "upgrade"},
    "multiValueHeaders": {"X-Many": ["one", "two"]},
    "queryStringParameters": {"token": "t0k"},
    "multiValueQueryStringParameters": {"tag": ["a", "b"]},
    "requestContext": {"connectionId": "c-1", "identity": {"sourceIp": "127.0.0.1"}},
}
PARAMETERS = {
    "integration.request.header.X-Client": "route.request.header.x-client",
    "integration.request.header.X-Many": "route.request.multivalueheader.X-Many",
    "integration.request.header.Connection": "'close'",  # hop-by-hop: never sent on
    "integration.request.querystring.token": "route.request.querystring.token",
    "integration.request.querystring.tag": "route.request.multivaluequerystring.tag",
    "integration.request.querystring.ip": "context.identity.sourceIp",
    "integration.request.querystring.n": "route.request.body.count",
    "integration.request.path.id": "context.connectionId",
    "integration.request.header.X-Missing": "stageVariables.none",
}


def test_a_connect_requests_headers_and_query_string_are_mapped() -> None:
    found = mapped_parameters(PARAMETERS, CONNECT, {}, b"")
    assert found.headers == [("x-client", "cli-1"), ("x-many", "one,two")]
    assert found.query == [("token", "t0k"), ("tag", "a"), ("tag", "b"), ("ip", "127.0.0.1")]
    assert found.path == {"id": "c-1"}


def test_a_message_maps_its_body_and_context_but_has_no_headers() -> None:
    message = {"requestContext": {"connectionId": "c-1", "identity": {"sourceIp": "10.0.0.1"}}}
    found = mapped_parameters(PARAMETERS, message, {}, json.dumps({"count": 3}).encode())
    assert found.headers == []
    assert found.query == [("ip", "10.0.0.1"), ("n", "3")]
    assert found.path == {"id": "c-1"}
