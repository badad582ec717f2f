"""What the compilers share: the resolved project (`Service`), the template being built
(`Stack`), and one function's use of an event type (`EventUse`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class TranslationError(Exception):
    """A project that cannot be deployed as written: the message names the key at fault
    (`functions.hello.events[0].httpApi: ...`), as the framework's own validation does."""


@dataclass
class Service:
    """A `serverless.yml` with every variable resolved (`config`), and what it decides."""

    root: Path  # the folder holding serverless.yml
    config: dict[str, Any]
    stage: str  # --stage, else provider.stage, else "dev"
    region: str  # --region, else provider.region, else "us-east-1"

    @property
    def name(self) -> str:
        """The `service:` key (a string, or the old `{name: ...}` form)."""
        value = self.config.get("service")
        return value.get("name") if isinstance(value, dict) else value

    @property
    def provider(self) -> dict[str, Any]:
        return self.config.get("provider") or {}

    @property
    def functions(self) -> dict[str, dict[str, Any]]:
        return self.config.get("functions") or {}

    @property
    def stack_name(self) -> str:
        """`provider.stackName`, else `<service>-<stage>` (naming.js getStackName)."""
        return self.provider.get("stackName") or f"{self.name}-{self.stage}"

    def function_name(self, key: str) -> str:
        """A function's deployed name: its `name:`, else `<service>-<stage>-<key>`."""
        return self.functions.get(key, {}).get("name") or f"{self.name}-{self.stage}-{key}"


@dataclass
class Stack:
    """The CloudFormation template being compiled.

    Event compilers add resources and outputs, append IAM statements the functions' shared
    execution role needs (`role_statements`, as the framework adds sqs:ReceiveMessage for an
    `sqs` event), and leave notes for the user (`notes`: what was accepted but not acted on).
    """

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    role_statements: list[dict[str, Any]] = field(default_factory=list)
    # Services the shared execution role must trust besides lambda.amazonaws.com: schedule.js
    # adds `scheduler.amazonaws.com` to its AssumeRolePolicyDocument for `method: scheduler`.
    role_principals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, logical_id: str, kind: str, properties: dict[str, Any], **extra: Any) -> None:
        """One resource; `extra` holds DependsOn, Condition, DeletionPolicy... A second resource
        under the same id is the compiler's bug, not the user's: it raises."""
        if logical_id in self.resources:
            raise ValueError(f"{logical_id} is compiled twice")
        self.resources[logical_id] = {"Type": kind, "Properties": properties, **extra}

    def output(self, logical_id: str, value: Any, description: str | None = None) -> None:
        entry: dict[str, Any] = {"Value": value}
        if description:
            entry["Description"] = description
        self.outputs[logical_id] = entry

    def template(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "The AWS CloudFormation template for this Serverless application",
            "Resources": self.resources,
            "Outputs": self.outputs,
        }
        if self.conditions:
            body["Conditions"] = self.conditions
        return body


@dataclass(frozen=True)
class EventUse:
    """One entry of a function's `events:` list, of the type its compiler handles."""

    function_key: str  # the key under `functions:`
    function_logical_id: str  # e.g. HelloLambdaFunction (naming.function_logical_id)
    index: int  # 1-based position of this event among the function's events of this type
    config: Any  # the value under the event's type key: a dict, or a string form ('GET /x')
    path: str  # where it is, for error messages: "functions.hello.events[2].httpApi"


@dataclass
class Artifacts:
    """The packages `packaging.py` built, each a .zip on disk, for `template.compile` to point
    the functions and layers at (`overcast deploy` uploads them as it uploads a SAM template's)."""

    functions: dict[str, Path] = field(default_factory=dict)  # function key -> package
    layers: dict[str, Path] = field(default_factory=dict)  # `layers:` key -> package
    # serverless-python-requirements' `layer: true`: the requirements as a layer of their own
    requirements_layer: Path | None = None
