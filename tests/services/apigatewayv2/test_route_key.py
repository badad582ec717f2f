"""Route keys and how a request picks its route (the HTTP API guide's precedence)."""

from __future__ import annotations

import pytest

from overcast.services.apigatewayv2.model.route_key import (
    InvalidRouteKey,
    RouteTable,
    parse_route_key,
)

# The HTTP API guide's routing example, plus an ANY route and $default.
ROUTES = [
    "GET /pets/dog/1",
    "GET /pets/dog/{id}",
    "GET /pets/{proxy+}",
    "ANY /{proxy+}",
    "ANY /pets/dog/1",
    "$default",
]
TABLE = RouteTable.of([(parse_route_key(key), key) for key in ROUTES])


@pytest.mark.parametrize(
    ("method", "path", "route", "parameters"),
    [
        ("GET", "/pets/dog/1", "GET /pets/dog/1", {}),
        ("GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}),
        ("GET", "/pets/cat/1", "GET /pets/{proxy+}", {"proxy": "cat/1"}),
        ("POST", "/pets/cat", "ANY /{proxy+}", {"proxy": "pets/cat"}),
        ("PATCH", "/pets/dog/1", "ANY /pets/dog/1", {}),
        ("GET", "/", "$default", {}),
        ("DELETE", "/", "$default", {}),
    ],
)
def test_the_most_specific_route_wins(method, path, route, parameters) -> None:
    found, key, found_parameters = TABLE.match(method, path)
    assert (found, found_parameters) == (route, parameters)
    assert key.text == route


def test_path_parameters_are_decoded_and_never_empty() -> None:
    table = RouteTable.of([(parse_route_key("GET /items/{id}"), "item")])
    assert table.match("GET", "/items/a%20b")[2] == {"id": "a b"}
    assert table.match("GET", "/items/") is None
    assert table.match("GET", "/items") is None
    assert table.match("HEAD", "/items/1") is None


def test_a_greedy_variable_needs_at_least_one_segment() -> None:
    table = RouteTable.of([(parse_route_key("ANY /files/{path+}"), "files")])
    assert table.match("GET", "/files/a/b/c")[2] == {"path": "a/b/c"}
    assert table.match("GET", "/files") is None
    assert table.match("GET", "/files/") is None


def test_no_route_no_match() -> None:
    table = RouteTable.of([(parse_route_key("GET /a"), "a")])
    assert table.match("GET", "/b") is None


@pytest.mark.parametrize(
    "key",
    ["GET", "FETCH /a", "GET a", "GET /a//b", "GET /{proxy+}/x", "GET /a{id}", "get /a", "$other"],
)
def test_malformed_route_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidRouteKey):
        parse_route_key(key)


def test_route_keys_that_parse() -> None:
    assert parse_route_key("$default").is_default
    assert parse_route_key("GET /").segments == ()
    assert parse_route_key("ANY /{proxy+}").greedy
    assert parse_route_key("POST /a/{b}/c").segments == ("a", "{b}", "c")
