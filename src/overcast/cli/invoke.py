"""`overcast invoke NAME`: run a function and print what it returned."""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "invoke",
        parents=parents,
        help="invoke a function and print its response",
        description="Invoke a function. The response payload goes to stdout (indented when it "
        "is JSON); the exit status is 1 when the function failed.",
    )
    parser.add_argument("name", metavar="NAME", help="function name or ARN")
    parser.add_argument(
        "--payload", default="{}", help="JSON event, or @FILE to read it from a file (@- stdin)"
    )
    parser.add_argument("--qualifier", help="version or alias")
    parser.add_argument(
        "--async", dest="asynchronous", action="store_true", help="queue it (InvocationType=Event)"
    )
    parser.add_argument("--logs", action="store_true", help="print the log tail to stderr")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    request = {
        "FunctionName": args.name,
        "Payload": read_payload(args.payload),
        "InvocationType": "Event" if args.asynchronous else "RequestResponse",
    }
    if args.qualifier:
        request["Qualifier"] = args.qualifier
    if args.logs and not args.asynchronous:
        request["LogType"] = "Tail"  # Lambda returns a log tail only for synchronous calls
    response = ctx.client("lambda").invoke(**request)
    if args.asynchronous:
        ctx.err.write(f"queued {args.name} (StatusCode {response.get('StatusCode', 202)})\n")
        return 0
    if response.get("LogResult"):
        ctx.err.write(base64.b64decode(response["LogResult"]).decode("utf-8", "replace"))
    body = response["Payload"].read()
    if body:
        ctx.out.write(render(body) + "\n")
    if response.get("FunctionError"):
        ctx.err.write(f"error: function failed ({response['FunctionError']}): {_summary(body)}\n")
        return 1
    return 0


def read_payload(value: str) -> bytes:
    """The event as given: inline JSON, `@path` for a file's contents, `@-` for stdin."""
    if not value.startswith("@"):
        return value.encode()
    if value == "@-":
        return sys.stdin.buffer.read()
    try:
        return Path(value[1:]).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read payload {value[1:]}: {error.strerror}") from error


def render(body: bytes) -> str:
    """JSON indented for reading; anything else as text."""
    text = body.decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _summary(body: bytes) -> str:
    """`ErrorType: message` from Lambda's error payload `{errorType, errorMessage, ...}`."""
    try:
        error = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")[:200]
    if not isinstance(error, dict):
        return str(error)
    parts = [str(error[key]) for key in ("errorType", "errorMessage") if error.get(key)]
    return ": ".join(parts) or "(no details)"
