"""WebSocket selection expressions of non-proxy integrations: template keys and the choice of
an integration response (WebSocket API guide, "Selection expressions")."""

from __future__ import annotations

from overcast.services.apigatewayv2.model.http_api import IntegrationResponse
from overcast.services.apigatewayv2.websocket import selection


def response(key: str, rid: str | None = None) -> IntegrationResponse:
    return IntegrationResponse(rid or key, "int1", key)


def test_escaped_dollar_is_the_default_key() -> None:
    assert selection.evaluate("\\$default", lambda name: "x") == "$default"
    assert selection.evaluate(None, lambda name: "x") == "$default"


def test_body_paths_fill_the_expression() -> None:
    lookup = selection.body_lookup(b'{"action": "join", "meta": {"v": 2}}')
    assert selection.evaluate("$request.body.action", lookup) == "join"
    assert selection.evaluate("${request.body.meta.v}-beta", lookup) == "2-beta"
    assert selection.evaluate("${request.body.missing}", lookup) == ""
    assert selection.evaluate("static", lookup) == "static"


def test_a_message_that_is_no_json_reads_nothing() -> None:
    assert selection.body_lookup(b"hello")("request.body.action") is None


def test_template_falls_back_to_default() -> None:
    templates = {"join": "J", "$default": "D"}
    assert selection.choose_template(templates, "join") == "J"
    assert selection.choose_template(templates, "leave") == "D"
    assert selection.choose_template({"join": "J"}, "leave") is None


def test_integration_response_by_pattern_else_default() -> None:
    responses = (response("$default"), response("/4\\d{2}/", "four"), response("/5\\d\\d/"))
    assert selection.choose_response(responses, "404").integration_response_id == "four"
    assert selection.choose_response(responses, "500").integration_response_key == "/5\\d\\d/"
    assert selection.choose_response(responses, "200").integration_response_key == "$default"
    # a Lambda function that did not fail has no selector: the default answers
    assert selection.choose_response(responses, None).integration_response_key == "$default"
    # the pattern must match the whole selector
    assert selection.choose_response(responses, "4040").integration_response_key == "$default"


def test_no_default_and_no_match_chooses_nothing() -> None:
    assert selection.choose_response((response("/4\\d{2}/"),), "200") is None
