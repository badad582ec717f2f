"""The Serverless Framework service a command runs in: the `serverless.yml` of the current
folder, loaded with the framework's options (`--stage/-s`, `--region/-r`, `--param`), and its
function keys mapped to the names they are deployed under.

`overcast remove`, `info`, `invoke -f` and `logs -f` work on it as `serverless remove`, `info`,
`invoke -f` and `logs -f` do. As in the framework, the region is `--region`, else
`provider.region`, else us-east-1 (AWS_REGION is not read), and every request the command makes
goes to that region.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError

if TYPE_CHECKING:  # imported when used: the loader costs `overcast --help` its YAML parser
    from overcast.deploy.serverless.model import Service
    from overcast.deploy.serverless.variables import VariableSources


def add_options(parser: argparse.ArgumentParser, title: str = "serverless.yml service") -> Any:
    """The framework's options for a service: `-s/--stage`, `-r` (the connection options'
    `--region`, which every client command already has), `--param K=V`; their group."""
    group = parser.add_argument_group(title)
    group.add_argument(
        "-s", "--stage", help="the service's stage (default: provider.stage, else dev)"
    )
    group.add_argument(
        "-r",
        dest="region",
        default=argparse.SUPPRESS,
        help="the service's region, as --region (default: provider.region, else us-east-1)",
    )
    group.add_argument(
        "--param",
        action="append",
        type=_param_pair,
        metavar="K=V",
        help="a value for ${param:K} (repeatable)",
    )
    return group


def find(folder: Path | None = None) -> Path | None:
    """The service file in `folder` (the current one by default), None when it has none."""
    from overcast.deploy.serverless.model import TranslationError
    from overcast.deploy.serverless.project import file_of

    try:
        return file_of(folder or Path.cwd())
    except TranslationError as error:  # serverless.ts and the like: named, not read
        raise CommandError(str(error)) from None


def declares_function(key: str) -> bool:
    """Whether the serverless.yml here lists `key` under `functions:`, read as written (no
    variable resolved, nothing asked of the server): for `overcast logs -f NAME`, where NAME
    is a function key only if the service has one of that name."""
    from overcast.services.cloudformation.template import TemplateError
    from overcast.services.cloudformation.template.loader import load as load_yaml

    try:
        path = find()
    except CommandError:  # serverless.ts and the like: read by nobody, so naming nothing
        return False
    if path is None:
        return False
    try:
        functions = load_yaml(path.read_text(encoding="utf-8")).get("functions")
    except (OSError, TemplateError):
        return False  # a file that cannot be read names no function; `load` says why
    return isinstance(functions, dict) and key in functions


def load(
    args: argparse.Namespace, ctx: CliContext, root: Path | None = None
) -> tuple[Service, CliContext]:
    """The service in `root` (the current folder by default), and `ctx` pointed at the
    service's region.

    Raises CommandError when the folder holds no serverless.yml or the file is wrong."""
    from overcast.deploy.serverless import project
    from overcast.deploy.serverless.model import TranslationError

    root = root or Path.cwd()
    if find(root) is None:
        raise CommandError(
            f"no serverless.yml in {root}: run this in the service's folder "
            "(the one holding serverless.yml)"
        )
    options = {"stage": args.stage, "region": getattr(args, "region", None)}
    options = {key: value for key, value in options.items() if value}
    try:
        params = dict(args.param or [])
        service = project.load(root, options, sources(root, options, params, ctx))
    except TranslationError as error:
        raise CommandError(str(error)) from None
    if service.region != ctx.region:
        ctx = dataclasses.replace(ctx, region=service.region, _clients={})
    return service, ctx


def sources(
    root: Path, options: dict[str, str], params: dict[str, str], ctx: CliContext
) -> VariableSources:
    """Where the service's `${...}` variables read from: the command's options, the
    environment, and the server (STS, CloudFormation outputs, SSM parameters), asked only
    when a variable names them. (The same sources as `overcast deploy`'s.)"""
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
        return found[0].get("OutputValue") if found else None

    def ssm_parameter(name: str, decrypt: bool, region: str | None = None) -> Any:
        """GetParameter's Parameter (the resolver splits a StringList, unless `raw`)."""
        ssm = ctx.client("ssm")
        if region and region != ctx.region:
            ssm = ctx.client_factory("ssm", ctx.endpoint, region)
        try:
            return ssm.get_parameter(Name=name, WithDecryption=decrypt)["Parameter"]
        except Exception as error:
            if error_code(error) == "ParameterNotFound":
                return None
            raise

    return VariableSources(
        root=root,
        options=options,
        params=params,
        env=dict(os.environ),
        account_id=account_id,
        stack_output=stack_output,
        ssm_parameter=ssm_parameter,
        ssm_parameter_in=ssm_parameter,
        instance_id=uuid.uuid4().hex,
    )


def deployed_name(service: Service, key: str) -> str:
    """The function `key` of the service as deployed (`<service>-<stage>-<key>`, or its
    `name:`); an unknown key is the framework's error."""
    if key not in service.functions:
        raise CommandError(f'Function "{key}" doesn\'t exist in this Service')
    return service.function_name(key)


def _param_pair(text: str) -> tuple[str, str]:
    key, separator, value = text.partition("=")
    if not key or not separator:
        raise argparse.ArgumentTypeError(f"expected K=V, got {text!r}")
    return key, value
