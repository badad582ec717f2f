"""`overcast deploy DIR|ZIP`: package code, then create the function or update it in place.

`overcast deploy template.yaml` (or a folder holding template.yaml / template.yml) deploys the
template as a stack instead (stack_deploy.py); `overcast deploy [DIR]` in a folder holding
serverless.yml deploys the Serverless Framework project (serverless_deploy.py)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from overcast.cli import serverless_deploy
from overcast.cli.client import CliContext, error_code
from overcast.cli.default_role import default_role
from overcast.cli.errors import CommandError

DEFAULT_MEMORY = 128
DEFAULT_TIMEOUT = 3
WAIT = {"Delay": 0.25, "MaxAttempts": 240}  # poll GetFunction every 250 ms for up to a minute


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "deploy",
        parents=parents,
        help="deploy a SAM/CloudFormation template, a serverless.yml project, or a function "
        "from a directory or a .zip",
        description="In a folder holding serverless.yml: deploy the project as `serverless "
        "deploy` would, as stack <service>-<stage>. With a template (template.yaml, or a folder "
        "holding template.yaml / template.yml): build each function as `sam build` would (no "
        "Docker), upload the "
        "packages to S3 and create or update the stack through a change set, printing its "
        "progress, outputs and endpoints. Otherwise: create a function, or update its code "
        "and configuration if it exists. A directory is zipped deterministically (file modes "
        "kept, __pycache__ left out); the packages its requirements.txt names are installed "
        "into the zip with pip, for the function's Python runtime (kept in ~/.cache/overcast "
        "for the next deploy).",
    )
    parser.add_argument(
        "path", metavar="TEMPLATE|DIR|ZIP", type=Path, nargs="?", default=Path("."),
        help="default: the current folder",
    )  # fmt: skip
    stack = parser.add_argument_group("template")
    stack.add_argument("--stack-name", help="default: the template's folder name")
    stack.add_argument(
        "--parameter-overrides", nargs="+", metavar="K=V", help="template parameters"
    )
    serverless_deploy.add_arguments(parser)
    parser.add_argument("--name", help="function name (required without a template)")
    parser.add_argument("--runtime", help="e.g. python3.12 (required to create)")
    parser.add_argument("--handler", help="e.g. app.handler (required to create)")
    parser.add_argument("--memory", type=int, metavar="MB", help=f"default {DEFAULT_MEMORY}")
    parser.add_argument("--timeout", type=int, metavar="SECONDS", help=f"default {DEFAULT_TIMEOUT}")
    parser.add_argument(
        "--env", action="append", type=_env_pair, metavar="K=V", help="environment (repeatable)"
    )
    parser.add_argument(
        "--role",
        metavar="ARN",
        help="execution role (default: overcast-function, created with "
        "AWSLambdaBasicExecutionRole if missing)",
    )
    parser.add_argument("--publish", action="store_true", help="publish a new version")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from overcast.cli import stack_deploy

    template = stack_deploy.template_of(args.path)
    if template is not None and args.name is None:
        return stack_deploy.run(template, args, ctx)
    if args.name is None and serverless_deploy.holds_project(args.path):
        return serverless_deploy.run(args.path, args, ctx)
    if args.name is None:
        raise CommandError(
            f"--name is required: {args.path} holds no template.yaml nor serverless.yml"
        )
    # Imported here, not at the top: pip's and zipfile's imports (certifi alone ~39 ms) would
    # otherwise cost every `overcast` command, `--help` included.
    from overcast.deploy.builds.zips import package

    code = None if args.path.is_dir() else package(args.path)  # a .zip goes as it is
    client = ctx.client("lambda")
    current = _current(client, args.name)
    if current is None and not (args.runtime and args.handler):
        raise CommandError(f"--runtime and --handler are required to create {args.name}")
    if code is None:
        runtime = args.runtime or (current or {}).get("Runtime")
        with installed_requirements(args.path, runtime, ctx) as dependencies:
            code = package(args.path, dependencies)
    if current is not None:
        configuration, action = _update(client, args, code), "updated"
    else:
        role = args.role or default_role(ctx.client("iam"))
        configuration, action = _create(client, args, code, role), "created"
    version = configuration["Version"]
    arn = configuration["FunctionArn"]
    if version != "$LATEST" and not arn.endswith(f":{version}"):
        arn = f"{arn}:{version}"
    ctx.out.write(
        f"{action} {configuration['FunctionName']}\n"
        f"  arn:        {arn}\n"
        f"  version:    {version}\n"
        f"  codeSha256: {configuration['CodeSha256']}\n"
        f"  state:      {configuration.get('State', '-')}\n"
    )
    return 0


@contextlib.contextmanager
def installed_requirements(
    path: Path, runtime: str | None, ctx: CliContext
) -> Iterator[Path | None]:
    """What the folder's requirements.txt names, installed for the function's runtime."""
    from overcast.deploy.builds.pip import PythonInstaller

    with PythonInstaller(ctx.endpoint, ctx.err)(path, runtime) as folder:
        yield folder


def _current(client: Any, name: str) -> dict | None:
    """The function's configuration, None if there is no such function yet."""
    try:
        return client.get_function_configuration(FunctionName=name)
    except Exception as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise


def _create(client: Any, args: argparse.Namespace, code: bytes, role: str) -> dict:
    created = client.create_function(
        FunctionName=args.name,
        Runtime=args.runtime,
        Handler=args.handler,
        Role=role,
        Code={"ZipFile": code},
        MemorySize=args.memory or DEFAULT_MEMORY,
        Timeout=args.timeout or DEFAULT_TIMEOUT,
        Environment={"Variables": dict(args.env or [])},
        Publish=args.publish,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=args.name, WaiterConfig=WAIT)
    return _final(client, args.name, created["Version"])


def _update(client: Any, args: argparse.Namespace, code: bytes) -> dict:
    # Only what was given changes: a redeploy keeps memory, timeout and environment as set.
    changes = {
        "Runtime": args.runtime,
        "Handler": args.handler,
        "MemorySize": args.memory,
        "Timeout": args.timeout,
        "Role": args.role,
        "Environment": {"Variables": dict(args.env)} if args.env else None,
    }
    changes = {key: value for key, value in changes.items() if value is not None}
    waiter = client.get_waiter("function_updated_v2")
    if changes:
        client.update_function_configuration(FunctionName=args.name, **changes)
        waiter.wait(FunctionName=args.name, WaiterConfig=WAIT)
    # Code last, so a version published with it carries the new configuration too.
    updated = client.update_function_code(
        FunctionName=args.name, ZipFile=code, Publish=args.publish
    )
    waiter.wait(FunctionName=args.name, WaiterConfig=WAIT)
    return _final(client, args.name, updated["Version"])


def _final(client: Any, name: str, version: str) -> dict:
    qualifier = {} if version == "$LATEST" else {"Qualifier": version}
    return client.get_function_configuration(FunctionName=name, **qualifier)


def _env_pair(text: str) -> tuple[str, str]:
    key, separator, value = text.partition("=")
    if not key or not separator:
        raise argparse.ArgumentTypeError(f"expected K=V, got {text!r}")
    return key, value
