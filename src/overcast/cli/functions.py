"""`overcast ls` and `overcast rm`: the functions on the server."""

from __future__ import annotations

import argparse

from overcast.cli.client import CliContext
from overcast.cli.triggers import Pointee, pointing_at
from overcast.services.lambda_.model.arn import function_arn, parse_function_name

COLUMNS = ("NAME", "RUNTIME", "HANDLER", "MEMORY", "TIMEOUT", "LAST MODIFIED")


def add_parsers(subparsers: argparse._SubParsersAction, parents: list) -> None:
    listing = subparsers.add_parser("ls", parents=parents, help="list functions")
    listing.set_defaults(command=run_ls)
    remove = subparsers.add_parser(
        "rm",
        parents=parents,
        help="delete a function",
        description="Delete a function (or one version, NAME:VERSION), then list what still "
        "points at it: event source mappings, rules, HTTP APIs, subscriptions and bucket "
        "notifications stay, as on AWS, and fail until a function of that name exists again.",
    )
    remove.add_argument("name", metavar="NAME", help="function name or ARN")
    remove.set_defaults(command=run_rm)


def run_ls(args: argparse.Namespace, ctx: CliContext) -> int:
    functions = []
    for page in ctx.client("lambda").get_paginator("list_functions").paginate():
        functions.extend(page.get("Functions", []))
    rows = [_row(function) for function in sorted(functions, key=lambda f: f["FunctionName"])]
    ctx.out.write(table(COLUMNS, rows))
    return 0


def run_rm(args: argparse.Namespace, ctx: CliContext) -> int:
    client = ctx.client("lambda")
    configuration = client.get_function_configuration(FunctionName=args.name)
    client.delete_function(FunctionName=args.name)
    ctx.out.write(f"deleted {args.name}\n")
    whole = configuration.get("Version", "$LATEST") == "$LATEST"
    arn = configuration["FunctionArn"]
    if whole:  # the function's ARN without its version: every qualifier of it is the function
        ref = parse_function_name(arn)
        arn = function_arn(ref.region, ref.account_id, ref.name) if ref else arn
    found, unchecked = pointing_at(ctx, Pointee(arn, whole))
    if found:
        ctx.out.write(
            f"still pointing at {args.name}, kept as AWS keeps them (they fail until a "
            "function of that name exists again):\n"
        )
    for trigger in found:
        ctx.out.write(f"  {trigger.what}\n    remove with: {trigger.remove}\n")
    for kind in unchecked:
        ctx.err.write(f"note: could not check {kind}\n")
    return 0


def table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Left-aligned columns two spaces apart, like `docker ps`; no trailing spaces."""
    widths = [max(len(row[i]) for row in [columns, *rows]) for i in range(len(columns))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [columns, *rows]
    ]
    return "".join(line.rstrip() + "\n" for line in lines)


def _row(function: dict) -> tuple[str, ...]:
    return (
        function["FunctionName"],
        function.get("Runtime", "-"),  # image functions have no runtime
        function.get("Handler", "-"),
        f"{function.get('MemorySize', '-')} MB",
        f"{function.get('Timeout', '-')} s",
        _when(function.get("LastModified", "")),
    )


def _when(last_modified: str) -> str:
    """`2026-11-23T10:04:05.123+0000` (Lambda's format) shown as `2026-11-23 10:04:05`."""
    if len(last_modified) >= 19 and last_modified[10] == "T":
        return last_modified[:10] + " " + last_modified[11:19]
    return last_modified or "-"
