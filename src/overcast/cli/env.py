"""`overcast env`: the shell lines that point the AWS CLI, SAM and the SDKs at a server and
sign with its data dir's root key, for `eval "$(overcast env)"`."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.cli.server import port_number
from overcast.config import data_dir_of


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "env",
        help='print export lines for the AWS CLI, SAM and SDKs (eval "$(overcast env)")',
        description="Print AWS_ENDPOINT_URL, the root access key and the region as shell "
        "export lines, taking --data-dir and --port as `overcast server` does.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the server's address")
    parser.add_argument("--port", type=port_number, default=9000)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the server's data dir (env OVERCAST_DATA_DIR; default ~/.overcast)",
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from overcast.aws.root_key import read_root_key

    data_dir = data_dir_of(args.data_dir)
    key = read_root_key(data_dir)
    if key is None:
        raise CommandError(
            f"no root key in {data_dir}: start `overcast server` with this data dir first"
        )
    values = {
        "AWS_ENDPOINT_URL": f"http://{args.host}:{args.port}",
        "AWS_ACCESS_KEY_ID": key[0],
        "AWS_SECRET_ACCESS_KEY": key[1],
        "AWS_DEFAULT_REGION": ctx.region,
    }
    ctx.out.write("".join(f"export {k}={shlex.quote(v)}\n" for k, v in values.items()))
    return 0
