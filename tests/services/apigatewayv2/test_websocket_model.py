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


def test_a_websocket_api_is_served_again_after_a_restart(tmp_path) -> None:
    from overcast.services.apigatewayv2.control.apis import HttpApiService
    from overcast.services.apigatewayv2.store import SqliteHttpApiStore

    arn = "arn:aws:lambda:us-east-1:000000000000:function:f"
    store = SqliteHttpApiStore(tmp_path / "db")
    service = HttpApiService(store, "000000000000")
    api = service.create(
        "us-east-1",
        name="ws",
        protocol_type="WEBSOCKET",
        route_selection_expression="$request.body.a",
    )
    integration = service.routes.create_integration(
        "us-east-1", api.api_id, integration_type="AWS_PROXY", integration_uri=arn
    )
    route = service.routes.create_route(
        "us-east-1", api.api_id, route_key="go", target="integrations/" + integration.integration_id
    )
    service.route_responses.create("us-east-1", api.api_id, route.route_id, key="$default")
    service.stages.create_stage("us-east-1", api.api_id, name="prod", auto_deploy=True)
    store.close()

    again = HttpApiService(SqliteHttpApiStore(tmp_path / "db"), "000000000000")
    again.load()
    served = again.served_socket(api.api_id)
    assert again.served(api.api_id) is None  # not an HTTP API
    stage = served.stages["prod"]
    assert stage.route_for(served.selection.select('{"a": "go"}')) == route
    assert stage.two_way == {route.route_id}
