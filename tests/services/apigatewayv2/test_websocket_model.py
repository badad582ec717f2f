"""WebSocket APIs' route selection, in-process: what a message picks, and which
expressions and route keys API Gateway's rules let through."""

from __future__ import annotations

import pytest

from overcast.services.apigatewayv2.model.websocket_api import (
    InvalidSelectionExpression,
    SelectionExpression,
    check_route_key,
)


def select(expression: str, body: str | bytes) -> str | None:
    return SelectionExpression.parse(expression).select(body)


def test_a_body_member_picks_the_route() -> None:
    assert select("$request.body.action", '{"action": "send"}') == "send"
    assert select("$request.body.a.b", '{"a": {"b": "deep"}}') == "deep"
    assert select("$request.body.n", '{"n": 3}') == "3"
    assert select("${request.body.kind}-${request.body.verb}", '{"kind":"x","verb":"y"}') == "x-y"


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", '{"other": 1}', '{"action": null}', '{"action": {"a": 1}}', b"\xff"],
)
def test_what_cannot_be_evaluated_picks_nothing(body: str | bytes) -> None:
    assert select("$request.body.action", body) is None
    assert select("${request.body.action}!", body) is None


def test_deeply_nested_json_is_not_a_crash() -> None:
    assert select("$request.body.action", "[" * 100_000 + "]" * 100_000) is None


@pytest.mark.parametrize("expression", ["action", "$request.header.x", "$request.body.", ""])
def test_expressions_reading_no_body_member_are_refused(expression: str) -> None:
    with pytest.raises(InvalidSelectionExpression):
        SelectionExpression.parse(expression)


def test_route_keys() -> None:
    for key in ("$connect", "$disconnect", "$default", "sendmessage", "a b/c"):
        assert check_route_key(key) == key
    for key in ("", "$other", "x" * 129):
        with pytest.raises(InvalidSelectionExpression):
            check_route_key(key)
