"""The answer to a request signed for a service Overcast does not serve (CloudFormation before
it exists, CloudWatch metrics, ...). AWS has no such answer: every endpoint serves its service.
Without this the request would fall through to Lambda's REST API, whose JSON 404 a query or XML
client cannot parse ("Unable to parse response ... invalid XML received"), so the user would
never learn what is missing. The error is written in that service's own protocol (from its
botocore model), with the code its clients know for an unknown operation: `InvalidAction` in the
query protocol, `UnknownOperationException` in the JSON ones."""

from __future__ import annotations

from functools import lru_cache

from botocore.exceptions import UnknownServiceError
from botocore.model import ServiceModel
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.error_responses import json_protocol_error_response
from overcast.aws.errors import UnknownOperationException
from overcast.aws.protocols import query
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext


class ServiceNotServed(UnknownOperationException):
    """Raised (answered) for a request signed for a service that Overcast does not serve."""

    status = 400


def unserved_response(
    signing_name: str, served: list[str], request: Request, context: RequestContext
) -> Response:
    """The error for a request signed for `signing_name`; `served`: the signing names served."""
    model = _model(signing_name)
    message = f"Overcast does not serve {signing_name}; this endpoint serves {', '.join(served)}"
    if model is None or model.metadata.get("protocol") in ("json", "rest-json"):
        return json_protocol_error_response(ServiceNotServed(message))
    error = ServiceNotServed(message)
    error.code = "InvalidAction"
    return query.error_response(error, model, context.request_id)


@lru_cache(maxsize=32)
def _model(signing_name: str) -> ServiceModel | None:
    """The botocore model named by a signing name (they agree for most services)."""
    try:
        return service_model(signing_name)
    except UnknownServiceError:
        return None
