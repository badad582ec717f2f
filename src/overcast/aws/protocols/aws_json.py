"""AWS's JSON protocol (awsJson 1.0 / 1.1), driven by botocore's service model (SQS).

A request is `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and the input as one JSON
object whose keys are the input shape's member names; the answer is the output shape as JSON,
with the `application/x-amz-json-<version>` media type. Errors are
`{"__type": "<namespace>#<Name>", "message": ...}`; a service that moved from the query
protocol (`awsQueryCompatible`, as SQS did) also names the query protocol's error code in the
`x-amzn-query-error: <Code>;Sender` header, which botocore reads to pick the exception class.
Nothing here knows what an operation means.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Container
from datetime import datetime

from botocore.model import OperationModel, ServiceModel, Shape
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import json_document
from overcast.aws.errors import (
    InvalidRequestContentException,
    SerializationException,
    ServiceError,
    UnknownOperationException,
)
from overcast.aws.protocols.rest_json import from_json, json_name, read_body
from overcast.aws.request_context import RequestContext


class JsonInputError(ValueError):
    """Raised when a request body is not a JSON object of the operation's input shape."""


class JsonProtocol:
    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.prefix = model.metadata.get("targetPrefix", "")
        self.media_type = f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"
        self._operations = set(model.operation_names)

    def operation(self, target: str) -> OperationModel | None:
        """The operation an `X-Amz-Target` names, or None."""
        prefix, _, name = target.partition(".")
        if prefix != self.prefix or name not in self._operations:
            return None
        return self.model.operation_model(name)

    def claims(self, request: Request) -> bool:
        return "x-amz-target" in request.headers

    async def read(
        self, request: Request, operations: Container[str], max_body: int | None
    ) -> tuple[OperationModel, dict]:
        """The gateway's step: the operation `X-Amz-Target` names, and its input."""
        target = request.headers.get("x-amz-target", "")
        operation = self.operation(target)
        if operation is None or operation.name not in operations:
            raise UnknownOperationException(
                f"The action {target} is not valid for this endpoint.", target
            )
        body = await read_body(request, operation.name, max_body)
        try:
            return operation, self.parse(operation, body)
        except JsonInputError as exc:
            raise SerializationException(str(exc)) from exc

    def parse(self, operation: OperationModel, body: bytes) -> dict:
        """The input as botocore's caller wrote it: member names, blobs decoded."""
        try:
            document = json_document.loads(body) if body.strip() else {}
        except (ValueError, UnicodeDecodeError) as exc:
            raise JsonInputError(f"Could not parse the request body as JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise JsonInputError("The request body must be a JSON object")
        shape = operation.input_shape
        if shape is None:
            return {}
        try:
            return from_json(shape, document, shape.name)
        except InvalidRequestContentException as exc:
            raise JsonInputError(exc.message) from exc

    def response(
        self, operation: OperationModel, result: dict | None, request_id: str | None = None
    ) -> Response:
        shape = operation.output_shape
        body = to_json(shape, result or {}) if shape is not None else {}
        return Response(
            json.dumps(body, separators=(",", ":")),
            media_type=self.media_type,
            headers={"x-amzn-RequestId": request_id or str(uuid.uuid4())},
        )

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response:
        return self.response(operation, result, context.request_id)  # type: ignore[arg-type]

    def error(self, exc: ServiceError, request: Request, context: RequestContext) -> Response:
        response = self.error_response(exc)
        response.headers["x-amzn-RequestId"] = context.request_id
        return response

    def error_response(self, exc: ServiceError) -> Response:
        """`shape` and `namespace` name the error in `__type` where the error class has
        them (else its `code`); `code` goes in `x-amzn-query-error` for query-compatible
        services."""
        shape = getattr(exc, "shape", exc.code)
        namespace = getattr(exc, "namespace", None)
        kind = f"{namespace}#{shape}" if namespace else shape
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        if self.model.is_query_compatible:
            fault = "Sender" if exc.status < 500 else "Receiver"
            headers["x-amzn-query-error"] = f"{exc.code};{fault}"
        return Response(
            json.dumps({"__type": kind, "message": exc.message}),
            status_code=exc.status,
            media_type=self.media_type,
            headers=headers,
        )


def to_json(shape: Shape | None, value: object) -> object:
    """A value shaped for the wire: None dropped, blobs base64, timestamps epoch seconds."""
    kind = shape.type_name if shape is not None else None
    if isinstance(value, dict):
        if kind == "structure":
            members = shape.members
            return {
                json_name(k, members[k]) if k in members else k: to_json(members.get(k), v)
                for k, v in value.items()
                if v is not None
            }
        inner = shape.value if kind == "map" else None
        return {k: to_json(inner, v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        inner = shape.member if kind == "list" else None
        return [to_json(inner, v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    return value
