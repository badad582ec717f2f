"""AWS's rest-xml protocol (S3's), driven by botocore's service model.

Request members are read from where the model locates them (uri label, query string, header,
a `headers` map such as `x-amz-meta-*`, the XML payload); a response puts header members in
headers and the rest in an XML document. Timestamps are HTTP dates in headers and ISO 8601
with milliseconds in documents, as S3 writes them. Nothing here knows what an operation means.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.etree import ElementTree

from botocore.model import OperationModel, Shape
from starlette.responses import Response

from overcast.aws.errors import ServiceError

XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


class XmlError(ValueError):
    """Raised when an XML body is not well-formed or a value is not of its member's type."""


# --- requests -----------------------------------------------------------------------------


def request_params(
    operation: OperationModel,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    labels: Mapping[str, str],
    body: bytes | None = None,
) -> dict:
    """The operation's input as botocore would have it (member names, Python values).

    A blob payload (an object's body) is left to the caller, who streams it."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params: dict = {}
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        value: object = None
        if location == "uri":
            value = labels.get(wire)
        elif location == "querystring":
            value = query.get(wire)
        elif location == "header":
            value = headers.get(wire)
        elif location == "headers":
            value = _header_map(headers, wire.lower()) or None
        elif name == payload and member.type_name == "structure" and body and body.strip():
            params[name] = parse_payload(member, body)
            continue
        if value is not None:
            params[name] = value if location == "headers" else scalar(member, value)
    return params


def _header_map(headers: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {
        name[len(prefix) :]: value
        for name, value in headers.items()
        if name.lower().startswith(prefix)
    }


def scalar(shape: Shape, text: str) -> object:
    """A value carried as text, as its model type (a bad timestamp is None: S3 ignores
    conditions it cannot read)."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError as exc:
            raise XmlError(f"{text!r} is not an integer") from exc
    if kind == "boolean":
        return text.strip().lower() == "true"
    if kind == "timestamp":
        return parse_timestamp(text)
    return text


