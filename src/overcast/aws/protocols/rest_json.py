"""AWS's rest-json protocol, driven by botocore's service model (the specification).

Routes come from each operation's `http.method` + `requestUri`; request members are read from
where the model locates them (uri, querystring, header, payload, JSON body); responses are
shaped by the output shape. Nothing here knows what an operation means.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Container, Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel, Shape
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import json_document
from overcast.aws.error_responses import error_response
from overcast.aws.errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    RequestEntityTooLargeException,
    ServiceError,
    UnknownOperationException,
    UnsupportedMediaTypeException,
)
from overcast.aws.request_context import RequestContext
from overcast.aws.service_models import service_document

# Lambda refuses larger control-plane requests (a 50 MB zip, base64-encoded, in JSON).
MAX_REQUEST_BYTES = 69_905_067
# A refused body is still read (up to this) so the client gets the 413 rather than a reset.
MAX_DRAINED_BYTES = 256 * 1024 * 1024

# uvicorn's httptools parser takes headers of any size; refuse what h11 (and AWS's front
# ends) would: a request head over 16 KiB.
MAX_HEADER_BYTES = 16 * 1024

# Where Lambda's answer differs from the model's responseCode: DeleteFunction answers 204.
STATUS_OVERRIDES = {"DeleteFunction": 204}


@cache  # every service's: some are asked for at requests (apigatewayv2's access, S3's POST)
def service_model(service: str = "lambda") -> ServiceModel:
    return ServiceModel(service_document(service), service)


@dataclass(frozen=True)
class Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    query_literals: tuple[tuple[str, str | None], ...]  # `?List=ALL` in a requestUri
    weight: int  # more literal text wins when several routes match
    # (regex group, uri label) for labels that are no regex group name (`{resource-arn}`)
    renamed: tuple[tuple[str, str], ...] = ()


def compile_route(operation: OperationModel) -> Route:
    """`/2015-03-31/functions/{FunctionName}/aliases/{Name}` -> a regex with named groups.

    `{Key+}` is greedy (may contain `/`); a trailing slash is accepted, as older botocore
    versions send one (`/2015-03-31/functions/`).
    """
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    regex, literal, renamed = "", 0, []
    for piece in re.split(r"(\{[^}]+\})", path.rstrip("/")):
        if piece.startswith("{"):
            label = piece[1:-1]
            greedy = label.endswith("+")
            name = label.rstrip("+")
            group = re.sub(r"\W", "_", name)
            if group != name:
                renamed.append((group, name))
            regex += f"(?P<{group}>{'.+' if greedy else '[^/]+'})"
        else:
            regex += re.escape(piece)
            literal += len(piece)
    literals = tuple(
        (key, value or None)
        for key, _, value in (item.partition("=") for item in query.split("&") if item)
    )
    return Route(
        operation,
        operation.http["method"],
        re.compile(regex + "/?"),
        literals,
        literal * 10 + len(literals),
        tuple(renamed),
    )


class Router:
    def __init__(self, model: ServiceModel) -> None:
        self.routes: dict[str, list[Route]] = {}
        for name in model.operation_names:
            route = compile_route(model.operation_model(name))
            self.routes.setdefault(route.method, []).append(route)
        for routes in self.routes.values():
            routes.sort(key=lambda r: -r.weight)

    def match(
        self, method: str, raw_path: str, query: Mapping[str, str]
    ) -> tuple[OperationModel, dict[str, str]] | None:
        for route in self.routes.get(method, ()):
            found = route.pattern.fullmatch(raw_path)
            if found and all(
                key in query and (value is None or query[key] == value)
                for key, value in route.query_literals
            ):
                names = dict(route.renamed)
                return route.operation, {
                    names.get(k, k): unquote(v) for k, v in found.groupdict().items()
                }
        return None


def header_size(raw_headers: list[tuple[bytes, bytes]]) -> int:
    """The size of a request's header block as Lambda counts it (name: value CRLF)."""
    return sum(len(name) + len(value) + 4 for name, value in raw_headers)


def check_header_size(raw_headers: list[tuple[bytes, bytes]]) -> None:
    if header_size(raw_headers) > MAX_HEADER_BYTES:
        raise RequestEntityTooLargeException(
            f"Request headers must be smaller than {MAX_HEADER_BYTES} bytes"
        )


