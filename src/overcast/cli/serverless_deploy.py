"""`overcast deploy [DIR]` in a Serverless Framework project (DIR holds serverless.yml): what
`serverless deploy` does, against Overcast.

The project is read with its variables resolved (options, `--param`, the environment, the
account, other stacks' outputs, SSM parameters), its functions packaged, compiled into the
stack the framework would deploy (`<service>-<stage>`), and deployed through the same change
set path as a SAM template (stack_deploy.deploy_stack), with the framework's stack tags.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import uuid
from pathlib import Path
from typing import Any

from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("serverless.yml")
    group.add_argument("--stage", help="the stage (default: provider.stage, else dev)")
    group.add_argument(
        "--param",
        action="append",
        metavar="K=V",
        help="a value for ${param:K} (repeatable)",
    )


def holds_project(path: Path) -> bool:
    """Whether `path` is a folder holding serverless.yml (or .yaml / .json)."""
    from overcast.deploy.serverless import project
    from overcast.deploy.serverless.model import TranslationError

    if not path.is_dir():
        return False
    try:
        return project.file_of(path) is not None
    except TranslationError as error:  # serverless.ts: named, refused
        raise CommandError(str(error)) from None


def run(root: Path, args: argparse.Namespace, ctx: CliContext) -> int:
    from overcast.cli.stack_deploy import deploy_stack
    from overcast.deploy.serverless import packaging, project, template
    from overcast.deploy.serverless.model import TranslationError

    if args.stack_name:
        raise CommandError("--stack-name: a serverless.yml names its stack (provider.stackName)")
    options = {"stage": args.stage, "region": getattr(args, "region", None)}
    options = {key: value for key, value in options.items() if value}
    try:
        service = project.load(root, options, sources(root, options, _params(args.param), ctx))
        if service.region != ctx.region:  # provider.region decides where the stack goes
            ctx = dataclasses.replace(ctx, region=service.region, _clients={})
        artifacts = packaging.package(service, ctx.err)
        body, notes = template.compile(service, artifacts)
        tags = template.stack_tags(service)
    except TranslationError as error:
        raise CommandError(str(error)) from None
    for note in notes:
        ctx.err.write(f"note: {note}\n")
    ctx.out.write(f"Deploying {service.name} to stage {service.stage} ({service.region})\n")
    return deploy_stack(body, service.root, service.stack_name, ctx, tags=tags)


def sources(root: Path, options: dict[str, str], params: dict[str, str], ctx: CliContext):
    """Where the project's variables come from: the server, reached only when a variable asks."""
    from overcast.deploy.serverless.variables import VariableSources

    def account_id() -> str:
        return ctx.client("sts").get_caller_identity()["Account"]

    def stack_output(stack: str, key: str, region: str | None) -> Any:
        cf = ctx.client("cloudformation")
        if region and region != ctx.region:
            cf = ctx.client_factory("cloudformation", ctx.endpoint, region)
        try:
            described = cf.describe_stacks(StackName=stack)["Stacks"][0]
        except Exception as error:
            if error_code(error) == "ValidationError":  # no such stack
                return None
            raise
        found = [o for o in described.get("Outputs", []) if o["OutputKey"] == key]
        return found[0]["OutputValue"] if found else None

    def ssm_parameter(name: str, decrypt: bool) -> Any:
        try:
            answer = ctx.client("ssm").get_parameter(Name=name, WithDecryption=decrypt)
        except Exception as error:
            if error_code(error) == "ParameterNotFound":
                return None
            raise
        parameter = answer["Parameter"]
        if parameter.get("Type") == "StringList":  # the framework reads one as a list
            return parameter["Value"].split(",")
        return parameter["Value"]

    return VariableSources(
        root=root,
        options=options,
        params=params,
        env=dict(os.environ),
        account_id=account_id,
        stack_output=stack_output,
        ssm_parameter=ssm_parameter,
        instance_id=uuid.uuid4().hex,
    )


def _params(given: list[str] | None) -> dict[str, str]:
    found = {}
    for item in given or []:
        key, separator, value = item.partition("=")
        if not key or not separator:
            raise CommandError(f"--param: expected K=V, got {item!r}")
        found[key] = value
    return found
