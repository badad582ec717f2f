"""Amazon SQS's API as the gateway serves it (aws/gateway.py): requests whose X-Amz-Target
names `AmazonSQS`, or signed for `sqs`.

Current SDKs speak SQS's JSON protocol (`X-Amz-Target: AmazonSQS.SendMessage`, JSON 1.0);
older ones its query protocol (`Action=SendMessage&...` form fields, XML answers, see
query.py). Both reach the same operation handlers (queues.py, messages.py) with the input
in botocore's member names, and leave with SQS's errors: the JSON protocol's `__type` plus
the query code in `x-amzn-query-error`, or the query protocol's `<ErrorResponse>`.
"""

from __future__ import annotations

from collections.abc import Container

from botocore.model import OperationModel, Shape
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import errors as aws_errors
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api, Wire
from overcast.aws.protocols.aws_json import JsonProtocol
from overcast.aws.protocols.query import QueryEncodingError, QueryInputError, QueryWire
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext
from overcast.services.sqs.access import QueuePolicies, sqs_access
from overcast.services.sqs.api import messages as _messages  # noqa: F401 (registers its operations)
from overcast.services.sqs.api import move_tasks as _move_tasks  # noqa: F401 (registers its operations)
from overcast.services.sqs.api import queues as _queues  # noqa: F401 (registers its operations)
from overcast.services.sqs.api.call import OPERATIONS
from overcast.services.sqs.api.query import query_model, undecodable
from overcast.services.sqs.errors import (
    InvalidParameterValueException,
    MissingRequiredParameterException,
    SerializationException,
    UnknownOperationException,
)
from overcast.services.sqs.service import QueueService

# A 1 MiB message may take six times that as JSON escapes; SQS refuses larger requests.
MAX_REQUEST_BYTES = 8 * 1024 * 1024


def sqs_api(sqs: QueueService) -> Api:
    """SQS on the gateway: the JSON wire answers what carries an X-Amz-Target, the query
    wire (SQS's own member names) everything else."""
    model = service_model("sqs")
    return Api(
        model,
        OPERATIONS,
        sqs,
        wires=(_QueueInPath(JsonProtocol(model)), _QueueInPath(QueryWire(query_model()))),
        validate=_require,
        translate=in_sqs_terms,
        max_body=MAX_REQUEST_BYTES,
        access=sqs_access,
        resource_policies=QueuePolicies(sqs),
    )


class _QueueInPath:
    """A wire that takes a queue named by the request path (`POST /<account>/<queue>`, as
    older clients send it) as the QueueUrl, so that IAM is asked about that queue."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire

    def claims(self, request: Request) -> bool:
        return self.wire.claims(request)

    async def read(
        self, request: Request, operations: Container[str], max_body: int | None
    ) -> tuple[OperationModel, dict]:
        operation, params = await self.wire.read(request, operations, max_body)
        shape = operation.input_shape
        if shape is not None and "QueueUrl" in shape.members and params.get("QueueUrl") is None:
            path = request.url.path
            if path.strip("/").count("/") == 1:
                params["QueueUrl"] = path
        return operation, params

    def respond(
        self, operation: OperationModel, result: object, request: Request, context: RequestContext
    ) -> Response:
        return self.wire.respond(operation, result, request, context)

    def error(self, exc: ServiceError, request: Request, context: RequestContext) -> Response:
        return self.wire.error(exc, request, context)


def in_sqs_terms(exc: ServiceError) -> ServiceError:
    """The shared protocol code's errors as SQS names them: its own classes carry the JSON
    `__type` (shape, namespace) and the query protocol's code (InvalidAction, ...)."""
    if isinstance(exc, QueryEncodingError):
        return undecodable(exc)
    if isinstance(exc, QueryInputError):
        return InvalidParameterValueException(
            f"Value {exc.value} for parameter {exc.name} is invalid."
        )
    if isinstance(exc, aws_errors.UnknownOperationException):
        return UnknownOperationException(exc.message)
    if isinstance(exc, aws_errors.SerializationException):
        return SerializationException(exc.message)
    return exc


def _require(operation: OperationModel, params: dict) -> None:
    """SQS checks only that required parameters are there (MissingParameter); the rest of
    its checks are the operations' own, in its words."""
    missing = _missing(operation.input_shape, params)
    if missing is not None:
        raise MissingRequiredParameterException(
            f"The request must contain the parameter {missing}."
        )


def _missing(shape: Shape | None, value: object) -> str | None:
    """The first required member the input lacks (batch entries and attribute values
    included), or None. QueueUrl may come from the request path instead."""
    if shape is None:
        return None
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None and name != "QueueUrl":
                return name
        children = [(member, value.get(name)) for name, member in shape.members.items()]
    elif kind == "list" and isinstance(value, list):
        children = [(shape.member, item) for item in value]
    elif kind == "map" and isinstance(value, dict):
        children = [(shape.value, item) for item in value.values()]
    else:
        return None
    for child_shape, child in children:
        found = _missing(child_shape, child)
        if found is not None:
            return found
    return None
