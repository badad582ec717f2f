"""`overcast logs NAME [--follow]`: a function's log events, read through CloudWatch Logs' API.

In a folder holding serverless.yml, `overcast logs -f KEY [--tail]` reads the service's function
KEY (deployed as `<service>-<stage>-<key>`) as `serverless logs -f` does (lib/plugins/aws/
logs.js): the last 10 minutes unless `--startTime` says otherwise, `--tail` to keep listening.
`-f` means `--follow` everywhere else, as it always has: it names a function only when what
follows it is one of the service's function keys (`--function KEY` is never ambiguous).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from overcast.aws.arn import function_target
from overcast.cli import serverless_service
from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError

POLL_INTERVAL_S = 0.5
# How far back a poll looks for events that arrived late. Each invocation's lines are written
# when it ends, stamped from its start, so they can be as old as the function's timeout plus
# Lambda's 10 s init phase; a margin covers the write itself.
LATE_MARGIN_S = 15
MAX_TIMEOUT_S = 900  # Lambda's ceiling, assumed when the function's own timeout is unknown
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw]?)$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# logs.js: without --startTime, the last 10 minutes; with --tail, the last 15 seconds
SERVICE_WINDOW_S, SERVICE_TAIL_WINDOW_S = 600, 15


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "logs",
        parents=parents,
        help="print a function's logs",
        description="Print the events of log group /aws/lambda/NAME in time order.",
    )
    parser.add_argument("name", metavar="NAME", nargs="?", help="function name or ARN")
    parser.add_argument(
        "-f",
        dest="f_flag",
        action="store_true",
        help="--follow; `-f KEY` in a serverless.yml folder: the service's function KEY",
    )
    parser.add_argument(
        "--follow", "--tail", "-t", action="store_true", help="keep printing new events"
    )
    parser.add_argument(
        "--since",
        type=duration,
        metavar="AGE",
        help="only events newer than this: 90s, 10m, 2h, 1d",
    )
    parser.add_argument(
        "--startTime",
        dest="start_time",
        metavar="TIME",
        help="only events from TIME on: an age (30m, 2h, 3d), a date or time (2026-02-08, "
        "2026-02-08T09:10), or seconds since the epoch",
    )
    parser.add_argument("--filter", metavar="PATTERN", help="a CloudWatch Logs filter pattern")
    parser.add_argument(
        "-i",
        "--interval",
        type=int,
        metavar="MS",
        help=f"how often --follow polls (default {int(POLL_INTERVAL_S * 1000)})",
    )
    service = serverless_service.add_options(
        parser, "serverless.yml service in this folder (as `serverless logs -f`)"
    )
    service.add_argument(
        "--function", metavar="KEY", help="the function KEY of serverless.yml here"
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    key, ctx = _service_function(args, ctx)
    name = key[1] if key else function_name(args.name)
    follow = args.follow or (args.f_flag and key is None)
    group = f"/aws/lambda/{name}"
    start = _start(args, ctx.clock(), follow, service=key is not None)
    if not follow:
        printed = 0
        try:
            for event in _events(ctx, group, start, args.filter):
                _print(ctx, event)
                printed += 1
        except Exception as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
            ctx.err.write(f"error: no logs for {name} (log group {group} does not exist yet)\n")
            return 1
        if key and not printed:  # logs.js says so rather than print nothing
            ctx.err.write(f"No logs found from start time: {_stamp(start or 0)}\n")
        return 0
    if key:
        ctx.err.write(f'Streaming new logs for function: "{key[0]}"\n')
    interval = args.interval / 1000 if args.interval else POLL_INTERVAL_S
    try:
        _follow(ctx, name, group, start, args.filter, interval)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how one stops following: not an error
    return 0


def _service_function(
    args: argparse.Namespace, ctx: CliContext
) -> tuple[tuple[str, str] | None, CliContext]:
    """((KEY, deployed name), ctx in the service's region) when the command names a function of
    the serverless.yml here (`--function KEY`, or `-f KEY` with KEY one of its functions);
    (None, ctx) for a function named as it is deployed."""
    if args.function is not None:
        if args.name is not None:
            raise CommandError("name the function once: NAME, or --function KEY")
        service, ctx = serverless_service.load(args, ctx)
        return (args.function, serverless_service.deployed_name(service, args.function)), ctx
    if args.name is None:
        raise CommandError("name the function: NAME, or -f KEY for serverless.yml's function KEY")
    if not args.f_flag or not serverless_service.declares_function(args.name):
        return None, ctx  # `-f NAME`: follow the function deployed as NAME, as always
    service, ctx = serverless_service.load(args, ctx)
    return (args.name, serverless_service.deployed_name(service, args.name)), ctx


def _start(args: argparse.Namespace, now: float, follow: bool, service: bool) -> int | None:
    """The first event's time (ms): --startTime, else --since, else for a service's function
    the framework's window (10 minutes, 15 seconds when tailing), else the whole history."""
    if args.start_time is not None:
        return start_time(args.start_time, now)
    if args.since is not None:
        return int((now - args.since) * 1000)
    if service:
        return int((now - (SERVICE_TAIL_WINDOW_S if follow else SERVICE_WINDOW_S)) * 1000)
    return None


def start_time(text: str, now: float) -> int:
    """`--startTime` (ms): an age (`30m`, `2h`, `3d`: logs.js reads m, h and d), seconds (or
    milliseconds) since the epoch, or an ISO 8601 date or time, UTC unless it says otherwise."""
    text = text.strip()
    if text[-1:] in ("m", "h", "d") and _DURATION.match(text):
        return int((now - duration(text)) * 1000)
    if text.isdigit():
        return int(text) if len(text) > 11 else int(text) * 1000
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--startTime: expected an age (30m), a date (2026-02-08) or a time, got {text!r}"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _follow(
    ctx: CliContext,
    name: str,
    group: str,
    start: int | None,
    pattern: str | None,
    interval: float,
) -> None:
    lookback_ms = (_timeout(ctx, name) + LATE_MARGIN_S) * 1000
    seen: dict[str, int] = {}  # event ids printed within the look-back window -> timestamp
    since = start  # the first poll prints the history asked for (all of it without --since)
    while True:
        window = int(ctx.clock() * 1000) - lookback_ms
        try:
            for event in _events(ctx, group, since, pattern):
                if event["eventId"] not in seen:
                    seen[event["eventId"]] = event["timestamp"]
                    _print(ctx, event)
            since = max(start or 0, window)
        except Exception as error:
            if error_code(error) != "ResourceNotFoundException":
                raise  # a missing group just means the function has not run yet
        seen = {key: stamp for key, stamp in seen.items() if stamp >= window}
        ctx.out.flush()
        ctx.sleep(interval)


def _events(
    ctx: CliContext, group: str, start: int | None, pattern: str | None = None
) -> Iterator[dict]:
    """Every event from `start` on, page after page; each page is in time order."""
    client = ctx.client("logs")
    request: dict = {"logGroupName": group}
    if start is not None:
        request["startTime"] = max(0, start)
    if pattern:
        request["filterPattern"] = pattern
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
    # Lambda's lines end with the newline the function printed; one per event is enough.
    ctx.out.write(f"{_stamp(event['timestamp'])} {event['message'].removesuffix(chr(10))}\n")


def _stamp(milliseconds: int) -> str:
    when = datetime.fromtimestamp(milliseconds / 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


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
