"""`overcast deploy [DIR]` in a Serverless Framework project (DIR holds serverless.yml): what
`serverless deploy` does, against Overcast.

The project is read with its variables resolved (options, `--param`, the environment, the
account, other stacks' outputs, SSM parameters), its functions packaged, compiled into the
stack the framework would deploy (`<service>-<stage>`), and deployed through the same change
set path as a SAM template (stack_deploy.deploy_stack), with the framework's stack tags.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from overcast.cli import serverless_service
from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    serverless_service.add_options(parser, "serverless.yml")


def holds_project(path: Path) -> bool:
    """Whether `path` is a folder holding serverless.yml (or .yaml / .json)."""
    return path.is_dir() and serverless_service.find(path) is not None


def run(root: Path, args: argparse.Namespace, ctx: CliContext) -> int:
    from overcast.cli.stack_deploy import deploy_stack
    from overcast.deploy.builds.pip import PythonInstaller
    from overcast.deploy.serverless import packaging, template
    from overcast.deploy.serverless.model import TranslationError

    if args.stack_name:
        raise CommandError("--stack-name: a serverless.yml names its stack (provider.stackName)")
    # provider.region decides where the stack goes: ctx comes back pointed there
    service, ctx = serverless_service.load(args, ctx, root)
    try:
        installer = PythonInstaller(ctx.endpoint, ctx.err)
        artifacts = packaging.package(service, ctx.err, installer)
        body, notes = template.compile(service, artifacts)
        tags = template.stack_tags(service)
    except TranslationError as error:
        raise CommandError(str(error)) from None
    for note in notes:
        ctx.err.write(f"note: {note}\n")
    ctx.out.write(f"Deploying {service.name} to stage {service.stage} ({service.region})\n")
    return deploy_stack(body, service.root, service.stack_name, ctx, tags=tags)
