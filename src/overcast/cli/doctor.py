"""`overcast doctor`: what this machine lets Overcast do, and what is off and why."""

from __future__ import annotations

import argparse
import sys

from overcast.cli.client import CliContext
from overcast.config import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check which isolation this machine allows (runs locally)"
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    # Imported here: probing forks and touches cgroups, which other commands never need.
    from overcast.sandbox import seccomp_policy
    from overcast.sandbox.protections import detect

    protections = detect(owner="overcast-doctor")
    if protections.cgroups is not None:
        protections.cgroups.close()
    ctx.out.write("Isolation of execution environments:\n")
    for line in protections.describe():
        ctx.out.write(f"  {line}\n")
    for note in protections.notes:
        ctx.out.write(f"  - {note}\n")
    if protections.seccomp is not None:
        ctx.out.write("Refused by the seccomp filter (EPERM), in every environment:\n")
        for line in seccomp_policy.describe():
            ctx.out.write(f"  {line}\n")
    ctx.out.write("Python runtimes:\n")
    for runtime, interpreter in Settings().interpreters.items():
        ctx.out.write(f"  {runtime:<11} {interpreter}\n")
    ctx.out.write(f"  (this interpreter: {sys.executable})\n")
    return 0
