"""A template's resolved property values typed as an operation's input shape, as
CloudFormation's handlers type them before they call a service: templates write numbers and
booleans as text as often as not (`TimeoutInMillis: "29000"`, `Enabled: "true"`), and
parameters are always text.

A value that cannot be typed is left as it is, so that the operation's own validation refuses
it in the service's words.
"""

from __future__ import annotations

import json

from botocore.model import Shape


def typed(shape: Shape | None, value: object) -> object:
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: typed(members[k], v) for k, v in value.items() if k in members}
    if kind == "list" and isinstance(value, list):
        return [typed(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {str(k): typed(shape.value, v) for k, v in value.items()}
    return _scalar(kind, value)


def _scalar(kind: str, value: object) -> object:
    if isinstance(value, str):
        try:
            if kind in ("integer", "long"):
                return int(value)
            if kind in ("double", "float"):
                return float(value)
        except ValueError:
            return value
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "blob":
            return value.encode()
        return value
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, dict | list):  # a policy or a schema written as an object
            return json.dumps(value, separators=(",", ":"))
    if kind == "blob" and isinstance(value, dict | list):
        return json.dumps(value).encode()
    return value
