"""Lambda's InvokeWithResponseStream: the function's response as an event stream, each chunk
sent on as the function writes it, then InvokeComplete.

    POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations

Refusals before the function runs (an unknown function, a bad payload, throttling) are
ordinary Lambda errors; once it runs, the answer is 200 and how the invocation ended (a
function error, a timeout) is told by InvokeComplete's ErrorCode and ErrorDetails.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from overcast.aws.authentication import Authenticator
from overcast.aws.authorizer import AllowAll, Authorizer, ResourcePolicies
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.lineage import MAX_HOPS
from overcast.aws.protocols import eventstream
from overcast.aws.protocols.rest_json import check_header_size
from overcast.aws.request_context import DEFAULT_ACCOUNT
from overcast.aws.signed_request import SignedRequest
from overcast.engine.async_queue import Policies
from overcast.engine.engine import Engine
from overcast.engine.streaming import ResponseStream
from overcast.services.lambda_.access import invoke_access
from overcast.services.lambda_.api.invoke import (
    RECURSION_STOPPED,
    authenticated,
    check_size,
    checked_json,
    client_context,
    invoke_context,
    resolve,
    wants_log_tail,
)
from overcast.services.lambda_.errors import RecursiveInvocationException
from overcast.types import Resolver

# InvokeWithResponseStream's path (the app takes it ahead of every other route).
STREAM_PATH = re.compile(r"/2021-11-15/functions/([^/]+)/response-streaming-invocations/?")
INVOCATION_TYPES = ("RequestResponse", "DryRun")


class InvokeStreamEndpoint:
    """The Starlette endpoint for InvokeWithResponseStream."""

    def __init__(
        self,
        engine: Engine,
        resolver: Resolver,
        default_region: str,
        policies: Policies | None = None,
        authorizer: Authorizer | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        authenticator: Authenticator | None = None,
        resource_policies: ResourcePolicies | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._engine = engine
        self._resolver = resolver
        self._default_region = default_region
        self._policies = policies  # recursive loop detection, as for Invoke
        self._authorizer = authorizer or AllowAll()
        self._account_id = account_id
        self._resource_policies = resource_policies  # functions' (AddPermission)

    async def __call__(self, request: Request) -> Response:
        check_header_size(request.scope["headers"])
        headers = request.headers
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type not in INVOCATION_TYPES:
            raise InvalidParameterValueException(
                f"Unsupported invocation type {invocation_type!r}: use RequestResponse or DryRun."
            )
        tail = wants_log_tail(headers)
        payload = await request.body()
        check_size(payload, invocation_type)
        scope = request.scope
        signer, signed_scope = authenticated(
            self._authenticator,
            SignedRequest(
                "POST",
                (scope.get("raw_path") or scope["path"].encode()).decode("latin-1"),
                scope["query_string"].decode("latin-1"),
                headers,
                payload,
            ),
        )
        context = invoke_context(
            headers, self._default_region, self._account_id, signer, signed_scope
        )
        params = {
            "FunctionName": request.path_params["FunctionName"],
            "Qualifier": request.query_params.get("Qualifier"),
        }
        # InvokeWithResponseStream is lambda:InvokeFunction too (no action of its own).
        access = invoke_access(
            context.region, context.account_id, params["FunctionName"], params["Qualifier"]
        )
        self._authorizer.authorize(context, access, self._resource_policies)
        target = resolve(
            self._resolver, context.region, params["FunctionName"], params["Qualifier"]
        )
        payload = checked_json(payload)
        executed = {"X-Amz-Executed-Version": target.function.version}
        if invocation_type == "DryRun":
            return Response(status_code=204, headers=executed)
        hops = context.hops
        if hops >= MAX_HOPS and self._policies and self._policies.stops_loops(target.function):
            raise RecursiveInvocationException(RECURSION_STOPPED)
        stream = await self._engine.invoke_stream(
            target,
            payload,
            tail=tail,
            client_context=client_context(headers.get("x-amz-client-context")),
            hops=hops,
        )
        return StreamingResponse(
            events(stream),
            headers={"x-amzn-RequestId": stream.request_id, **executed},
            media_type=eventstream.CONTENT_TYPE,
        )


async def events(stream: ResponseStream) -> AsyncIterator[bytes]:
    """PayloadChunk events as the function writes, then InvokeComplete."""
    try:
        async for chunk in stream:
            yield eventstream.payload_chunk(chunk)
        error = stream.error
        yield eventstream.invoke_complete(
            error.code if error else None,
            error.details if error else None,
            stream.result.log_result,
        )
    finally:
        stream.close()
