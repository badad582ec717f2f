"""A `serverless.yml` (as a dict) compiled by one event compiler, as core calls it: the
functions' resources first, then every use of the type in file order."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import yaml

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import COMPILERS
from overcast.deploy.serverless.model import EventUse, Service, Stack


def service(text: str, stage: str = "dev", region: str = "us-east-1") -> Service:
    return Service(Path("."), yaml.safe_load(text), stage, region)


def uses(project: Service, event_type: str) -> list[EventUse]:
    found = []
    for key, function in project.functions.items():
        count = 0
        for position, event in enumerate(function.get("events") or []):
            if event_type in event:
                count += 1
                path = f"functions.{key}.events[{position}].{event_type}"
                logical_id = naming.function_logical_id(key)
                found.append(EventUse(key, logical_id, count, event[event_type], path))
    return found


def compiled(text: str, event_type: str, **where: Any) -> Stack:
    project = service(text, **where)
    stack = Stack()
    for key in project.functions:
        role = {"Fn::GetAtt": [naming.ROLE_LOGICAL_ID, "Arn"]}
        stack.add(naming.function_logical_id(key), "AWS::Lambda::Function", {"Role": role})
    module = importlib.import_module(f"overcast.deploy.serverless.events.{COMPILERS[event_type]}")
    module.compile(stack, project, uses(project, event_type))
    return stack
