"""Lambda's Invoke operation: the hot path from an HTTP request to the engine and back.

Kept apart from the generic, model-driven control-plane routes so that a warm invoke costs only
what it must: resolve (in memory), check limits, hand the payload to the engine untouched.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import json_document
from overcast.aws.authentication import Authenticator, auth_error
from overcast.aws.authorizer import AllowAll, Authorizer, ResourcePolicies
from overcast.aws.credentials import Identity
from overcast.aws.error_responses import internal_error
from overcast.aws.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    RequestEntityTooLargeException,
    ServiceError,
)
from overcast.aws.lineage import MAX_HOPS
from overcast.aws.protocols.rest_json import MAX_HEADER_BYTES, header_size, service_model
from overcast.aws.request_context import DEFAULT_ACCOUNT, RequestContext
from overcast.aws.request_id import new_request_id
from overcast.aws.signed_request import MISSING, AuthFailure, SignedParts
from overcast.aws.sigv4 import Scope, scope_of
from overcast.aws.validation import constraints, single_error, validate
from overcast.engine.async_queue import AsyncQueue, Policies
from overcast.engine.engine import Engine
from overcast.function import Target
from overcast.http.invoke_shortcut import Answer, InvokeCall
from overcast.services.lambda_.access import invoke_access
from overcast.services.lambda_.errors import (
    RecursiveInvocationException,
    ResourceNotFoundException,
)
from overcast.types import Resolver

# Invoke's path: the ASGI route matches it on the decoded path, the HTTP shortcut on raw bytes.
INVOKE_PATH = r"/2015-03-31/functions/([^/?]+)/invocations/?"
# The app matches INVOKE_PATH on the decoded path (with the trailing-slash form older botocore
# sends); the shortcut past ASGI (http/fast_http.py) claims INVOKE_URL on the raw bytes.
INVOKE_ROUTE = re.compile(INVOKE_PATH)
INVOKE_URL = re.compile(INVOKE_PATH.encode() + rb"(?:\?(.*))?")
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
CLIENT_CONTEXT_LIMIT = 3583
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
INVOKE_INPUT = service_model("lambda").operation_model("Invoke").input_shape
# The model's LogType member (its enum: None, Tail), checked as every other member is.
LOG_TYPE = INVOKE_INPUT.members["LogType"]
JSON_TYPE = ("content-type", "application/json")
RECURSION_STOPPED = (
    "Lambda has detected your function being invoked in a recursive loop with other AWS "
    "resources and stopped your function's invocation."
)


class InvokeEndpoint:
    """Lambda's Invoke: `POST /2015-03-31/functions/{FunctionName}/invocations`."""

    def __init__(
        self,
        engine: Engine,
        resolver: Resolver,
        default_region: str,
        queue: AsyncQueue,
        policies: Policies,
        authorizer: Authorizer | None = None,
        account_id: str = DEFAULT_ACCOUNT,
        authenticator: Authenticator | None = None,
        resource_policies: ResourcePolicies | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._engine = engine
        self._resolver = resolver
        self._default_region = default_region
        self._queue = queue
        self._policies = policies
        self._authorizer = authorizer or AllowAll()
        self._account_id = account_id
        self._resource_policies = resource_policies  # functions' (AddPermission)

    async def __call__(self, request: Request) -> Response:
        """The Starlette endpoint (errors are rendered by the `guarded` wrapper around it)."""
        raw = request.scope["headers"]
        call = InvokeCall(
            function_name=request.path_params["FunctionName"],
            qualifier=request.query_params.get("Qualifier"),
            headers={n.decode("latin-1"): v.decode("latin-1") for n, v in raw},
            body=await request.body(),
            header_bytes=header_size(raw),
            path=(request.scope.get("raw_path") or request.scope["path"].encode()).decode(
                "latin-1"
            ),
            query=request.scope["query_string"].decode("latin-1"),
        )
        answer = await self.invoke(call)
        return Response(answer.body, answer.status, headers=dict(answer.headers))

    async def answer(self, call: InvokeCall) -> Answer:
        """The answer to `call`, Lambda's errors included."""
        try:
            return await self.invoke(call)
        except ServiceError as exc:
            return Answer.of_error(exc)
        except Exception as exc:
            return Answer.of_error(internal_error(exc, f"Invoke {call.function_name}"))

    async def invoke(self, call: InvokeCall) -> Answer:
        """The answer to `call`; refusals raise Lambda's errors."""
        headers = call.headers
        if call.header_bytes > MAX_HEADER_BYTES:
            raise RequestEntityTooLargeException(
                f"Request headers must be smaller than {MAX_HEADER_BYTES} bytes"
            )
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type not in INVOCATION_TYPES:
            raise InvalidParameterValueException(
                f"Unsupported invocation type {invocation_type!r}: "
                "use RequestResponse, Event or DryRun."
            )
        tail = wants_log_tail(headers)
        check_size(call.body, invocation_type)
        signer, scope = authenticated(self._authenticator, call)
        context = invoke_context(headers, self._default_region, self._account_id, signer, scope)
        access = invoke_access(
            context.region, context.account_id, call.function_name, call.qualifier
        )
        self._authorizer.authorize(context, access, self._resource_policies)
        target = resolve(self._resolver, context.region, call.function_name, call.qualifier)
        payload = checked_json(call.body)
        executed = ("x-amz-executed-version", target.function.version)
        if invocation_type == "DryRun":
            return Answer(204, [executed])
        hops = context.hops
        if hops >= MAX_HOPS and self._policies.stops_loops(target.function):
            raise RecursiveInvocationException(RECURSION_STOPPED)
        if invocation_type == "Event":
            request_id = new_request_id()
            await self._queue.submit(target, payload, request_id=request_id, hops=hops)
            return Answer(202, [("x-amzn-requestid", request_id), executed])
        result = await self._engine.invoke(
            target,
            payload,
            tail=tail,
            client_context=client_context(headers.get("x-amz-client-context")),
            hops=hops,
        )
        answer = [("x-amzn-requestid", result.request_id), executed, JSON_TYPE]
        if result.function_error:
            answer.append(("x-amz-function-error", result.function_error))
        if result.log_result is not None:
            answer.append(("x-amz-log-result", result.log_result))
        return Answer(result.status_code, answer, result.payload)


def resolve(resolver: Resolver, region: str, function_name: str, qualifier: str | None) -> Target:
    """The version an invocation runs. A name or qualifier outside the model's patterns is
    refused as Lambda's front end refuses it (400 ValidationException, not "Function not
    found"); that check runs only once the lookup failed, so a warm invoke pays nothing."""
    try:
        return resolver.resolve(region, function_name, qualifier)
    except ResourceNotFoundException:
        named = {"FunctionName": function_name, "Qualifier": qualifier}
        validate(INVOKE_INPUT, {k: v for k, v in named.items() if v is not None})
        raise


def invoke_context(
    headers: Mapping[str, str],
    default_region: str,
    account_id: str,
    identity: Identity | None = None,
    scope: Scope | None = None,
) -> RequestContext:
    """Invoke's RequestContext, as the gateway makes one for every other operation (Invoke
    takes its own hot path). Its request id is the invocation's, made by the engine.
    `scope` is the verified credential's (authenticated), else read from the headers."""
    if scope is None:
        scope = scope_of(headers, default_region)
    trace = headers.get("x-amzn-trace-id")
    return RequestContext(
        scope.access_key,
        scope.region,
        scope.service,
        trace,
        account_id,
        "",
        "",
        identity=identity,
    )


def authenticated(
    authenticator: Authenticator | None, request: SignedParts
) -> tuple[Identity | None, Scope | None]:
    """The request's verified signer (the root with `--auth off`; None without an
    authenticator), and its credential's scope as the request context reads it (None: not
    verified, or not read the same: the context reads the request's); raises Lambda's
    authentication errors. Worked out before the context is made, so the context is made
    once (a frozen dataclass's `replace` is not cheap)."""
    if authenticator is None:
        return None, None
    verifier = authenticator.verifier  # Authenticator.authenticate's steps, without its call
    if verifier is None:  # --auth off
        return authenticator.anyone, None
    try:
        verified = verifier.verify(request, "lambda")
        if verified is None:  # Lambda takes no unsigned request
            raise AuthFailure(MISSING)
    except AuthFailure as failure:
        raise auth_error(failure, "rest-json") from None
    return verified.identity, verified.scope


def wants_log_tail(headers: dict[str, str]) -> bool:
    """Whether X-Amz-Log-Type asks for the log's tail; a value outside the model's LogType
    enum is refused as Lambda's front end refuses any enum member it cannot read."""
    log_type = headers.get("x-amz-log-type", "None")
    if log_type != "None" and log_type != "Tail":  # the usual answers cost no model lookup
        problems = constraints(LOG_TYPE, log_type)
        if problems:
            raise single_error("logType", log_type, problems[0])
    return log_type == "Tail"


def check_size(payload: bytes, invocation_type: str) -> None:
    """Lambda's payload limits, as its Invoke answers them (413 RequestEntityTooLargeException,
    whatever the model calls it): the 6 MB request limit first, then the Event type's own."""
    size = len(payload)
    if size > SYNC_PAYLOAD_LIMIT:
        raise RequestEntityTooLargeException(
            f"Request must be smaller than {SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction "
            "operation"
        )
    if invocation_type == "Event" and size > ASYNC_PAYLOAD_LIMIT:
        raise RequestEntityTooLargeException(
            f"{size} byte payload is too large for the Event invocation type "
            f"(limit {ASYNC_PAYLOAD_LIMIT} bytes)"
        )


def checked_json(payload: bytes) -> bytes:
    # Lambda refuses an event that is not JSON; an empty payload is the empty object.
    if not payload.strip():
        return b"{}"
    try:
        json_document.loads(payload, json_document.PAYLOAD_MAX_DEPTH)
    except ValueError as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from None
    return payload


def client_context(header: str | None) -> str | None:
    """X-Amz-Client-Context is base64 JSON; the runtime receives the decoded JSON text."""
    if not header:
        return None
    if len(header) > CLIENT_CONTEXT_LIMIT:
        raise InvalidParameterValueException(
            f"Client context must be smaller than {CLIENT_CONTEXT_LIMIT} bytes"
        )
    try:
        text = base64.b64decode(header, validate=True).decode()
        json_document.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidRequestContentException(
            "Client context must be a valid Base64-encoded JSON object."
        ) from None
    return text
