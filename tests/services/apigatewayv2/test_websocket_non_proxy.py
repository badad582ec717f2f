"""A WebSocket route's non-proxy integrations in-process: request templates chosen by the
TemplateSelectionExpression, passthrough behaviour, a Lambda function called without the
proxy, integration responses and their templates, ContentHandlingStrategy."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

from overcast.http.integration.errors import BadConfiguration, NoTemplateMatch
from overcast.services.apigatewayv2.model.http_api import Integration, IntegrationResponse
from overcast.services.apigatewayv2.websocket.non_proxy import Call, NonProxyIntegrations
from overcast.types import InvokeResult

FUNCTION = ("arn:aws:lambda:us-east-1:000000000000:function:f", "us-east-1")
CONTEXT = {"connectionId": "c1", "routeKey": "join", "eventType": "MESSAGE", "stage": "dev"}


def integration(kind: str, uri: str = "", **extra) -> Integration:
    return Integration("int1", kind, uri, "1.0", 29000, extra=extra)


def answer(call: Call, invoke=None):
    async def no_function(function, payload):
        raise AssertionError("no function expected")

    return asyncio.run(NonProxyIntegrations(invoke or no_function, None).answer(call))


def message(body: str | bytes) -> dict:
    binary = isinstance(body, bytes)
    return {
        "body": base64.b64encode(body).decode() if binary else body,
        "isBase64Encoded": binary,
        "requestContext": dict(CONTEXT),
    }


def call_of(kind, event, responses=(), uri="", function=("", None), **extra) -> Call:
    made = integration(kind, uri, **extra)
    return Call(made, tuple(responses), event, {"greeting": "hi"}, function, "test")


def default_response(**extra) -> IntegrationResponse:
    return IntegrationResponse("r1", "int1", "$default", extra)


def test_mock_maps_the_message_and_answers_through_the_response_template() -> None:
    call = call_of(
        "MOCK",
        message('{"action": "join", "name": "ana"}'),
        [default_response(ResponseTemplates={"$default": '{"to": "$context.connectionId"}'})],
        TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": '{"statusCode": 200}'},
    )
    mapped = answer(call)
    assert (mapped.status, json.loads(mapped.reply)) == (200, {"to": "c1"})


def test_request_template_by_body_path_reaches_the_function() -> None:
    seen = []

    async def invoke(function, payload):
        seen.append((function, json.loads(payload)))
        return InvokeResult("r", 200, b'{"ok": true}', "$LATEST")

    template = '{"who": $input.json(\'$.name\'), "stage": "$stageVariables.greeting"}'
    call = call_of(
        "AWS",
        message('{"action": "join", "name": "ana"}'),
        [default_response()],
        function=FUNCTION,
        TemplateSelectionExpression="${request.body.action}",
        RequestTemplates={"join": template, "$default": '{"who": "nobody"}'},
    )
    mapped = answer(call, invoke)
    assert seen == [(FUNCTION, {"who": "ana", "stage": "hi"})]
    assert mapped.reply == b'{"ok": true}'  # no response template: the backend's answer


def test_function_error_selects_the_pattern_response() -> None:
    async def invoke(function, payload):
        error = b'{"errorMessage": "bad name", "errorType": "ValueError"}'
        return InvokeResult("r", 200, error, "$LATEST", function_error="Unhandled")

    responses = [
        default_response(ResponseTemplates={"$default": "fine"}),
        IntegrationResponse(
            "r2",
            "int1",
            "/bad.*/",
            {"ResponseTemplates": {"$default": "sorry: $input.path('$.errorMessage')"}},
        ),
    ]
    call = call_of("AWS", message("{}"), responses, function=FUNCTION)
    assert answer(call, invoke).reply == b"sorry: bad name"


def test_a_failed_function_invocation_fails_the_call() -> None:
    async def invoke(function, payload):
        return None

    assert answer(call_of("AWS", message("{}"), function=FUNCTION), invoke) is None


@pytest.mark.parametrize(
    ("behaviour", "templates"),
    [("NEVER", {}), ("WHEN_NO_TEMPLATES", {"other": "x"})],
)
def test_passthrough_behaviour_refuses_unmatched_messages(behaviour, templates) -> None:
    call = call_of(
        "MOCK",
        message('{"action": "join"}'),
        TemplateSelectionExpression="$request.body.action",
        RequestTemplates=templates,
        PassthroughBehavior=behaviour,
    )
    with pytest.raises(NoTemplateMatch):
        answer(call)


def test_a_failing_template_is_a_configuration_error() -> None:
    call = call_of("MOCK", message("{}"), RequestTemplates={"$default": "#if("})
    with pytest.raises(BadConfiguration):
        answer(call)


def test_content_handling_converts_binary_to_text_and_back() -> None:
    seen = []

    async def invoke(function, payload):
        seen.append(payload)
        return InvokeResult("r", 200, base64.b64encode(b"\xff\x00"), "$LATEST")

    call = call_of(
        "AWS",
        message(b"\x00\x01"),
        [default_response(ContentHandlingStrategy="CONVERT_TO_BINARY")],
        function=FUNCTION,
        ContentHandlingStrategy="CONVERT_TO_TEXT",
    )
    mapped = answer(call, invoke)
    assert seen == [base64.b64encode(b"\x00\x01")]
    assert mapped.reply == b"\xff\x00"
