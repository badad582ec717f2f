"""The HTTP application: Invoke first, then the front doors that are not API calls (function
URLs, HTTP APIs), then Overcast's own routes, and every other request to the AWS gateway
(aws/gateway.py), which finds the service that answers it.

No middleware: each endpoint is wrapped in a try/except (errors.guarded) and nothing more, as
the invoke path shares this app.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from overcast.aws.error_responses import Endpoint, guarded
from overcast.aws.errors import MissingResource
from overcast.aws.request_context import RequestContext
from overcast.config import PYTHON_RUNTIMES, Settings
from overcast.http.header_case import keep_headers_as_sent
from overcast.store.code import CodeStore
from overcast.types import FrontDoor

TargetHandler = Callable[[str, dict, RequestContext], Awaitable[dict]]


class AnyPath(PathConvertor):
    """Starlette's `path`, line breaks included: an S3 key may hold any character, and
    Starlette's own `.*` stops at a newline (the request then got a bare 404)."""

    regex = "(?s:.*)"


register_url_convertor("anypath", AnyPath())

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def code_download(code_store: CodeStore) -> Endpoint:
    """GetFunction's Code.Location: the stored package, by its sha256."""

    async def download(request: Request) -> Response:
        sha = request.path_params["sha"]
        try:
            path = code_store.zip_path(sha)
        except ValueError:
            path = None
        if path is None or not path.is_file():
            # Lambda's own ResourceNotFoundException is a MissingResource with nothing added:
            # the same 404 and body, without http/ importing a service.
            raise MissingResource(f"Code not found: {sha}")
        return FileResponse(path, media_type="application/zip")

    return download


def stats_endpoint(stats: Callable[[], dict]) -> Endpoint:
    """`GET /_overcast/queue`: the asynchronous queue per function (`overcast queue stats`)."""

    async def answer(request: Request) -> Response:
        return JSONResponse(stats())

    return answer


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def runtimes_endpoint(settings: Settings) -> Endpoint:
    """`GET /_overcast/runtimes`: the interpreter each Python runtime runs on here, so
    `overcast deploy` installs a requirements.txt with the same one (GetFunction reports
    it per function, under `Overcast.Interpreter`)."""

    async def answer(request: Request) -> Response:
        interpreters = settings.interpreters
        return JSONResponse({r: interpreters[r] for r in PYTHON_RUNTIMES if r in interpreters})

    return answer


@dataclass(frozen=True)
class PostRoute:
    """A POST path taken ahead of every other route (Lambda's Invoke): the pattern matches
    the decoded path and captures the function's name."""

    path: re.Pattern[str]
    endpoint: Endpoint


class InvokeFront:
    """Sends Lambda's Invoke straight to its endpoint, function URLs to their front door, an
    AWS API request (any path outside /_overcast/) straight to the gateway, and the rest to
    the Starlette app.

    These are hot paths: they skip Starlette's middleware and route scan, which would send
    the same requests to the same endpoints (the gateway's route is the app's catch-all).
    """

    def __init__(
        self,
        invoke: PostRoute,
        app: Starlette,
        function_urls: FrontDoor | None = None,
        stream: PostRoute | None = None,
        front_doors: tuple[FrontDoor, ...] = (),
        websocket_doors: tuple[FrontDoor, ...] = (),
        gateway: Endpoint | None = None,
    ) -> None:
        self.gateway = gateway  # None: the app's routes find it
        self.invoke = (invoke.path, guarded(invoke.endpoint))
        self.websocket_doors = websocket_doors  # WebSocket APIs' connections
        self.stream = (stream.path, guarded(stream.endpoint)) if stream is not None else None
        self.app = app
        # Function URLs, HTTP APIs: each claims its own requests by path or Host.
        self.front_doors = tuple(d for d in (function_urls, *front_doors) if d is not None)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            if scope["method"] == "POST":
                path, route = self.invoke
                match = path.fullmatch(scope["path"])
                if match is None and self.stream is not None:
                    path, route = self.stream
                    match = path.fullmatch(scope["path"])
                if match is not None:
                    scope["path_params"] = {"FunctionName": match.group(1)}
                    response = await route(Request(scope, receive))
                    await response(scope, receive, send)
                    return
            for door in self.front_doors:
                if door.match(scope):
                    await door(scope, receive, send)
                    return
            if self.gateway is not None and _to_gateway(scope):
                response = await self.gateway(Request(scope, receive))
                await response(scope, receive, send)
                return
        elif scope["type"] == "websocket":
            keep_headers_as_sent(scope)
            for door in self.websocket_doors:
                if door.match(scope):
                    await door(scope, receive, send)
                    return
        await self.app(scope, receive, send)


OWN_PREFIX = "/_overcast/"


def _to_gateway(scope: dict) -> bool:
    """Whether the app's routes would send this request to the gateway: a method its
    catch-all route takes (Starlette answers any other 405), outside Overcast's own paths."""
    path = scope["path"]
    return (
        scope["method"] in ALL_METHODS and path.startswith("/") and not path.startswith(OWN_PREFIX)
    )


def build_app(
    *,
    settings: Settings,
    code_store: CodeStore,
    invoke: PostRoute,
    gateway: Endpoint,
    function_urls: FrontDoor | None = None,
    queue_stats: Callable[[], dict] | None = None,
    stream: PostRoute | None = None,
    front_doors: tuple[FrontDoor, ...] = (),
    websocket_doors: tuple[FrontDoor, ...] = (),
) -> InvokeFront:
    """The whole HTTP surface. `invoke` answers Lambda's Invoke and is matched first (then
    `stream`), the front doors claim their own requests, and `gateway` answers every AWS API
    request that reaches it (it renders its own errors)."""
    routes = [
        Route("/_overcast/health", health, methods=["GET"]),
        Route("/_overcast/queue", stats_endpoint(queue_stats or dict), methods=["GET"]),
        Route("/_overcast/runtimes", runtimes_endpoint(settings), methods=["GET"]),
        Route("/_overcast/code/{sha}.zip", guarded(code_download(code_store)), methods=["GET"]),
        Route("/{path:anypath}", gateway, methods=ALL_METHODS),
    ]
    app = Starlette(routes=routes)
    return InvokeFront(
        invoke, app, function_urls, stream, front_doors, websocket_doors, gateway=gateway
    )
