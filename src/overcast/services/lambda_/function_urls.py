"""Function URLs: plain HTTP in, a payload 2.0 event to the function, its answer back as HTTP.

Reached at `/lambda-url/<url-id>/...` on the server's own address (no DNS needed), or with
Lambda's host form `<url-id>.lambda-url.<region>.on.aws` in the Host header. The URL's auth
type and CORS configuration apply as Lambda's URL front end applies them: an AWS_IAM URL
takes signed requests its signer may make (url_auth.py); a NONE URL answers only while the
function's resource-based policy grants everyone `lambda:InvokeFunctionUrl` and
`lambda:InvokeFunction` through it (control/invoke_permissions.py), else 403
`{"Message":"Forbidden"}`, as Lambda answers an unauthorized caller. A URL whose invoke
mode is RESPONSE_STREAM sends the response on as the function writes it (http_stream.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from overcast.aws.errors import ServiceError
from overcast.aws.request_id import new_request_id
from overcast.http.front_door import (
    Claim,
    asgi_request,
    claim_of,
    cors_headers,
    function_response,
    note_invalid,
    preflight,
    scope_path_host,
    send_response,
)
from overcast.http.payload_v2 import (
    EventContext,
    HttpRequest,
    HttpResponse,
    encoded_event,
    event_v2,
    response_v2,
)
from overcast.http.stream import InvalidPrelude, read_head, send_stream
from overcast.services.lambda_.model.url import UrlRoute, parse_url_host
from overcast.services.lambda_.url_auth import UrlAuth
from overcast.types import InvocationStream, Invoker, Resolver

log = logging.getLogger(__name__)

PATH_PREFIX = "/lambda-url/"
HOST_MARK = ".lambda-url."
PAYLOAD_LIMIT = 6 * 1024 * 1024
STREAM_MODE = "RESPONSE_STREAM"
# Lambda's throttle (TooManyRequestsException, 429): a function URL answers it "Rate Exceeded.";
# read by status, as front doors import no service.
THROTTLED = 429


def _message(status: int, message: str) -> HttpResponse:
    body = json.dumps({"Message": message}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


class FunctionUrls:
    """Every function URL of this server: answered whole (`respond`, for the HTTP protocol's
    shortcut) or through ASGI (`__call__`, which RESPONSE_STREAM URLs need)."""

    body_limit = PAYLOAD_LIMIT

    def __init__(
        self,
        route: Callable[[str], UrlRoute | None],
        resolver: Resolver,
        engine: Invoker,
        account_id: str,
        public: Callable[[UrlRoute], bool],
        auth: UrlAuth | None = None,
    ) -> None:
        self._public = public  # NONE URLs' check: does the function's policy let everyone in
        self._auth = auth  # AWS_IAM URLs' check; None: a signature's presence is enough
        self._route = route
        self._resolver = resolver
        self._engine = engine
        self._account_id = account_id

    def claim(self, path: str, host: str) -> Claim | None:
        """The claim if the request is for a function URL that answers whole; a
        RESPONSE_STREAM URL's requests are left to ASGI."""
        claim = claim_of(path, host, PATH_PREFIX, HOST_MARK, parse_url_host)
        if claim is None:
            return None
        route = self._route(claim.name)
        return None if route is not None and route.invoke_mode == STREAM_MODE else claim

    def match(self, scope: dict) -> Claim | None:
        """The claim if the ASGI request is for a function URL."""
        return claim_of(*scope_path_host(scope), PATH_PREFIX, HOST_MARK, parse_url_host)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        claim = self.match(scope)
        request = await asgi_request(scope, receive, claim.raw_path, PAYLOAD_LIMIT)
        route = self._route(claim.name)
        if route is None or route.invoke_mode != STREAM_MODE:
            await send_response(send, await self.respond(claim, request))
            return
        response = self._answered_here(route, claim, request)
        if response is None:
            response = await self._stream(route, claim.name, request, send)
            if response is None:  # streamed, sent already
                return
            response = _with_cors(route, request, response)
        await send_response(send, response)

    async def respond(self, claim: Claim, request: HttpRequest) -> HttpResponse:
        """The response to a request for a URL that answers whole."""
        route = self._route(claim.name)
        response = self._answered_here(route, claim, request)
        if response is None:
            response = await self._invoke(route, claim.name, request)
            response = _with_cors(route, request, response)
        return response

    def _answered_here(
        self, route: UrlRoute | None, claim: Claim, request: HttpRequest
    ) -> HttpResponse | None:
        """What the URL's front end answers without invoking anything, if it does."""
        if route is None:
            return _message(404, "Not Found")
        if request.oversized:
            return _message(413, "Request Entity Too Large")
        if route.auth_type == "NONE":
            if not self._public(route):
                return _message(403, "Forbidden")
        elif route.auth_type == "AWS_IAM":
            if self._auth is not None:
                refused = self._auth.refusal(route, claim.path or claim.raw_path, request)
                if refused is not None:
                    return refused
            elif "authorization" not in request.header_map:
                return _message(403, "Forbidden")
        if route.cors and request.method == "OPTIONS" and "origin" in request.header_map:
            return preflight(route.cors, request.header_map)
        return None

    def _event(self, route: UrlRoute, url_id: str, request: HttpRequest) -> bytes:
        context = EventContext(
            account_id=self._account_id,
            api_id=url_id,
            domain_name=f"{url_id}.lambda-url.{route.region}.on.aws",
            request_id=new_request_id(),
        )
        return encoded_event(event_v2(request, context))

    async def _invoke(self, route: UrlRoute, url_id: str, request: HttpRequest) -> HttpResponse:
        try:
            target = self._resolver.resolve(route.region, route.function_name, route.qualifier)
            result = await self._engine.invoke(target, self._event(route, url_id, request))
        except ServiceError as exc:
            if exc.status == THROTTLED:
                return _message(429, "Rate Exceeded.")
            log.warning("function URL %s: %s", url_id, exc.message)
            return _message(502, "Internal Server Error")
        response = function_response(self._engine, result, response_v2, _where(url_id))
        return _message(502, "Internal Server Error") if response is None else response

    async def _stream(
        self, route: UrlRoute, url_id: str, request: HttpRequest, send: Callable
    ) -> HttpResponse | None:
        """RESPONSE_STREAM: the response goes out as the function writes it. Until its head is
        known, the answer may still be an error (429, or 502 for a function that failed)."""
        try:
            target = self._resolver.resolve(route.region, route.function_name, route.qualifier)
            stream = await self._engine.invoke_stream(target, self._event(route, url_id, request))
        except ServiceError as exc:
            if exc.status == THROTTLED:
                return _message(429, "Rate Exceeded.")
            log.warning("function URL %s: %s", url_id, exc.message)
            return _message(502, "Internal Server Error")
        try:
            head = await read_head(stream)
            if head is None:
                return _message(502, "Internal Server Error")
            await send_stream(send, stream, head, _cors(route, request))
        except InvalidPrelude as exc:
            await _drain(stream)
            note_invalid(self._engine, stream.result, _where(url_id), exc)
            return _message(502, "Internal Server Error")
        finally:
            stream.close()
        return None


def _cors(route: UrlRoute, request: HttpRequest) -> list[tuple[str, str]]:
    """The CORS headers the URL's configuration adds to the function's response."""
    if not route.cors:
        return []
    origin = request.header_map.get("origin")
    return cors_headers(route.cors, origin) if origin is not None else []


def _with_cors(route: UrlRoute, request: HttpRequest, response: HttpResponse) -> HttpResponse:
    extra = _cors(route, request)
    if not extra:
        return response
    return HttpResponse(response.status, response.headers + extra, response.body)


def _where(url_id: str) -> str:
    return f"Function URL {url_id}"


async def _drain(stream: InvocationStream) -> None:
    """Wait for the end of an invocation whose response is refused (its log is written then)."""
    stream.close()
    async for _ in stream:
        pass
