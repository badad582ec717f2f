"""A SAM / CloudFormation template as a `DevProject`: deployed by `overcast deploy`'s own path
(cli/stack_deploy.run), each function rebuilt by the same packaging `overcast deploy` runs.

The functions are the template's `AWS::Serverless::Function` / `AWS::Lambda::Function`
resources whose code is a local folder (`CodeUri`, `Code`): the SAM translator keeps their
logical ids, so the stack's resources name their deployed functions.
"""

from __future__ import annotations

import argparse
import copy
import io
from pathlib import Path
from typing import Any

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.deploy.dev.project import WatchedFunction

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
# Other properties that name local files: a change to them is a change to the stack.
CONFIG_PROPERTIES = ("ContentUri", "Content", "DefinitionUri", "BodyS3Location")


class SamProject:
    """The template at `template_path`, deployed as `overcast deploy` would with `args`
    (stack_name, parameter_overrides)."""

    def __init__(self, template_path: Path, args: argparse.Namespace, ctx: CliContext) -> None:
        from overcast.cli.stack_deploy import default_stack_name

        self.template_path = template_path.resolve()
        self.args = args
        self.ctx = ctx
        self._stack_name = args.stack_name or default_stack_name(template_path)

    @property
    def root(self) -> Path:
        return self.template_path.parent

    @property
    def stack_name(self) -> str:
        return self._stack_name

    def config_paths(self) -> frozenset[Path]:
        paths = {self.template_path}
        for resource in self._resources().values():
            properties = _mapping(resource.get("Properties"))
            for prop in CONFIG_PROPERTIES:
                if isinstance(properties.get(prop), str):
                    paths.add((self.root / properties[prop]).resolve())
        return frozenset(paths)

    def deploy(self) -> None:
        from overcast.cli import stack_deploy

        self.args.stack_name = self._stack_name
        stack_deploy.run(self.template_path, self.args, self.ctx)

    def functions(self) -> list[WatchedFunction]:
        template = self._template()
        resources = _mapping(template.get("Resources"))
        function_globals = _mapping(_mapping(template.get("Globals")).get("Function"))
        deployed = self._deployed_functions()
        found = []
        for key, resource in resources.items():
            local = _code_path(resource, function_globals)
            if local is None or key not in deployed:
                continue  # code in S3 or inline, or not made (a false Condition)
            found.append(
                WatchedFunction(
                    key=key,
                    physical_name=deployed[key],
                    source_root=(self.root / local).resolve(),
                    rebuild=self._builder(key, resource, template.get("Globals")),
                )
            )
        return found

    def remove(self) -> None:
        from overcast.cli import stack_view

        stack_view.delete_and_wait(self.ctx.client("cloudformation"), self.stack_name, self.ctx)

    def _template(self) -> dict:
        from overcast.services.cloudformation.template import TemplateError, load

        try:
            loaded = load(self.template_path.read_text(encoding="utf-8"))
        except (OSError, TemplateError) as error:
            message = getattr(error, "message", None) or str(error)
            raise CommandError(f"{self.template_path}: {message}") from None
        return loaded if isinstance(loaded, dict) else {}

    def _resources(self) -> dict:
        return _mapping(self._template().get("Resources"))

    def _deployed_functions(self) -> dict[str, str]:
        from overcast.cli import stack_view

        listed = stack_view.resources(self.ctx.client("cloudformation"), self.stack_name)
        return {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in listed
            if r["ResourceType"] == "AWS::Lambda::Function" and r.get("PhysicalResourceId")
        }

    def _builder(self, key: str, resource: dict, template_globals: Any):
        """The function's package built as `overcast deploy` builds it: the template's
        packaging run on a template of this one resource, its upload kept in memory."""
        from overcast.cli.artifacts import package_template, python_installer

        installer = python_installer(self.ctx)

        def rebuild() -> bytes:
            built: list[bytes] = []

            def keep(data: bytes) -> tuple[str, str]:
                built.append(data)
                return "overcast-dev", "package"

            single = {"Resources": {key: copy.deepcopy(resource)}}
            if template_globals is not None:
                single["Globals"] = copy.deepcopy(template_globals)
            package_template(single, self.root, keep, installer, io.StringIO())
            if not built:
                raise CommandError(f"{key}: its code is no longer a local folder")
            return built[0]

        return rebuild


def _code_path(resource: object, function_globals: dict) -> str | None:
    """The local folder (or .zip) a function's code comes from, as cli/artifacts reads it: a
    SAM function's CodeUri, else Globals' CodeUri, else the template's own folder."""
    if not isinstance(resource, dict) or resource.get("Type") not in FUNCTION_TYPES:
        return None
    properties = _mapping(resource.get("Properties"))
    if resource["Type"] == "AWS::Lambda::Function":
        value = properties.get("Code")
    elif "InlineCode" in properties or properties.get("PackageType") == "Image":
        return None
    else:
        value = properties.get("CodeUri", function_globals.get("CodeUri", "."))
    if isinstance(value, str) and not value.startswith("s3://"):
        return value
    return None


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}
