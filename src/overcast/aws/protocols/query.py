"""AWS's `query` protocol, driven by botocore's service model (SNS; SQS's older clients).

A request is `POST /` (or a GET) with form fields `Action=<Operation>&Version=...` and the
input flattened into dotted names, as botocore's QuerySerializer writes them:

    Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Orders   (a map)
    Tags.member.1.Key=team&Tags.member.1.Value=core                      (a list)
    MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String

The answer is XML: `<OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata>
<RequestId>..</RequestId></ResponseMetadata></OpResponse>`, lists as `<member>` elements,
maps as `<entry><key/><value/></entry>`. Errors are `<ErrorResponse><Error><Type>Sender
</Type><Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>`.
Nothing here knows what an operation means.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Container
from datetime import UTC, datetime
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.model import OperationModel, ServiceModel, Shape
from starlette.requests import Request
from starlette.responses import Response

from overcast.aws.errors import ServiceError, UnknownOperationException, UserError
from overcast.aws.protocols.rest_json import read_body
from overcast.aws.request_context import RequestContext

XML_MEDIA_TYPE = "text/xml"


class QueryInputError(UserError):
    """Raised when a field's text cannot be read as its shape's type (`name`: the field).
    Services word it their own way (their Api's `translate`), from `name` and `value`."""

    code = "InvalidParameterValue"

    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"Value {value} for parameter {name} is invalid.")
        self.name = name
        self.value = value


class QueryEncodingError(QueryInputError):
    """Raised when a field's bytes (percent-decoded) are not UTF-8: `byte` is the first that
    is not. A service refuses the request with its own error rather than store a U+FFFD in
    place of what was sent, as AWS's JSON protocol refuses such a body."""

    def __init__(self, name: str, byte: int) -> None:
        UserError.__init__(self, f"Value for parameter {name} is not valid UTF-8.")
        self.name = name
        self.value = ""
        self.byte = byte


# What surrogateescape makes of a byte that is not UTF-8 (valid UTF-8 never decodes to these).
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def form_fields(body: bytes, query_string: str = "") -> dict[str, str]:
    """The request's fields: the query string's, then the form body's (which win). Raises
    QueryEncodingError, naming the field, when one is not UTF-8."""
    pairs = parse_qsl(query_string, keep_blank_values=True, errors="surrogateescape")
    if body:
        text = body.decode("utf-8", "surrogateescape")
        pairs += parse_qsl(text, keep_blank_values=True, errors="surrogateescape")
    for name, value in pairs:
        bad = _UNDECODABLE.search(name) or _UNDECODABLE.search(value)
        if bad is not None:
            printable = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise QueryEncodingError(printable, ord(bad.group()) - 0xDC00)
    return dict(pairs)


def parse_input(operation: OperationModel, fields: dict[str, str]) -> dict:
    """The operation's input as botocore's caller wrote it (member names, Python values)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    present = _Prefixes(fields)
    return _structure(shape, fields, "", present)


class _Prefixes:
    """Which dotted prefixes occur in the fields: tells a list where it ends."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.keys: set[str] = set()
        for name in fields:
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                self.keys.add(".".join(parts[:end]))

    def __contains__(self, prefix: str) -> bool:
        return prefix in self.keys


def _structure(shape: Shape, fields: dict[str, str], prefix: str, present: _Prefixes) -> dict:
    out = {}
    for name, member in shape.members.items():
        key = prefix + member.serialization.get("name", name)
        if key in present:
            out[name] = _value(member, fields, key, present)
    return out


def _value(shape: Shape, fields: dict[str, str], key: str, present: _Prefixes) -> object:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, fields, key + ".", present)
    if kind == "list":
        return _list(shape, fields, key, present)
    if kind == "map":
        return _map(shape, fields, key, present)
    return _scalar(shape, fields.get(key, ""), key)


def _list(shape: Shape, fields: dict[str, str], key: str, present: _Prefixes) -> list:
    if shape.serialization.get("flattened"):
        base = key
    else:
        base = f"{key}.{shape.member.serialization.get('name', 'member')}"
    items, index = [], 1
    while f"{base}.{index}" in present:
        items.append(_value(shape.member, fields, f"{base}.{index}", present))
        index += 1
    return items


