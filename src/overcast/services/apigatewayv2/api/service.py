"""API Gateway's v2 API (apigatewayv2) as the gateway serves it, routed from botocore's
model: its paths all start with `/v2/`, which none of Lambda's do.

Same steps as Lambda's REST API (route, parse, validate, call, serialize), with API Gateway's
errors: input the shared protocol code refuses in Lambda's words (ValidationException, ...)
is answered as API Gateway answers it, a BadRequestException.
"""

from __future__ import annotations

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
from overcast.services.apigatewayv2.access import apigatewayv2_access
from overcast.services.apigatewayv2.api import (  # noqa: F401 (registers its operations)
    authorizers as _authorizers,
)
from overcast.services.apigatewayv2.api import (  # noqa: F401 (registers its operations)
    child_responses as _child_responses,
)
from overcast.services.apigatewayv2.api import (  # noqa: F401 (registers its operations)
    domain_names as _domain_names,
)
from overcast.services.apigatewayv2.api import imports as _imports  # noqa: F401 (registers its operations)
from overcast.services.apigatewayv2.api import routes as _routes  # noqa: F401 (registers its operations)
from overcast.services.apigatewayv2.api import stages as _stages  # noqa: F401 (registers its operations)
from overcast.services.apigatewayv2.api import tags as _tags  # noqa: F401 (registers its operations)
from overcast.services.apigatewayv2.api.apis import OPERATIONS
from overcast.services.apigatewayv2.control.apis import HttpApiService
from overcast.services.apigatewayv2.errors import AccessDeniedException, BadRequestException

PATH_PREFIX = "/v2/"
# Errors of the shared protocol and paging code that API Gateway reports as bad requests.
INPUT_ERRORS = (
    ValidationException,
    InvalidRequestContentException,
    InvalidParameterValueException,
    UnsupportedMediaTypeException,
)


def _reworded(exc: ServiceError) -> ServiceError:
    if isinstance(exc, protocol_errors.AccessDeniedException):
        return AccessDeniedException(exc.message)
    return BadRequestException(exc.message) if isinstance(exc, INPUT_ERRORS) else exc


def apigatewayv2_api(service: HttpApiService) -> Api:
    model = service_model("apigatewayv2")
    return Api(
        model,
        OPERATIONS,
        service,
        wires=(KnownMembersWire(model),),
        paths=(PATH_PREFIX,),
        translate=_reworded,
        access=apigatewayv2_access,
    )
