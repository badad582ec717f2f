"""THE pipeline every AWS API request takes, whichever service answers it:

    route -> size -> SigV4 scope -> parse -> authenticate -> authorize -> validate ->
    operation -> serialize

Routing is by `X-Amz-Target` (JSON-protocol services name their target prefix), then by the
SigV4 signing name (paths alone cannot tell a bucket named `2015-03-31` from Lambda's API),
then by path prefix for unsigned requests (`/v2/`: API Gateway's v2 API), and what nothing
claims goes to the default service (Lambda's REST API, as it always has here).

Each step is the same code for every service; what differs comes from the service's `Api`:
its botocore model (which picks its protocol, aws/protocols/auto.py), its `Operations`,
its backend, and the few places a service words errors in its own way (`translate`,
`validate`). Errors of every kind are rendered once, here, in the protocol's shape: a
client never sees a traceback.

The signature is verified once the body is read (the parse reads it; the signature covers
it), before the authorizer: the verified signer is the context's `identity`. The authorizer
runs once the input is parsed, so that IAM can read the resource a request
names (a queue URL, a function name) as well as its action.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Protocol

from botocore.model import OperationModel, ServiceModel
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.authentication import Authenticator, auth_error
from overcast.aws.authorizer import (
    AccessMap,
    AllowAll,
    Authorizer,
    ResourcePolicies,
    default_access,
)
from overcast.aws.error_responses import (
    internal_error,
    json_protocol_error_response,
    request_line,
)
from overcast.aws.errors import ServiceError, UnknownOperationException
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import BODY_KEY, check_header_size
from overcast.aws.request_context import RequestContext, keep_context, request_context
from overcast.aws.signed_request import AuthFailure, SignedRequest, Verified
from overcast.aws.unserved import unserved_response
from overcast.aws.validation import validate


class Wire(Protocol):
    """One protocol's reading and writing of a service's requests (aws/protocols/)."""

    def claims(self, request: Request) -> bool:
        """Whether this request is in this protocol (SQS speaks two)."""
        ...

    async def read(
        self, request: Request, operations: Container[str], max_body: int | None
    ) -> tuple[OperationModel, dict]:
        """The operation the request names (one of `operations`) and its input, in
        botocore's member names; raises a ServiceError for a request it cannot read."""
        ...

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response: ...

    def error(self, exc: ServiceError, request: Request, context: RequestContext) -> Response: ...


def _validate_input(operation: OperationModel, params: dict) -> None:
    validate(operation.input_shape, params)


def _as_is(exc: ServiceError) -> ServiceError:
    return exc


@dataclass(frozen=True)
class Api:
    """One AWS service as the gateway serves it.

    `wires` default to the protocol the model names (aws/protocols/auto.py); a service that
    speaks two lists both, the one that claims a request answers it (else the last).
    `translate` rewords errors of the shared code in the service's own terms (API Gateway
    calls bad input a BadRequestException); `validate` checks parsed input (botocore's
    model constraints, in Lambda's words, unless the service words them otherwise).
    """

    model: ServiceModel
    operations: Operations
    backend: object
    wires: tuple[Wire, ...] = ()
    paths: tuple[str, ...] = ()  # path prefixes of its unsigned requests
    # Unsigned requests it knows by their shape, not a prefix (S3's name a bucket in the
    # Host or the path); asked when no prefix claims an unsigned request.
    claims_unsigned: Callable[[Request], bool] | None = None
    validate: Callable[[OperationModel, dict], None] = _validate_input
    translate: Callable[[ServiceError], ServiceError] = _as_is
    max_body: int | None = None  # the protocol's default when None
    # What each operation needs of IAM (aws/authorizer.py); `<signing name>:<op>` when None.
    access: AccessMap | None = None
    resource_policies: ResourcePolicies | None = None
    # Whether unsigned requests are served (S3's anonymous requests, authorized later as
    # anonymous); every other service answers them MissingAuthenticationToken, as AWS does.
    anonymous: bool = False
    # How an authentication failure is worded (AWS's common errors by protocol by default).
    auth_error: Callable[[AuthFailure], ServiceError] | None = None

    def __post_init__(self) -> None:
        if not self.wires:
            from overcast.aws.protocols.auto import wire_for

            object.__setattr__(self, "wires", (wire_for(self.model),))
        if self.access is None:
            object.__setattr__(self, "access", default_access(self.signing_name))
        if self.auth_error is None:
            protocol = self.model.metadata.get("protocol", "rest-json")
            object.__setattr__(self, "auth_error", lambda failure: auth_error(failure, protocol))

    @property
    def signing_name(self) -> str:
        metadata = self.model.metadata
        return metadata.get("signingName") or metadata["endpointPrefix"]

    @property
    def target_prefix(self) -> str | None:
        return self.model.metadata.get("targetPrefix")

    def wire_for(self, request: Request) -> Wire:
        return next((w for w in self.wires if w.claims(request)), self.wires[-1])


