"""A resource provider's call to its own service, with the template's values typed as the
operation's input takes them.

CloudFormation types a resource's properties by the type's schema before its handler runs:
`ShardCount: "2"` (a parameter's value is always a string) reaches Kinesis as the integer 2,
`DeletionProtectionEnabled: "true"` as a boolean. Here the operation's own input shape
(botocore's model) says which members are numbers and booleans; a value that does not convert
is passed as it is, and the operation's validation refuses it in the service's own words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from overcast.aws.in_process import InProcessApi
from overcast.resource_providers import ResourceRequest

_NUMBERS: dict[str, Callable[[str], Any]] = {
    "integer": int,
    "long": int,
    "float": float,
    "double": float,
}


def call(api: InProcessApi, request: ResourceRequest, operation: str, params: dict) -> dict:
    """`operation` with `params` (botocore's member names) as the request's caller."""
    shape = api.api.model.operation_model(operation).input_shape
    return api.call(operation, typed(shape, params), request.caller, request.region)


def typed(shape: Shape | None, value: object) -> object:
    """`value` with the strings its `shape` wants as numbers or booleans converted, and the
    numbers and booleans it wants as strings written as templates write them."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members  # type: ignore[attr-defined]
        return {key: typed(members.get(key), item) for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [typed(shape.member, item) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {key: typed(shape.value, item) for key, item in value.items()}  # type: ignore[attr-defined]
    if isinstance(value, str):
        return _from_text(kind, value)
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(value)
    return value


def _from_text(kind: str, value: str) -> object:
    if kind in _NUMBERS:
        try:
            return _NUMBERS[kind](value.strip())
        except ValueError:
            return value
    if kind == "boolean" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def wait_until(ready: Callable[[], bool], timeout_s: float = 120.0) -> bool:
    """Whether `ready()` came true within `timeout_s`, asked again at growing intervals: how a
    handler waits for its resource to stabilize (a DynamoDB index backfilling to ACTIVE) before
    CloudFormation moves on, as CloudFormation's own handlers poll their service."""
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        if ready():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, 0.25)
