"""Amazon SQS's API on Overcast's port: requests signed for `sqs` come here (app.OtherServices).

Current SDKs speak SQS's JSON protocol (`X-Amz-Target: AmazonSQS.SendMessage`, JSON 1.0);
older ones its query protocol (`Action=SendMessage&...` form fields, XML answers, see
query.py). Both reach the same operation handlers (queues.py, messages.py) with the input
in botocore's member names, and leave with SQS's errors: the JSON protocol's `__type` plus
the query code in `x-amzn-query-error`, or the query protocol's `<ErrorResponse>`.
"""

from __future__ import annotations

from botocore.model import OperationModel, Shape
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.error_responses import internal_error, request_line
from overcast.aws.errors import ServiceError
from overcast.aws.protocols.aws_json import JsonInputError, JsonProtocol
from overcast.aws.protocols.rest_json import check_header_size, read_body, service_model
from overcast.aws.request_context import request_context
from overcast.services.sqs.api import messages as _messages  # noqa: F401 (registers its operations)
from overcast.services.sqs.api import queues as _queues  # noqa: F401 (registers its operations)
from overcast.services.sqs.api.call import OPERATIONS, SqsCall
from overcast.services.sqs.api.query import SqsQueryProtocol
from overcast.services.sqs.errors import (
    MissingRequiredParameterException,
    SerializationException,
    UnknownOperationException,
)
from overcast.services.sqs.service import QueueService

# A 1 MiB message may take six times that as JSON escapes; SQS refuses larger requests.
MAX_REQUEST_BYTES = 8 * 1024 * 1024


class SqsApi:
    def __init__(self, sqs: QueueService, default_region: str) -> None:
        self.sqs = sqs
        self.default_region = default_region
        self.json = JsonProtocol(service_model("sqs"))
        self.query = SqsQueryProtocol()

    async def handle(self, request: Request) -> Response:
        """The Starlette endpoint for every request signed for `sqs`."""
        query = "x-amz-target" not in request.headers
        try:
            if query:
                return await self._query(request)
            return await self._json(request)
        except ServiceError as exc:
            return self.query.error_response(exc) if query else self.json.error_response(exc)
        except Exception as exc:
            error = internal_error(exc, request_line(request))
            return self.query.error_response(error) if query else self.json.error_response(error)

    async def _json(self, request: Request) -> Response:
        check_header_size(request.scope["headers"])
        target = request.headers["x-amz-target"]
        operation = self.json.operation(target)
        if operation is None:
            raise UnknownOperationException(f"The action {target} is not valid for this endpoint.")
        body = await read_body(request, operation.name, MAX_REQUEST_BYTES)
        try:
            params = self.json.parse(operation, body)
        except JsonInputError as exc:
            raise SerializationException(str(exc)) from exc
        result = await self._call(operation, params, request)
        return self.json.response(operation, result)

    async def _query(self, request: Request) -> Response:
        check_header_size(request.scope["headers"])
        body = await read_body(request, "SQS", MAX_REQUEST_BYTES)
        operation, params = self.query.parse(body, request.url.query)
        result = await self._call(operation, params, request)
        return self.query.response(operation, result)

    async def _call(self, operation: OperationModel, params: dict, request: Request) -> dict | None:
        handler = OPERATIONS.get(operation.name)
        if handler is None:
            raise UnknownOperationException(
                f"The action {operation.name} is not valid for this endpoint."
            )
        missing = _missing(operation.input_shape, params)
        if missing is not None:
            raise MissingRequiredParameterException(
                f"The request must contain the parameter {missing}."
            )
        context = request_context(request, self.default_region)
        call = SqsCall(
            params=params,
            region=context.region,
            base_url=str(request.base_url),
            path=request.url.path,
            sender_id=context.access_key or self.sqs.registry.account_id,
            hops=context.hops,
            trace_header=context.trace_header,
        )
        return await handler(self.sqs, call)


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