BODY_KEY = "overcast.body"  # where a body read whole is kept in the ASGI scope


async def read_body(request: Request, operation: str, limit: int | None = None) -> bytes:
    limit = limit or MAX_REQUEST_BYTES
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > MAX_DRAINED_BYTES:
            break
    if size > limit:
        raise RequestEntityTooLargeException(
            f"Request must be smaller than {limit} bytes for the {operation} operation"
        )
    body = b"".join(chunks)
    request.scope[BODY_KEY] = body  # the signature covers it (aws/gateway.py verifies)
    return body


def _is_json_media(content_type: str) -> bool:
    # Clients send JSON under many labels (curl -d says form-urlencoded); refuse only types
    # that clearly are something else.
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        not media
        or "json" in media
        or media
        in (
            "text/plain",
            "application/octet-stream",
            "binary/octet-stream",
            "application/x-www-form-urlencoded",
            "*/*",
        )
    )


def parse_request(
    operation: OperationModel, request: Request, labels: dict[str, str], body: bytes
) -> dict:
    """The operation's input as botocore would have it (member names, Python values)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict = {}
    payload = shape.serialization.get("payload")
    body_members = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri" and wire_name in labels:
            params[name] = _scalar(member, labels[wire_name], name)
        elif location == "querystring":
            _from_query(params, name, member, wire_name, request)
        elif location == "header" and wire_name in request.headers:
            params[name] = _scalar(member, request.headers[wire_name], name)
        elif name == payload:
            if body:
                params[name] = (
                    body
                    if member.type_name == "blob"
                    else from_json(member, _json_document(body, request), name)
                )
        elif location is None:
            body_members[name] = member
    if body_members and body:
        document = _json_document(body, request)
        for name, member in body_members.items():
            value = from_json(member, document.get(json_name(name, member)), name)
            if value is not None:
                params[name] = value
    return params


def _from_query(params: dict, name: str, member: Shape, wire_name: str, request: Request) -> None:
    if member.type_name == "list":
        values = request.query_params.getlist(wire_name)
        if values:
            params[name] = [_scalar(member.member, v, name) for v in values]
    elif wire_name in request.query_params:
        params[name] = _scalar(member, request.query_params[wire_name], name)


def _json_document(body: bytes, request: Request) -> dict:
    content_type = request.headers.get("content-type", "")
    if not _is_json_media(content_type):
        raise UnsupportedMediaTypeException(f"Unsupported Media Type: {content_type}")
    try:
        document = json_document.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from exc
    if not isinstance(document, dict):
        raise InvalidRequestContentException(
            "Could not parse request body into json: the body must be a JSON object"
        )
    return document


def _scalar(shape: Shape, raw: str, name: str) -> object:
    """A member carried as text (uri label, query string, header) as its model type."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
    except ValueError as exc:
        raise InvalidParameterValueException(f"Invalid value for {name}: {raw}") from exc
    if kind == "boolean":
        return raw.lower() == "true"
    return raw


