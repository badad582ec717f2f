"""`overcast stacks`: the stacks on the server; `stacks describe NAME`, `stacks rm NAME`."""

from __future__ import annotations

import argparse

from overcast.cli import stack_view
from overcast.cli.client import CliContext
from overcast.cli.functions import table

TIME = "%Y-%m-%d %H:%M:%S"


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "stacks",
        parents=parents,
        help="list, describe or delete stacks (deployed with `overcast deploy template.yaml`)",
        description="Without an action, list the stacks that exist (deleted ones left out).",
    )
    parser.set_defaults(command=run_list)
    actions = parser.add_subparsers(metavar="ACTION")
    describe = actions.add_parser(
        "describe", parents=parents, help="a stack's status, resources, outputs and endpoints"
    )
    describe.add_argument("name", metavar="NAME")
    describe.set_defaults(command=run_describe)
    remove = actions.add_parser("rm", parents=parents, help="delete a stack and wait for it")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(command=run_rm)


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    cf = ctx.client("cloudformation")
    rows = []
    for page in cf.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            when = (stack.get("LastUpdatedTime") or stack["CreationTime"]).strftime(TIME)
            rows.append((stack["StackName"], stack["StackStatus"], when))
    if not rows:
        ctx.err.write("no stacks\n")
        return 0
    ctx.out.write(table(("NAME", "STATUS", "UPDATED"), sorted(rows)))
    return 0


def run_describe(args: argparse.Namespace, ctx: CliContext) -> int:
    cf = ctx.client("cloudformation")
    stack = cf.describe_stacks(StackName=args.name)["Stacks"][0]
    reason = f"  {stack['StackStatusReason']}" if stack.get("StackStatusReason") else ""
    ctx.out.write(f"{stack['StackName']}  {stack['StackStatus']}{reason}\n")
    ctx.out.write(f"  id: {stack['StackId']}\n")
    listed = stack_view.resources(cf, args.name)
    rows = [
        (r["LogicalResourceId"], r["ResourceType"], r["ResourceStatus"], _physical(r))
        for r in listed
    ]
    if rows:
        ctx.out.write("Resources:\n")
        ctx.out.write(table(("LOGICAL ID", "TYPE", "STATUS", "PHYSICAL ID"), rows))
    stack_view.print_stack(ctx, args.name)
    return 0


def run_rm(args: argparse.Namespace, ctx: CliContext) -> int:
    stack_view.delete_and_wait(ctx.client("cloudformation"), args.name, ctx)
    ctx.out.write(f"deleted {args.name}\n")
    return 0


def _physical(resource: dict) -> str:
    return resource.get("PhysicalResourceId") or "-"
