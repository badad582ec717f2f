"""`overcast queue stats`: the asynchronous events each function has waiting, so none is
invisible (queued: due now; retrying: waiting for a retry; running: being invoked), and those
that ended badly (failed: failed for good, after their retries or too old, and sent to the
function's DLQ or OnFailure destination if it has one; dropped: kept by nothing, as no DLQ or
destination took them or their function is gone)."""

from __future__ import annotations

import argparse
import json
import urllib.request

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.cli.functions import table

COLUMNS = ("FUNCTION", "QUEUED", "RETRYING", "RUNNING", "FAILED", "DROPPED")
COUNTS = ("queued", "retrying", "running", "failed", "dropped")


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    queue = subparsers.add_parser("queue", parents=parents, help="the asynchronous event queue")
    actions = queue.add_subparsers(metavar="ACTION", required=True)
    stats = actions.add_parser("stats", parents=parents, help="events per function")
    stats.set_defaults(command=run_stats)


def run_stats(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        with urllib.request.urlopen(f"{ctx.endpoint}/_overcast/queue", timeout=10) as answer:
            stats = json.load(answer)
    except OSError as exc:
        raise CommandError(f"could not reach {ctx.endpoint}: {exc}") from exc
    if not stats:
        ctx.out.write("no asynchronous events waiting, running, failed or dropped\n")
        return 0
    rows = [
        (name.split(":", 1)[1], *(str(counts.get(count, 0)) for count in COUNTS))
        for name, counts in sorted(stats.items())
    ]
    ctx.out.write(table(COLUMNS, rows))
    return 0