_JSON_TYPES = {
    "string": (str,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "blob": (str,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float, str),
}


def from_json(shape: Shape, value: object, path: str) -> object:
    """A JSON value checked against its shape's type; blobs decoded from base64."""
    if value is None:
        return None
    kind = shape.type_name
    allowed = _JSON_TYPES.get(kind, (object,))
    if isinstance(value, float) and kind in ("integer", "long") and value.is_integer():
        value = int(value)
    if not isinstance(value, allowed) or (isinstance(value, bool) and kind != "boolean"):
        raise InvalidRequestContentException(
            "Could not parse request body into json: Could not parse payload into json: "
            f"Cannot deserialize value of type `{kind}` from {type(value).__name__} value "
            f"at '{path}'"
        )
    if kind == "blob":
        try:
            return base64.b64decode(value)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequestContentException(
                "Could not parse request body into json: Could not parse payload into json: "
                f"Failed to decode VALUE_STRING as base64 at '{path}'"
            ) from exc
    if kind == "structure":
        return {
            name: from_json(member, value[json_name(name, member)], f"{path}.{name}")
            for name, member in shape.members.items()
            if value.get(json_name(name, member)) is not None
        }
    if kind == "list":
        return [from_json(shape.member, item, f"{path}.member") for item in value]
    if kind == "map":
        return {key: from_json(shape.value, item, f"{path}.{key}") for key, item in value.items()}
    return value


_BLOB_TYPE = "application/octet-stream"


def serialize_response(operation: OperationModel, result: dict | None) -> Response:
    """Members located in headers/status go there; the rest is the JSON body (None dropped),
    except a blob the output names as its payload (apigatewayv2's ExportApi `body`), which is
    the body as it is."""
    status = STATUS_OVERRIDES.get(operation.name, operation.http.get("responseCode", 200))
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    shape = operation.output_shape
    members = shape.members if shape is not None else {}
    payload = shape.serialization.get("payload") if shape is not None else None
    raw = (result or {}).get(payload) if payload else None
    body: dict = {}
    for key, value in (result or {}).items():
        if isinstance(raw, bytes) and key == payload:
            continue
        member = members.get(key)
        location = member.serialization.get("location") if member is not None else None
        if value is None:
            continue
        if location == "header":
            headers[member.serialization.get("name", key)] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
        elif location == "statusCode":
            status = int(value)
        else:
            body[json_name(key, member) if member is not None else key] = _json_ready(value, member)
    if status == 204:
        return Response(status_code=204, headers=headers)
    if isinstance(raw, bytes):
        return Response(raw, status_code=status, headers=headers, media_type=_BLOB_TYPE)
    return Response(
        json.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


def json_name(name: str, member: Shape) -> str:
    """A body member's name on the wire: its `locationName` where the model gives one
    (apigatewayv2's `apiId` for ApiId), else the member name (Lambda's)."""
    return member.serialization.get("name", name)


def _json_ready(value: object, shape: Shape | None = None) -> object:
    kind = shape.type_name if shape is not None else None
    if isinstance(value, dict):
        if kind == "structure":
            members = shape.members
            return {
                json_name(k, members[k]) if k in members else k: _json_ready(v, members.get(k))
                for k, v in value.items()
                if v is not None
            }
        inner = shape.value if kind == "map" else None
        return {k: _json_ready(v, inner) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        inner = shape.member if kind == "list" else None
        return [_json_ready(v, inner) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


class RestJsonWire:
    """The rest-json protocol as the gateway drives it (Lambda, API Gateway's v2 API): the
    operation is routed from the model by method and path, its input read from where the
    model locates each member, errors answered with `x-amzn-ErrorType` and a JSON body."""

    def __init__(self, model: ServiceModel) -> None:
        self.router = Router(model)
        self.title = model.metadata.get("serviceId", model.service_name)

    def claims(self, request: Request) -> bool:
        return True

    async def read(
        self, request: Request, operations: Container[str], max_body: int | None
    ) -> tuple[OperationModel, dict]:
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else request.url.path
        found = self.router.match(request.method, path, request.query_params)
        if found is None:
            raise UnknownOperationException(
                f"No {self.title} operation matches {request.method} {request.url.path}"
            )
        operation, labels = found
        if operation.name not in operations:
            raise UnknownOperationException(
                f"The {operation.name} operation is not supported by this Overcast server"
            )
        body = await read_body(request, operation.name, max_body)
        return operation, parse_request(operation, request, labels, body)

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response:
        response = serialize_response(operation, result)
        response.headers["x-amzn-RequestId"] = context.request_id
        return response

    def error(self, exc: ServiceError, request: Request, context: RequestContext) -> Response:
        response = error_response(exc)
        response.headers["x-amzn-RequestId"] = context.request_id
        return response


class KnownMembersWire(RestJsonWire):
    """A REST-JSON wire whose answers carry only the output shape's members (API Gateway's
    v1 and v2 services keep records with members the output leaves out)."""

    def known(self, operation: OperationModel, result: object) -> object:
        shape = operation.output_shape
        if isinstance(result, dict) and shape is not None:
            return {k: v for k, v in result.items() if k in shape.members}
        return result

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response:
        return super().respond(operation, self.known(operation, result), request, context)
