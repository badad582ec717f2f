"""API Gateway's v2 API (apigatewayv2) on the server's one port, routed from botocore's model:
its paths all start with `/v2/`, which none of Lambda's do.

Same steps as Lambda's REST API (route, parse, validate, call, serialize), with API Gateway's
errors: input the shared protocol code refuses in Lambda's words (ValidationException, ...)
is answered as API Gateway answers it, a BadRequestException.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from overcast.api import http_api_routes as _routes  # noqa: F401 (registers its operations)
from overcast.api import http_api_stages as _stages  # noqa: F401 (registers its operations)
from overcast.api import protocol
from overcast.api.functions import Call
from overcast.api.http_apis import OPERATIONS
from overcast.api.sigv4 import scope_of
from overcast.api.validation import validate
from overcast.config import Settings
from overcast.control.http_apis import HttpApiService
from overcast.errors import (
    BadRequestException,
    InvalidParameterValueException,
    InvalidRequestContentException,
    UnknownOperationException,
    UnsupportedMediaTypeException,
    ValidationException,
)

PATH_PREFIX = "/v2/"
# Errors of the shared protocol and paging code that API Gateway reports as bad requests.
INPUT_ERRORS = (
    ValidationException,
    InvalidRequestContentException,
    InvalidParameterValueException,
    UnsupportedMediaTypeException,
)


class ApiGatewayV2:
    """The apigatewayv2 REST service: `handle` answers every request under `/v2/`."""

    def __init__(self, settings: Settings, service: HttpApiService) -> None:
        self.settings = settings
        self.service = service
        self.router = protocol.Router(protocol.service_model("apigatewayv2"))

    async def handle(self, request: Request) -> Response:
        protocol.check_header_size(request.scope["headers"])
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else request.url.path
        found = self.router.match(request.method, path, request.query_params)
        if found is None:
            raise UnknownOperationException(
                f"No apigatewayv2 operation matches {request.method} {request.url.path}"
            )
        operation, labels = found
        handler = OPERATIONS.get(operation.name)
        if handler is None:
            raise UnknownOperationException(
                f"The {operation.name} operation is not supported by this Overcast server"
            )
        try:
            body = await protocol.read_body(request, operation.name)
            params = protocol.parse_request(operation, request, labels, body)
            validate(operation.input_shape, params)
            scope = scope_of(request.headers, self.settings.default_region, request.query_params)
            call = Call(params, scope.region, str(request.base_url))
            result = await run_in_threadpool(handler, self.service, call)
        except INPUT_ERRORS as exc:
            raise BadRequestException(exc.message) from None
        return protocol.serialize_response(operation, _known(operation, result))


def _known(operation, result: dict | None) -> dict | None:
    """Only the output shape's members: kept pass-through members the output lacks stay out."""
    shape = operation.output_shape
    if result is None or shape is None:
        return result
    return {k: v for k, v in result.items() if k in shape.members}
