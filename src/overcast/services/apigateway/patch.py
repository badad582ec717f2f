"""API Gateway's Update* operations: `patchOperations` (a JSON Patch dialect, RFC 6902's ops
with `~1` for `/` in a path segment) applied to a stored document, its values given as text
and typed from the member's shape in botocore's model ("true" -> True for a boolean).

    /name                                   a member
    /variables/stageVar                     a map's entry (add/replace set it, remove drops it)
    /binaryMediaTypes/image~1png            a list's item (add appends, remove drops, replace
                                            swaps it for `value`)
    /endpointConfiguration/types/EDGE       the same, inside a structure
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from botocore.model import Shape

from overcast.aws.protocols.rest_json import service_model
from overcast.services.apigateway.errors import BadRequestException

OPS = ("add", "remove", "replace")


@dataclass(frozen=True)
class PatchOperation:
    op: str
    path: str
    value: str | None

    @property
    def segments(self) -> list[str]:
        return segments(self.path)


def patch_operations(params: dict) -> list[PatchOperation]:
    """The request's patchOperations; an op other than add, remove, replace is refused."""
    found = []
    for item in params.get("patchOperations") or []:
        op = item.get("op")
        if op not in OPS:
            raise BadRequestException(
                "Invalid patch operation specified. Must be 'add'|'remove'|'replace'"
            )
        path = item.get("path")
        if not path or not path.startswith("/"):
            raise BadRequestException(f"Invalid patch path {path}")
        found.append(PatchOperation(op, path, item.get("value")))
    return found


def segments(path: str) -> list[str]:
    """`/a/b~1c` -> ["a", "b/c"] (RFC 6901's escapes: `~1` is `/`, `~0` is `~`)."""
    return [s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")]


@cache
def shape_of(name: str) -> Shape:
    """An output shape of apigateway's model (`RestApi`, `Stage`, ...)."""
    return service_model("apigateway").shape_for(name)


def apply(doc: dict, operation: PatchOperation, shape: Shape, fixed: Collection[str]) -> None:
    """Apply one operation to `doc` (a document of `shape`); members in `fixed` (ids, dates)
    and members the shape lacks are refused."""
    parts = operation.segments
    if not parts[0] or parts[0] in fixed:
        raise BadRequestException(f"Invalid patch path {operation.path}")
    _apply(doc, shape, parts, operation)


def _apply(target: dict, shape: Shape, parts: list[str], operation: PatchOperation) -> None:
    name, rest = parts[0], parts[1:]
    member = shape.members.get(name) if shape.type_name == "structure" else None
    if member is None:
        raise BadRequestException(f"Invalid patch path {operation.path}")
    kind = member.type_name
    if not rest:
        if operation.op == "remove":
            target.pop(name, None)
        elif kind == "list" and member.member.type_name == "string":
            items = target.setdefault(name, [])
            value = _required(operation)
            if operation.op == "replace":
                target[name] = [value]
            elif value not in items:
                items.append(value)
        else:
            target[name] = coerce(member, operation.value, operation.path)
        return
    if kind == "structure":
        _apply(target.setdefault(name, {}), member, rest, operation)
    elif kind == "map":
        _apply_entry(target.setdefault(name, {}), member.value, "/".join(rest), operation)
    elif kind == "list" and member.member.type_name == "string":
        _apply_item(target.setdefault(name, []), "/".join(rest), operation)
    else:
        raise BadRequestException(f"Invalid patch path {operation.path}")


def _apply_entry(entries: dict, shape: Shape, key: str, operation: PatchOperation) -> None:
    if operation.op == "remove":
        entries.pop(key, None)
    else:
        entries[key] = coerce(shape, operation.value, operation.path)


def _apply_item(items: list, item: str, operation: PatchOperation) -> None:
    if operation.op == "add":
        if item not in items:
            items.append(item)
    elif operation.op == "remove":
        if item in items:
            items.remove(item)
    else:
        value = _required(operation)
        items[:] = [value if i == item else i for i in items]
        if item not in items and value not in items:
            items.append(value)


def _required(operation: PatchOperation) -> str:
    if operation.value is None:
        raise BadRequestException(f"Invalid null value for {operation.path}")
    return operation.value


def coerce(shape: Shape, value: str | None, path: str) -> object:
    """A patch value (text) as the member's type."""
    kind = shape.type_name
    if value is None:
        if kind in ("string", "boolean", "integer", "long", "double", "float"):
            return None
        raise BadRequestException(f"Invalid patch path {path}")
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise BadRequestException(f"Invalid boolean value {value} for {path}")
        return value.lower() == "true"
    try:
        if kind in ("integer", "long"):
            return int(value)
        if kind in ("double", "float"):
            return float(value)
    except ValueError as exc:
        raise BadRequestException(f"Invalid numeric value {value} for {path}") from exc
    if kind in ("structure", "list", "map"):
        raise BadRequestException(f"Invalid patch path {path}")
    return value
