"""`overcast node-sdk install|path`: the AWS SDK for JavaScript v3 that Node.js functions import
without shipping it, as on Lambda (runtimes/node_sdk.py); `overcast node-sdk esbuild`: the pinned
esbuild that bundles Node.js functions whose project has none (deploy/builds/esbuild.py)."""

from __future__ import annotations

import argparse
import time

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.runtimes.node_sdk import NodeSdk, NodeSdkError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "node-sdk",
        help="install the AWS SDK for JavaScript v3 that Node.js functions get, as on Lambda",
        description="`install`: npm ci the pinned SDK once into the cache folder (env "
        "OVERCAST_CACHE_DIR; default ~/.cache/overcast), shared by every server; a running "
        "server's new environments see it at once. `path`: where it is (or would be). "
        "`esbuild`: install the pinned esbuild that deploys bundle TypeScript with (once, "
        "into the same cache folder) and print where it is.",
    )
    parser.add_argument("action", choices=("install", "path", "esbuild"))
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.action == "esbuild":
        return _esbuild(ctx)
    sdk = NodeSdk.default()
    if args.action == "path":
        ctx.out.write(f"{sdk.node_modules}\n")
        return 0 if sdk.installed() else 1
    if sdk.installed():
        ctx.out.write(f"already installed: {sdk.node_modules}\n")
        return 0
    started = time.monotonic()
    try:
        where = sdk.install()
    except NodeSdkError as exc:
        raise CommandError(str(exc)) from exc
    ctx.out.write(f"installed in {time.monotonic() - started:.1f} s: {where}\n")
    return 0


def _esbuild(ctx: CliContext) -> int:
    from overcast.deploy.builds.esbuild import PinnedEsbuild

    esbuild = PinnedEsbuild.default()
    if esbuild.installed():
        ctx.out.write(f"already installed: {esbuild.binary}\n")
        return 0
    started = time.monotonic()
    where = esbuild.install()  # a BuildError (a CommandError) when npm fails
    ctx.out.write(f"installed in {time.monotonic() - started:.1f} s: {where}\n")
    return 0