def _map(shape: Shape, fields: dict[str, str], key: str, present: _Prefixes) -> dict:
    base = key if shape.serialization.get("flattened") else f"{key}.entry"
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    out, index = {}, 1
    while f"{base}.{index}" in present:
        entry = f"{base}.{index}"
        name = fields.get(f"{entry}.{key_name}", "")
        value_key = f"{entry}.{value_name}"
        out[name] = (
            _value(shape.value, fields, value_key, present) if value_key in present else None
        )
        index += 1
    return out


def _scalar(shape: Shape, text: str, key: str) -> object:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "blob":
            return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise QueryInputError(key, text) from exc
    if kind == "boolean":
        return text.lower() == "true"
    return text


# --- responses -----------------------------------------------------------------------------


def response(
    model: ServiceModel, operation: OperationModel, result: dict | None, request_id: str = ""
) -> Response:
    """`<OpResponse>` with the output shape's members in `<OpResult>`."""
    request_id = request_id or str(uuid.uuid4())
    name = operation.name
    parts = [f'<{name}Response xmlns="{model.metadata.get("xmlNamespace", "")}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>{_members(shape, result or {})}</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
    parts.append(f"</{name}Response>")
    return Response(
        "".join(parts),
        media_type=XML_MEDIA_TYPE,
        headers={"x-amzn-RequestId": request_id},
    )


def _members(shape: Shape, value: dict) -> str:
    out = []
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None:
            out.append(_element(member.serialization.get("name", name), member, item))
    return "".join(out)


def _element(tag: str, shape: Shape, value: object) -> str:
    kind = shape.type_name
    if kind == "list":
        member_tag = shape.member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            return "".join(_element(tag, shape.member, item) for item in value)
        inner = "".join(_element(member_tag, shape.member, item) for item in value)
        return f"<{tag}>{inner}</{tag}>"
    if kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        pairs = [
            _element(key_tag, shape.key, k) + _element(value_tag, shape.value, v)
            for k, v in value.items()
        ]
        if shape.serialization.get("flattened"):  # SQS: <Attribute><Name/><Value/></Attribute>
            return "".join(f"<{tag}>{pair}</{tag}>" for pair in pairs)
        return f"<{tag}>{''.join(f'<entry>{pair}</entry>' for pair in pairs)}</{tag}>"
    if kind == "structure":
        return f"<{tag}>{_members(shape, value)}</{tag}>"
    return f"<{tag}>{escape(_text(value))}</{tag}>"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return str(value)


def error_response(exc: ServiceError, model: ServiceModel, request_id: str = "") -> Response:
    """The query protocol's error document; `Type` is Sender for the caller's faults."""
    request_id = request_id or str(uuid.uuid4())
    fault = "Sender" if exc.status < 500 else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{model.metadata.get("xmlNamespace", "")}">'
        f"<Error><Type>{fault}</Type><Code>{escape(exc.code)}</Code>"
        f"<Message>{escape(exc.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Response(
        body,
        status_code=exc.status,
        media_type=XML_MEDIA_TYPE,
        headers={"x-amzn-RequestId": request_id},
    )


class QueryWire:
    """The query protocol as the gateway drives it (SNS; SQS's older clients): the operation
    is the `Action` field, read with the input from the form body and the query string."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model

    def claims(self, request: Request) -> bool:
        return True

    async def read(
        self, request: Request, operations: Container[str], max_body: int | None
    ) -> tuple[OperationModel, dict]:
        body = await read_body(request, self.model.service_name.upper(), max_body)
        fields = form_fields(body, request.url.query)
        action = fields.get("Action", "")
        if action not in operations or action not in self.model.operation_names:
            raise UnknownOperationException(
                f"The action {action} is not valid for this endpoint.", action
            )
        operation = self.model.operation_model(action)
        return operation, parse_input(operation, fields)

    def respond(
        self,
        operation: OperationModel,
        result: object,
        request: Request,
        context: RequestContext,
    ) -> Response:
        return response(self.model, operation, result, context.request_id)  # type: ignore[arg-type]

    def error(self, exc: ServiceError, request: Request, context: RequestContext) -> Response:
        return error_response(exc, self.model, context.request_id)