@dataclass
class Gateway:
    """The endpoint for every AWS API request but Lambda's Invoke (its own hot path)."""

    apis: list[Api]
    default: Api  # what no target, signing name or path claims (Lambda's REST API)
    default_region: str
    account_id: str
    authorizer: Authorizer = field(default_factory=AllowAll)
    authenticator: Authenticator | None = None  # None: nothing verified (in-process tests)

    def __post_init__(self) -> None:
        self._by_target: dict[str, Api] = {}
        self._by_signing: dict[str, list[Api]] = {}
        for api in [*self.apis, self.default]:
            if api.target_prefix:
                _claim(self._by_target, api.target_prefix, api)
            self._by_signing.setdefault(api.signing_name, []).append(api)
        self._unsigned = [api for api in self.apis if api.paths]
        self._shaped = [api for api in self.apis if api.claims_unsigned is not None]

    def route(self, request: Request, context: RequestContext) -> Api | None:
        """The service that answers; None for an X-Amz-Target no service here has."""
        target = request.headers.get("x-amz-target")
        if target is not None:
            return self._by_target.get(target.partition(".")[0])
        candidates = self._by_signing.get(context.service) or self._unsigned
        path = request.url.path
        for api in candidates:
            if not api.paths or any(path.startswith(prefix) for prefix in api.paths):
                return api
        if not context.service:
            for api in self._shaped:
                if api.claims_unsigned(request):
                    return api
        return self.default

    async def handle(self, request: Request) -> Response:
        context = request_context(request, self.default_region, self.account_id)
        if context.service and context.service not in self._by_signing:
            return unserved_response(context.service, sorted(self._by_signing), request, context)
        api = self.route(request, context)
        if api is None:
            target = request.headers["x-amz-target"]
            error = UnknownOperationException(f"No service here answers X-Amz-Target {target}")
            return json_protocol_error_response(error)
        return await serve(api, request, context, self.authorizer, self.authenticator)


async def serve(
    api: Api,
    request: Request,
    context: RequestContext,
    authorizer: Authorizer,
    authenticator: Authenticator | None = None,
) -> Response:
    """The pipeline past routing, for a request `api` answers. Also the way in for a front
    door that answers an API call by another path (SNS's unsigned subscription links, which
    pass no authenticator: AWS serves them unsigned)."""
    wire = api.wire_for(request)
    try:
        return await _answer(api, wire, request, context, authorizer, authenticator)
    except AuthFailure as failure:
        return wire.error(api.auth_error(failure), request, context)
    except ServiceError as exc:
        return wire.error(api.translate(exc), request, context)
    except Exception as exc:
        return wire.error(internal_error(exc, request_line(request)), request, context)


async def _answer(
    api: Api,
    wire: Wire,
    request: Request,
    context: RequestContext,
    authorizer: Authorizer,
    authenticator: Authenticator | None,
) -> Response:
    check_header_size(request.scope["headers"])
    operation, params = await wire.read(request, api.operations, api.max_body)
    if authenticator is not None:
        context = await _authenticate(api, request, context, authenticator)
    access = api.access(operation.name, params, context)
    authorizer.authorize(context, access, api.resource_policies)
    api.validate(operation, params)
    handler = api.operations.get(operation.name)
    if handler is None:  # each wire checks; this is for one that does not route by the model
        raise UnknownOperationException(f"The {operation.name} operation is not supported")
    result = await handler.run(api.backend, Call(params, context, operation, request))
    return wire.respond(operation, result, request, context)


async def _authenticate(
    api: Api, request: Request, context: RequestContext, authenticator: Authenticator
) -> RequestContext:
    """The context with its verified signer (kept in the scope, where handlers and S3's
    streamed bodies find it: VERIFIED_KEY); raises AuthFailure."""
    if not authenticator.enabled:
        return keep_context(request, context.signed_by(authenticator.anyone))
    body = request.scope.get(BODY_KEY)
    if body is None and not api.anonymous:  # S3 streams its bodies; they are checked then
        body = await request.body()
    scope = request.scope
    signed = SignedRequest(
        request.method,
        scope["raw_path"].decode("latin-1") if scope.get("raw_path") else scope["path"],
        scope["query_string"].decode("latin-1"),
        request.headers,
        body,
    )
    verified = authenticator.authenticate(signed, api.signing_name, api.anonymous)
    if verified is None:
        return context
    scope[VERIFIED_KEY] = verified
    return keep_context(request, context.signed_by(verified.identity))


VERIFIED_KEY = "overcast.verified"  # the request's `Verified` (signature.py), once verified


def verified_of(request: Request) -> Verified | None:
    return request.scope.get(VERIFIED_KEY)


def _claim(table: dict[str, Api], key: str, api: Api) -> None:
    if key in table:
        raise ValueError(f"two services claim {key!r}")
    table[key] = api
