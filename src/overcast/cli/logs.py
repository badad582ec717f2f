"""`overcast logs NAME [--follow]`: a function's log events, read through CloudWatch Logs' API."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from overcast.aws.arn import function_target
from overcast.cli.client import CliContext, error_code

POLL_INTERVAL_S = 0.5
# How far back a poll looks for events that arrived late. Each invocation's lines are written
# when it ends, stamped from its start, so they can be as old as the function's timeout plus
# Lambda's 10 s init phase; a margin covers the write itself.
LATE_MARGIN_S = 15
MAX_TIMEOUT_S = 900  # Lambda's ceiling, assumed when the function's own timeout is unknown
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw]?)$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "logs",
        parents=parents,
        help="print a function's logs",
        description="Print the events of log group /aws/lambda/NAME in time order.",
    )
    parser.add_argument("name", metavar="NAME", help="function name or ARN")
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new events")
    parser.add_argument(
        "--since",
        type=duration,
        metavar="AGE",
        help="only events newer than this: 90s, 10m, 2h, 1d",
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    name = function_name(args.name)
    group = f"/aws/lambda/{name}"
    start = int((ctx.clock() - args.since) * 1000) if args.since is not None else None
    if not args.follow:
        try:
            for event in _events(ctx, group, start):
                _print(ctx, event)
        except Exception as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
            ctx.err.write(f"error: no logs for {name} (log group {group} does not exist yet)\n")
            return 1
        return 0
    try:
        _follow(ctx, name, group, start)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how one stops following: not an error
    return 0


def _follow(ctx: CliContext, name: str, group: str, start: int | None) -> None:
    lookback_ms = (_timeout(ctx, name) + LATE_MARGIN_S) * 1000
    seen: dict[str, int] = {}  # event ids printed within the look-back window -> timestamp
    since = start  # the first poll prints the history asked for (all of it without --since)
    while True:
        window = int(ctx.clock() * 1000) - lookback_ms
        try:
            for event in _events(ctx, group, since):
                if event["eventId"] not in seen:
                    seen[event["eventId"]] = event["timestamp"]
                    _print(ctx, event)
            since = max(start or 0, window)
        except Exception as error:
            if error_code(error) != "ResourceNotFoundException":
                raise  # a missing group just means the function has not run yet
        seen = {key: stamp for key, stamp in seen.items() if stamp >= window}
        ctx.out.flush()
        ctx.sleep(POLL_INTERVAL_S)


def _events(ctx: CliContext, group: str, start: int | None) -> Iterator[dict]:
    """Every event from `start` on, page after page; each page is in time order."""
    client = ctx.client("logs")
    request: dict = {"logGroupName": group}
    if start is not None:
        request["startTime"] = max(0, start)
    while True:
        page = client.filter_log_events(**request)
        yield from page.get("events", [])
        if not page.get("nextToken"):
            return
        request["nextToken"] = page["nextToken"]


def _timeout(ctx: CliContext, name: str) -> int:
    try:
        return int(ctx.client("lambda").get_function_configuration(FunctionName=name)["Timeout"])
    except Exception as error:
        if error_code(error) is None:
            raise
        return MAX_TIMEOUT_S  # deleted, or not created yet: assume the longest


def _print(ctx: CliContext, event: dict) -> None:
    when = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    # Lambda's lines end with the newline the function printed; one per event is enough.
    ctx.out.write(f"{stamp} {event['message'].removesuffix(chr(10))}\n")


def function_name(name_or_arn: str) -> str:
    """`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> NAME; a name stays as is."""
    try:
        return function_target(name_or_arn)[1]
    except ValueError:
        return name_or_arn.partition(":")[0]


def duration(text: str) -> float:
    """`--since` values: `90`, `90s`, `10m`, `2h`, `1d`, `1w` -> seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"expected an age like 30s, 10m, 2h or 1d, got {text!r}")
    return float(match.group(1)) * _UNIT_S[match.group(2)]
