"""API Gateway's v2 API (apigatewayv2) on the server's one port, routed from botocore's model:
its paths all start with `/v2/`, which none of Lambda's do.

Same steps as Lambda's REST API (route, parse, validate, call, serialize), with API Gateway's
errors: input the shared protocol code refuses in Lambda's words (ValidationException, ...)
is answered as API Gateway answers it, a BadRequestException.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    UnsupportedMediaTypeException,
    ValidationException,
)
from overcast.aws.protocols import rest_json as protocol
from overcast.aws.rest_service import RestApi
from overcast.config import Settings
from overcast.services.apigatewayv2.api import routes as _routes  # noqa: F401 (registers its operations)
from overcast.services.apigatewayv2.api import stages as _stages  # noqa: F401 (registers its operations)
from overcast.services.apigatewayv2.api.apis import OPERATIONS
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.errors import BadRequestException

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
        self.service = service
        self.rest = RestApi(settings, "apigatewayv2", "apigatewayv2", OPERATIONS)

    async def handle(self, request: Request) -> Response:
        routed = self.rest.route(request)
        try:
            result = await self.rest.run(request, routed, self.service)
        except INPUT_ERRORS as exc:
            raise BadRequestException(exc.message) from None
        return protocol.serialize_response(routed.operation, _known(routed.operation, result))


def _known(operation, result: dict | None) -> dict | None:
    """Only the output shape's members: kept pass-through members the output lacks stay out."""
    shape = operation.output_shape
    if result is None or shape is None:
        return result
    return {k: v for k, v in result.items() if k in shape.members}
