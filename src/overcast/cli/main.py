"""The `overcast` command: `server`, and client commands that talk to a server through boto3.

Every failure ends as one `error: ...` line on stderr and exit status 1 (2 for usage errors, as
argparse does), never a traceback: set OVERCAST_DEBUG=1 to see one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from overcast.cli import (
    deploy,
    dev,
    doctor,
    env,
    events,
    functions,
    info,
    invoke,
    logs,
    node_sdk,
    queue,
    remove,
    server,
    stacks,
)
from overcast.cli.client import (
    CliContext,
    ClientFactory,
    boto3_client,
    resolve_endpoint,
    resolve_region,
)
from overcast.cli.errors import CommandError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="overcast",
        description="A self-hosted serverless platform that speaks AWS Lambda's interfaces.",
    )
    parser.add_argument("--version", action=_VersionAction)
    # Accepted before or after the command; after it, SUPPRESS keeps an absent option from
    # overwriting one given before it.
    _connection_options(parser, default=None)
    client_options = argparse.ArgumentParser(add_help=False)
    _connection_options(client_options, default=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(metavar="COMMAND", required=True)
    server.add_parser(subparsers)
    doctor.add_parser(subparsers)
    env.add_parser(subparsers)
    node_sdk.add_parser(subparsers)
    deploy.add_parser(subparsers, [client_options])
    dev.add_parser(subparsers, [client_options])
    invoke.add_parser(subparsers, [client_options])
    functions.add_parsers(subparsers, [client_options])
    logs.add_parser(subparsers, [client_options])
    events.add_parser(subparsers, [client_options])
    queue.add_parser(subparsers, [client_options])
    stacks.add_parser(subparsers, [client_options])
    info.add_parser(subparsers, [client_options])
    remove.add_parser(subparsers, [client_options])
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    client_factory: ClientFactory = boto3_client,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    ctx = CliContext(
        endpoint=resolve_endpoint(args.endpoint_url),
        region=resolve_region(args.region),
        out=out or sys.stdout,
        err=err or sys.stderr,
        client_factory=client_factory,
    )
    try:
        return args.command(args, ctx)
    except KeyboardInterrupt:
        return 130  # the shell's convention for "stopped by SIGINT"
    except BrokenPipeError:
        _silence_stdout()  # `overcast logs f | head`: the reader left, nothing is wrong
        return 0
    except Exception as error:
        if os.environ.get("OVERCAST_DEBUG"):
            raise
        ctx.err.write(f"error: {describe(error, ctx.endpoint)}\n")
        return 1


def describe(error: Exception, endpoint: str) -> str:
    """One line for a failure: AWS's error name and message, or what went wrong locally."""
    if isinstance(error, CommandError):
        return str(error)
    if type(error).__module__.startswith("botocore"):
        from botocore import exceptions

        if isinstance(error, exceptions.ClientError):
            details = error.response.get("Error", {})
            return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
        if isinstance(error, exceptions.EndpointConnectionError | exceptions.ConnectionClosedError):
            return f"cannot reach Overcast at {endpoint} (is 'overcast server' running?)"
        if isinstance(error, exceptions.ReadTimeoutError):
            return f"Overcast at {endpoint} did not answer in time"
        return str(error)  # ParamValidationError, WaiterError, ...: botocore's text is clear
    if type(error).__name__ == "ModuleNotFoundError" and "overcast" in str(error):
        return f"this installation of Overcast is incomplete: {error}"
    return f"{type(error).__name__}: {error}"


def _connection_options(parser: argparse.ArgumentParser, default: object) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=default,
        help="Overcast server (env OVERCAST_ENDPOINT or AWS_ENDPOINT_URL; "
        "default http://127.0.0.1:9000)",
    )
    group.add_argument(
        "--region",
        default=default,
        help="region for requests (env AWS_REGION or AWS_DEFAULT_REGION; default us-east-1)",
    )


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked: reading package metadata is slow to start."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # noqa: ANN001
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("overcast")
        except PackageNotFoundError:
            found = "unknown"
        parser.exit(message=f"overcast {found}\n")


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would report the broken pipe again; point it at devnull.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
