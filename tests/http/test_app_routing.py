"""The HTTP application's first routing (http/app.py's InvokeFront): an AWS API request goes
straight to the gateway, past Starlette's routes, and what those routes answer otherwise
(Overcast's own paths, a method no route takes) still reaches them."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from overcast.http.app import InvokeFront, PostRoute


async def _gateway(request: Request) -> Response:
    return PlainTextResponse("gateway")


async def _own(request: Request) -> Response:
    return PlainTextResponse("own")


async def _invoke(request: Request) -> Response:
    return PlainTextResponse("invoke " + request.path_params["FunctionName"])


def _client() -> TestClient:
    # The app's catch-all answers differently from the gateway: whichever answers shows.
    routes = [
        Route("/_overcast/health", _own, methods=["GET"]),
        Route("/{path:path}", lambda request: PlainTextResponse("routes"), methods=["GET", "POST"]),
    ]
    invoke = PostRoute(re.compile(r"/2015-03-31/functions/([^/]+)/invocations"), _invoke)
    front = InvokeFront(invoke, Starlette(routes=routes), gateway=_gateway)
    return TestClient(front)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/"), ("GET", "/bucket/key"), ("DELETE", "/2015-03-31/functions/f"), ("PATCH", "/x")],
)
def test_an_aws_api_request_goes_straight_to_the_gateway(method: str, path: str) -> None:
    headers = {"X-Amz-Target": "DynamoDB_20120810.GetItem"}
    answer = _client().request(method, path, headers=headers, content=b"{}")
    assert answer.text == "gateway"


def test_overcast_own_paths_and_unknown_methods_stay_with_the_routes() -> None:
    client = _client()
    assert client.get("/_overcast/health").text == "own"
    assert client.post("/_overcast/health").text == "routes"  # as Starlette routes it
    assert client.request("PROPFIND", "/x").status_code == 405  # Starlette's, as before


def test_invoke_is_still_matched_first() -> None:
    assert _client().post("/2015-03-31/functions/f/invocations").text == "invoke f"
