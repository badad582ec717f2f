"""API Gateway's Update* `patchOperations` (patch.py) for a change of a resource's template
properties: what CloudFormation's API Gateway handlers send to change a resource in place.

    fields = {"Description": Field("/description"), "Variables": Field("/variables", MAP)}
    patches(old, new, fields)  # [{"op": "replace", "path": "/description", "value": "x"}, ...]

A scalar changed is replaced (removed when the template drops it); a map changes entry by
entry and a list of strings item by item, so what the template does not mention is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

SCALAR = "scalar"
JSON = "json"  # an object in the template, a JSON string in the API (a policy, a schema)
MAP = "map"
LIST = "list"


@dataclass(frozen=True)
class Field:
    path: str
    kind: str = SCALAR


def patches(old: dict, new: dict, fields: dict[str, Field]) -> list[dict]:
    ops: list[dict] = []
    for name, field in fields.items():
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if field.kind == MAP:
            ops += _map_patches(field.path, _mapping(before), _mapping(after))
        elif field.kind == LIST:
            ops += _list_patches(field.path, _strings(before), _strings(after))
        elif after is None:
            ops.append({"op": "remove", "path": field.path})
        else:
            ops.append({"op": "replace", "path": field.path, "value": text(after, field.kind)})
    return ops


def text(value: object, kind: str = SCALAR) -> str:
    """A template value as a patch value: JSON for an object, `true`/`false` for a boolean."""
    if kind == JSON and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def escaped(segment: str) -> str:
    """A path segment as a patch path writes it (RFC 6901: `~` -> `~0`, `/` -> `~1`)."""
    return segment.replace("~", "~0").replace("/", "~1")


def _map_patches(path: str, before: dict, after: dict) -> list[dict]:
    ops = [{"op": "remove", "path": f"{path}/{escaped(k)}"} for k in before if k not in after]
    for key, value in after.items():
        if before.get(key) != value:
            op = "replace" if key in before else "add"
            ops.append({"op": op, "path": f"{path}/{escaped(key)}", "value": text(value)})
    return ops


def _list_patches(path: str, before: list[str], after: list[str]) -> list[dict]:
    ops = [{"op": "remove", "path": f"{path}/{escaped(v)}"} for v in before if v not in after]
    ops += [{"op": "add", "path": f"{path}/{escaped(v)}"} for v in after if v not in before]
    return ops


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
