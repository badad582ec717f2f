"""DynamoDB's JSON 1.0 wire: the shared JSON protocol (aws/protocols/aws_json.py), except that
AttributeValues pass through as the client wrote them (B values stay base64 text, N values
text: types.py checks and normalises them, in DynamoDB's words) and go back out as they are
kept (already the wire's form: a 1 MB Query page is not walked value by value again; a page
read without filter or projection goes out as the stored JSON text, `Encoded`), and that
errors carry their extra members (`Item` of ConditionalCheckFailedException,
`CancellationReasons` of TransactionCanceledException) beside `__type` and `message`.

Every answer, error or not, carries DynamoDB's `x-amz-crc32`: the CRC32 of its body in
decimal. The SDKs check it where it is present and retry an answer whose body does not match
(botocore's `crc32` retry policy for DynamoDB, the Go SDK's response checksum validation)."""

from __future__ import annotations

import json
import uuid
import zlib

from botocore.model import OperationModel, Shape
from starlette.responses import Response

from overcast.aws import json_document
from overcast.aws.errors import InvalidRequestContentException, ServiceError
from overcast.aws.protocols.aws_json import JsonInputError, JsonProtocol, to_json
from overcast.aws.protocols.rest_json import from_json, json_name

# DynamoDB names its errors with its namespace, as botocore reads them (after the '#').
NAMESPACE = "com.amazonaws.dynamodb.v20120810"


class Encoded(list):
    """A list member of an answer whose elements are JSON text already (items as the store
    keeps them, written by the server itself): spliced into the answer as they are."""


class DynamoDbWire(JsonProtocol):
    def parse(self, operation: OperationModel, body: bytes) -> dict:
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
            return _read(shape, document, shape.name)
        except InvalidRequestContentException as exc:
            raise JsonInputError(exc.message) from exc

    def response(
        self, operation: OperationModel, result: dict | None, request_id: str | None = None
    ) -> Response:
        shape = operation.output_shape
        result = result or {}
        encoded = {k: v for k, v in result.items() if isinstance(v, Encoded)}
        if encoded:
            result = {k: v for k, v in result.items() if k not in encoded}
        body = _write(shape, result) if shape is not None else {}
        text = json.dumps(body, separators=(",", ":"))
        if encoded:
            text = _spliced(text, shape, encoded)
        return self._answer(text, 200, {"x-amzn-RequestId": request_id or str(uuid.uuid4())})

    def error_response(self, exc: ServiceError) -> Response:
        shape = getattr(exc, "shape", exc.code)
        body = {"__type": f"{NAMESPACE}#{shape}", "message": exc.message}
        extra = getattr(exc, "wire_fields", None)
        if extra is not None:
            body.update(extra())
        return self._answer(json.dumps(body), exc.status, {})

    def _answer(self, text: str, status: int, headers: dict[str, str]) -> Response:
        data = text.encode()
        headers["x-amz-crc32"] = str(zlib.crc32(data))
        return Response(data, status_code=status, media_type=self.media_type, headers=headers)


def _spliced(text: str, shape: Shape | None, encoded: dict[str, Encoded]) -> str:
    """The JSON object `text` with each encoded list added as a member."""
    members = shape.members if shape is not None else {}
    added = [
        f"{json.dumps(json_name(name, members[name]) if name in members else name)}:"
        f"[{','.join(texts)}]"
        for name, texts in encoded.items()
    ]
    rest = text[1:-1]
    return "{" + ",".join([*added, rest] if rest else added) + "}"


def _read(shape: Shape, value: object, path: str) -> object:
    """`from_json`, but an AttributeValue (at any depth) is kept as it came."""
    if value is None:
        return None
    if shape.name == "AttributeValue":
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {
            name: _read(member, value[json_name(name, member)], f"{path}.{name}")
            for name, member in shape.members.items()
            if value.get(json_name(name, member)) is not None
        }
    if kind == "list" and isinstance(value, list):
        return [_read(shape.member, item, f"{path}.member") for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _read(shape.value, item, f"{path}.{key}") for key, item in value.items()}
    return from_json(shape, value, path)


def _write(shape: Shape | None, value: object) -> object:
    """`to_json`, but an AttributeValue (at any depth) goes out as it is kept."""
    if shape is None:
        return to_json(shape, value)
    if shape.name == "AttributeValue":
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            json_name(k, members[k]) if k in members else k: _write(members.get(k), v)
            for k, v in value.items()
            if v is not None
        }
    if kind == "map" and isinstance(value, dict):
        if shape.value.name == "AttributeValue":
            return value  # an item (or a key): kept in the wire's form
        return {k: _write(shape.value, v) for k, v in value.items() if v is not None}
    if kind == "list" and isinstance(value, (list, tuple)):
        return [_write(shape.member, v) for v in value]
    return to_json(shape, value)