def parse_timestamp(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_payload(shape: Shape, body: bytes) -> dict:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise XmlError(str(exc)) from exc
    return _from_element(shape, root)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _from_element(shape: Shape, element: ElementTree.Element) -> object:
    kind = shape.type_name
    if kind == "structure":
        children: dict[str, list[ElementTree.Element]] = {}
        for child in element:
            children.setdefault(_local(child.tag), []).append(child)
        value = {}
        for name, member in shape.members.items():
            if member.serialization.get("xmlAttribute"):
                text = _attribute(element, member.serialization.get("name", name))
                if text is not None:
                    value[name] = scalar(member, text)
                continue
            found = children.get(member.serialization.get("name", name))
            if not found:
                continue
            if member.type_name == "list" and member.serialization.get("flattened"):
                value[name] = [_from_element(member.member, item) for item in found]
            else:
                value[name] = _from_element(member, found[0])
        return value
    if kind == "list":
        item_name = shape.member.serialization.get("name", "member")
        return [_from_element(shape.member, c) for c in element if _local(c.tag) == item_name]
    return scalar(shape, element.text or "")


# --- responses ----------------------------------------------------------------------------


def response(
    operation: OperationModel,
    result: dict,
    root: str | None = None,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Header members to headers, the other members to a `<root>` document (the payload
    member's own document where the output has one)."""
    shape = operation.output_shape
    out_headers = {**(headers or {}), **output_headers(operation, result)}
    members = shape.members if shape is not None else {}
    body = {
        name: value
        for name, value in result.items()
        if value is not None and name in members and not members[name].serialization.get("location")
    }
    payload = shape.serialization.get("payload") if shape is not None else None
    content = b""
    if payload is not None and payload in body:
        member = members[payload]
        content = document(member, body[payload], member.serialization.get("name", payload))
    elif root is not None:
        content = document(shape, body, root)
    code = status or operation.http.get("responseCode", 200)
    media = "application/xml" if content else None
    return Response(content, status_code=code, headers=out_headers, media_type=media)


def output_headers(operation: OperationModel, result: dict) -> dict[str, str]:
    """The result's members that the output shape puts in headers, as header text."""
    shape = operation.output_shape
    members = shape.members if shape is not None else {}
    headers: dict[str, str] = {}
    for name, value in result.items():
        member = members.get(name)
        if value is None or member is None:
            continue
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", name)] = header_text(member, value)
        elif location == "headers":
            prefix = member.serialization.get("name", name)
            headers.update({prefix + k: v for k, v in value.items()})
    return headers


def header_text(shape: Shape, value: object) -> str:
    if isinstance(value, datetime):
        return http_date(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def http_date(moment: datetime) -> str:
    """`Wed, 21 Oct 2015 07:28:00 GMT`."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def iso_time(moment: datetime) -> str:
    """`2009-10-12T17:50:30.000Z`, as S3 writes times in documents."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def document(shape: Shape, value: dict, root: str) -> bytes:
    return serialized(element(shape, value, root))


def element(shape: Shape, value: dict, root: str) -> ElementTree.Element:
    """The `<root>` document of `value`, as elements (for a caller that must arrange them
    further before they are serialized)."""
    made = ElementTree.Element(root, xmlns=XMLNS)
    _fill(made, shape, value)
    return made


def serialized(element: ElementTree.Element) -> bytes:
    """The document's bytes. A line break in a text (an S3 key may hold one) is written as
    a character reference: an XML parser turns a literal CR into LF, and S3's documented
    entities for keys are `&#13;` and `&#10;`. ElementTree writes no line break of its own."""
    text = ElementTree.tostring(element, encoding="utf-8", xml_declaration=False)
    return XML_DECLARATION + text.replace(b"\r", b"&#13;").replace(b"\n", b"&#10;")


def _attribute(element: ElementTree.Element, name: str) -> str | None:
    """An attribute by its prefixed name (`xsi:type`): matched on its local part, as the
    parser names it by its namespace's URI."""
    local = name.rsplit(":", 1)[-1]
    return next((v for k, v in element.attrib.items() if _local(k) == local), None)


def _fill(element: ElementTree.Element, shape: Shape, value: object) -> None:
    kind = shape.type_name
    if kind == "structure":
        namespace = shape.serialization.get("xmlNamespace")
        for name, member in shape.members.items():
            item = value.get(name) if isinstance(value, dict) else None
            if item is None or member.serialization.get("location"):
                continue
            wire = member.serialization.get("name", name)
            if member.serialization.get("xmlAttribute"):
                # `xsi:type="CanonicalUser"`, its prefix declared where it is used.
                if isinstance(namespace, dict) and "prefix" in namespace:
                    element.set(f"xmlns:{namespace['prefix']}", namespace["uri"])
                element.set(wire, str(item))
                continue
            if member.type_name == "list" and member.serialization.get("flattened"):
                for entry in item:
                    _fill(ElementTree.SubElement(element, wire), member.member, entry)
            else:
                _fill(ElementTree.SubElement(element, wire), member, item)
    elif kind == "list":
        item_name = shape.member.serialization.get("name", "member")
        for entry in value:
            _fill(ElementTree.SubElement(element, item_name), shape.member, entry)
    elif isinstance(value, datetime):
        element.text = iso_time(value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


# --- errors -------------------------------------------------------------------------------


def error_response(exc: ServiceError, request_id: str, *, with_body: bool = True) -> Response:
    """`<Error><Code/><Message/>...extra...<RequestId/><HostId/></Error>`: S3's error
    document, which it does not wrap. A HEAD request's error has no body, as on S3."""
    headers = {"x-amz-request-id": request_id, "x-amz-id-2": host_id(request_id)}
    if not with_body or exc.status == 304:
        return Response(status_code=exc.status, headers=headers)
    element = ElementTree.Element("Error")
    fields = {"Code": exc.code, "Message": exc.message, **exc.extra}
    fields.update(RequestId=request_id, HostId=host_id(request_id))
    for name, value in fields.items():
        ElementTree.SubElement(element, name).text = "" if value is None else str(value)
    return Response(
        serialized(element), status_code=exc.status, headers=headers, media_type="application/xml"
    )


def host_id(request_id: str) -> str:
    """`x-amz-id-2`: on S3 an opaque base64 id of the host; here derived from the request id."""
    return base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()
