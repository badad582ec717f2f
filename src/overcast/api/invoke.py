"""Lambda's Invoke operation: the hot path from an HTTP request to the engine and back.

Kept apart from the generic, model-driven control-plane routes so that a warm invoke costs only
what it must: resolve (in memory), check limits, hand the payload to the engine untouched.
"""

from __future__ import annotations

import base64
import binascii
import json

from starlette.requests import Request
from starlette.responses import Response

from overcast.api.protocol import check_header_size
from overcast.api.sigv4 import scope_of
from overcast.engine.async_queue import MAX_HOPS, AsyncQueue, Policies
from overcast.engine.engine import Engine, new_request_id
from overcast.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    RecursiveInvocationException,
    RequestTooLargeException,
)
from overcast.types import Resolver

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
CLIENT_CONTEXT_LIMIT = 3583
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
RECURSION_STOPPED = (
    "Lambda has detected your function being invoked in a recursive loop with other AWS "
    "resources and stopped your function's invocation."
)


class InvokeEndpoint:
    """The Starlette endpoint for `POST /2015-03-31/functions/{FunctionName}/invocations`."""

    def __init__(
        self,
        engine: Engine,
        resolver: Resolver,
        default_region: str,
        queue: AsyncQueue,
        policies: Policies,
    ) -> None:
        self._engine = engine
        self._resolver = resolver
        self._default_region = default_region
        self._queue = queue
        self._policies = policies

    async def __call__(self, request: Request) -> Response:
        check_header_size(request.scope["headers"])
        headers = request.headers
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type not in INVOCATION_TYPES:
            raise InvalidParameterValueException(
                f"Unsupported invocation type {invocation_type!r}: "
                "use RequestResponse, Event or DryRun."
            )
        payload = await request.body()
        _check_size(payload, invocation_type)
        region = scope_of(headers, self._default_region).region
        target = self._resolver.resolve(
            region, request.path_params["FunctionName"], request.query_params.get("Qualifier")
        )
        payload = _checked_json(payload)
        executed = {"X-Amz-Executed-Version": target.function.version}
        if invocation_type == "DryRun":
            return Response(status_code=204, headers=executed)
        hops = lineage_hops(headers.get("x-amzn-trace-id"))
        if hops >= MAX_HOPS and self._policies.stops_loops(target.function):
            raise RecursiveInvocationException(RECURSION_STOPPED)
        if invocation_type == "Event":
            request_id = new_request_id()
            self._queue.accept(target, payload, request_id=request_id, hops=hops)
            return Response(status_code=202, headers={"x-amzn-RequestId": request_id, **executed})
        result = await self._engine.invoke(
            target,
            payload,
            tail=headers.get("x-amz-log-type") == "Tail",
            client_context=_client_context(headers.get("x-amz-client-context")),
            hops=hops,
        )
        response_headers = {"x-amzn-RequestId": result.request_id, **executed}
        if result.function_error:
            response_headers["X-Amz-Function-Error"] = result.function_error
        if result.log_result is not None:
            response_headers["X-Amz-Log-Result"] = result.log_result
        return Response(
            result.payload,
            status_code=result.status_code,
            headers=response_headers,
            media_type="application/json",
        )


def _check_size(payload: bytes, invocation_type: str) -> None:
    limit = ASYNC_PAYLOAD_LIMIT if invocation_type == "Event" else SYNC_PAYLOAD_LIMIT
    if len(payload) > limit:
        raise RequestTooLargeException(
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
        )


def _checked_json(payload: bytes) -> bytes:
    # Lambda refuses an event that is not JSON; an empty payload is the empty object.
    if not payload.strip():
        return b"{}"
    try:
        json.loads(payload)
    except ValueError as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from None
    return payload


def _client_context(header: str | None) -> str | None:
    """X-Amz-Client-Context is base64 JSON; the runtime receives the decoded JSON text."""
    if not header:
        return None
    if len(header) > CLIENT_CONTEXT_LIMIT:
        raise InvalidParameterValueException(
            f"Client context must be smaller than {CLIENT_CONTEXT_LIMIT} bytes"
        )
    try:
        text = base64.b64decode(header, validate=True).decode()
        json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidRequestContentException(
            "Client context must be a valid Base64-encoded JSON object."
        ) from None
    return text


def lineage_hops(trace_header: str | None) -> int:
    """How many invocations came before this one in its chain: the count in the trace
    header's `Lineage=<id>:<count>`, which the SDKs pass on from inside a function."""
    if not trace_header or "Lineage=" not in trace_header:
        return 0
    lineage = trace_header.split("Lineage=", 1)[1].split(";", 1)[0]
    try:
        return int(lineage.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0
