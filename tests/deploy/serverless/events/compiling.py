"""What the HTTP event compilers' unit tests share: a service from a config, its event uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.model import EventUse, Service, Stack


def service(
    provider: dict | None = None, functions: Any = ("hello",), name: str = "notes"
) -> Service:
    if not isinstance(functions, dict):
        functions = {key: {"handler": "index.handler"} for key in functions}
    config = {
        "service": name,
        "provider": {"name": "aws", **(provider or {})},
        "functions": functions,
    }
    return Service(Path("."), config, "dev", "us-east-1")


def use(kind: str, config: Any, key: str = "hello", index: int = 1) -> EventUse:
    where = f"functions.{key}.events[{index}].{kind}"
    return EventUse(key, naming.function_logical_id(key), index, config, where)


def compiled(compiler: Any, svc: Service, *uses: EventUse) -> Stack:
    stack = Stack()
    compiler.compile(stack, svc, list(uses))
    return stack
