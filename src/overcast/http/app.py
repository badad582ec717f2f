"""The HTTP application: invoke route first, then Overcast's own routes, JSON 1.1 services by
X-Amz-Target, services by SigV4 signing name or path, and Lambda's REST API for the rest.

No middleware: each endpoint is wrapped in a try/except (errors.guarded) and nothing more, as
the invoke path shares this app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from overcast.aws import json_document
from overcast.aws.error_responses import Endpoint, guarded, json_protocol_error_response
from overcast.aws.errors import MissingResource, SerializationException, UnknownOperationException
from overcast.aws.protocols import rest_json as protocol
from overcast.aws.request_context import RequestContext, request_context
from overcast.config import PYTHON_RUNTIMES, Settings
from overcast.store.code import CodeStore
from overcast.types import FrontDoor

TargetHandler = Callable[[str, dict, RequestContext], Awaitable[dict]]


class AnyPath(PathConvertor):
    """Starlette's `path`, line breaks included: an S3 key may hold any character, and
    Starlette's own `.*` stops at a newline (the request then got a bare 404)."""

    regex = "(?s:.*)"


register_url_convertor("anypath", AnyPath())

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


class TargetApi:
    """JSON 1.1 services: `POST /` with `X-Amz-Target: <Prefix>.<Operation>`."""

    def __init__(
        self, settings: Settings, handlers: dict[str, TargetHandler], fallback: Endpoint
    ) -> None:
        self.settings = settings
        self.handlers = handlers
        self.fallback = fallback
        self.dispatch = guarded(self._dispatch, json_protocol_error_response)

    async def handle(self, request: Request) -> Response:
        if "x-amz-target" not in request.headers:
            return await self.fallback(request)  # a REST request for `/`: not ours
        return await self.dispatch(request)

    # Pass the bound method to a Route (Starlette treats a callable instance as an ASGI app).
    __call__ = handle

    async def _dispatch(self, request: Request) -> Response:
        protocol.check_header_size(request.scope["headers"])
        prefix, _, operation = request.headers["x-amz-target"].partition(".")
        handler = self.handlers.get(prefix)
        if handler is None:
            return await self.fallback(request)
        if not operation:
            raise UnknownOperationException(
                f"No service here answers X-Amz-Target {request.headers['x-amz-target']}"
            )
        raw = await request.body()
        try:
            body = json_document.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise SerializationException(f"Could not parse request body: {exc}") from None
        if not isinstance(body, dict):
            raise SerializationException("The request body must be a JSON object")
        context = request_context(request, self.settings.default_region)
        result = await handler(operation, body, context)
        return Response(json.dumps(result or {}), media_type="application/x-amz-json-1.1")


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


class OtherServices:
    """Requests signed for another AWS service (s3, sqs, sns, ...) go to that service's
    endpoint, by the SigV4 scope (the Authorization header, or a presigned URL's
    X-Amz-Credential): paths alone cannot tell a bucket named `2015-03-31` from Lambda's API.
    Each service's endpoint renders its own errors (XML for some), so none is wrapped here."""

    def __init__(self, settings: Settings, services: dict[str, Endpoint]) -> None:
        self.settings = settings
        self.services = services

    def or_else(self, fallback: Endpoint) -> Endpoint:
        if not self.services:
            return fallback

        async def dispatch(request: Request) -> Response:
            # Worked out once: the service that answers reads the same context.
            context = request_context(request, self.settings.default_region)
            return await self.services.get(context.service, fallback)(request)

        return dispatch


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
    """Sends Lambda's Invoke straight to its endpoint, function URLs to their front door, and
    everything else to the Starlette app.

    The invoke and URL paths are hot paths: they skip Starlette's middleware and route scan.
    """

    def __init__(
        self,
        invoke: PostRoute,
        app: Starlette,
        function_urls: FrontDoor | None = None,
        stream: PostRoute | None = None,
        front_doors: tuple[FrontDoor, ...] = (),
    ) -> None:
        self.invoke = (invoke.path, guarded(invoke.endpoint))
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
        await self.app(scope, receive, send)


def build_app(
    *,
    settings: Settings,
    code_store: CodeStore,
    invoke: PostRoute,
    rest: Endpoint,
    target_handlers: dict[str, TargetHandler],
    function_urls: FrontDoor | None = None,
    services: dict[str, Endpoint] | None = None,
    queue_stats: Callable[[], dict] | None = None,
    stream: PostRoute | None = None,
    front_doors: tuple[FrontDoor, ...] = (),
    paths: dict[str, Endpoint] | None = None,
) -> InvokeFront:
    """The whole HTTP surface. `invoke` answers Lambda's Invoke and is matched first (then
    `stream`); `target_handlers` answer JSON 1.1 operations by X-Amz-Target prefix; `services`
    answer requests signed for them, by SigV4 signing name; `paths` answer REST paths by
    prefix (`/v2/`: API Gateway's v2 API) ahead of `rest` (Lambda's REST API), which takes
    every other path. `services` and `paths` endpoints render their own errors."""
    target_api = TargetApi(settings, target_handlers, rest)
    others = OtherServices(settings, services or {})
    routes = [
        Route("/_overcast/health", health, methods=["GET"]),
        Route("/_overcast/queue", stats_endpoint(queue_stats or dict), methods=["GET"]),
        Route("/_overcast/runtimes", runtimes_endpoint(settings), methods=["GET"]),
        Route("/_overcast/code/{sha}.zip", guarded(code_download(code_store)), methods=["GET"]),
        Route("/", others.or_else(target_api.handle), methods=ALL_METHODS),
        Route("/{path:anypath}", others.or_else(rest), methods=ALL_METHODS),
    ]
    for prefix, endpoint in (paths or {}).items():  # ahead of Lambda's catch-all
        # A request signed for another service still goes there: S3 keys may start with v2/.
        route = Route(prefix + "{path:anypath}", others.or_else(endpoint), methods=ALL_METHODS)
        routes.insert(-1, route)
    return InvokeFront(invoke, Starlette(routes=routes), function_urls, stream, front_doors)
