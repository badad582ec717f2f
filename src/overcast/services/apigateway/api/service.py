"""API Gateway's REST API control plane (apigateway) as the gateway serves it, routed from
botocore's model. It shares the signing name `apigateway` with apigatewayv2, whose paths all
start with `/v2/`: the gateway tells them apart by these path prefixes.

Input the shared protocol code refuses in Lambda's words (ValidationException, ...) is
answered as API Gateway answers it, a BadRequestException; only the output shape's members
leave (documents keep a few of their own, such as a usage plan's keys).
"""

from __future__ import annotations

from botocore.model import OperationModel, Shape
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import errors as protocol_errors
from overcast.aws.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    ServiceError,
    UnsupportedMediaTypeException,
    ValidationException,
)
from overcast.aws.gateway import Api
from overcast.aws.protocols.rest_json import KnownMembersWire, service_model
from overcast.aws.request_context import RequestContext
from overcast.services.apigateway.access import apigateway_access
from overcast.services.apigateway.api import domains as _domains  # noqa: F401 (registers its operations)
from overcast.services.apigateway.api import keys as _keys  # noqa: F401 (registers its operations)
from overcast.services.apigateway.api import stages as _stages  # noqa: F401 (registers its operations)
from overcast.services.apigateway.api.backend import Backend
from overcast.services.apigateway.api.rest_apis import OPERATIONS
from overcast.services.apigateway.errors import AccessDeniedException, BadRequestException

# The first path segment of every apigateway operation (botocore's model), none `/v2/`.
PATH_PREFIXES = (
    "/restapis", "/apikeys", "/usageplans", "/domainnames", "/tags/", "/account",
    "/clientcertificates", "/vpclinks", "/sdktypes", "/domainnameaccessassociations",
    "/rejectdomainnameaccessassociations",
)  # fmt: skip
INPUT_ERRORS = (
    ValidationException,
    InvalidRequestContentException,
    InvalidParameterValueException,
    UnsupportedMediaTypeException,
)


class _KnownMembersWire(KnownMembersWire):
    """Only the output shape's members leave; an output with a payload member (GetExport)
    answers with it as the body."""

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response:
        shape = operation.output_shape
        result = self.known(operation, result)
        if isinstance(result, dict) and shape is not None and shape.serialization.get("payload"):
            return _payload_response(shape, result, context)
        return super().respond(operation, result, request, context)


def _payload_response(shape: Shape, result: dict, context: RequestContext) -> Response:
    """An answer whose body is a blob (GetExport's definition), its other members headers."""
    headers = {"x-amzn-RequestId": context.request_id}
    for name, member in shape.members.items():
        if member.serialization.get("location") == "header" and result.get(name):
            headers[member.serialization.get("name", name)] = str(result[name])
    return Response(result.get(shape.serialization["payload"]) or b"", headers=headers)


def _reworded(exc: ServiceError) -> ServiceError:
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return BadRequestException(exc.message) if isinstance(exc, INPUT_ERRORS) else exc


def apigateway_api(backend: Backend) -> Api:
    model = service_model("apigateway")
    return Api(
        model,
        OPERATIONS,
        backend,
        wires=(_KnownMembersWire(model),),
        paths=PATH_PREFIXES,
        translate=_reworded,
        access=apigateway_access,
    )
