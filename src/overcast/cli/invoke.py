"""`overcast invoke NAME`: run a function and print what it returned.

`overcast invoke -f KEY` in a folder holding serverless.yml invokes the service's function KEY
(deployed as `<service>-<stage>-<key>`) as `serverless invoke -f` does (lib/plugins/aws/
invoke.js): the event from `--data` / `--path`, parsed as JSON where it is JSON, else sent as a
JSON string; `--log` prints the log tail after the response.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

from overcast.cli import serverless_service
from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
QUEUED = {"Event": "queued", "DryRun": "dry run of"}
RULE = "----------------------"  # what `serverless invoke --log` prints before the log tail


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "invoke",
        parents=parents,
        help="invoke a function and print its response",
        description="Invoke a function. The response payload goes to stdout (indented when it "
        "is JSON); the exit status is 1 when the function failed.",
    )
    parser.add_argument("name", metavar="NAME", nargs="?", help="function name or ARN")
    parser.add_argument(
        "--payload", help="JSON event, or @FILE to read it from a file (@- stdin); default {}"
    )
    parser.add_argument("-q", "--qualifier", help="version or alias")
    parser.add_argument(
        "--async", dest="asynchronous", action="store_true", help="queue it (InvocationType=Event)"
    )
    parser.add_argument(
        "-l", "--log", "--logs", dest="logs", action="store_true", help="print the log tail"
    )
    service = serverless_service.add_options(
        parser, "serverless.yml service in this folder (as `serverless invoke -f`)"
    )
    service.add_argument(
        "-f", "--function", metavar="KEY", help="the function KEY of serverless.yml here"
    )
    service.add_argument("-d", "--data", help="the event: JSON, or a string sent as one")
    service.add_argument(
        "-p", "--path", type=Path, metavar="FILE", help="read the event from FILE (JSON)"
    )
    service.add_argument("-t", "--type", choices=INVOCATION_TYPES, help="default RequestResponse")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    if (args.name is None) == (args.function is None):
        raise CommandError("name the function: NAME, or -f KEY for serverless.yml's function KEY")
    if args.function is not None:
        service, ctx = serverless_service.load(args, ctx)
        name, root = serverless_service.deployed_name(service, args.function), service.root
    else:
        name, root = args.name, Path.cwd()
    kind = args.type or ("Event" if args.asynchronous else "RequestResponse")
    request = {"FunctionName": name, "Payload": _event(args, root), "InvocationType": kind}
    if args.qualifier:
        request["Qualifier"] = args.qualifier
    if args.logs and kind == "RequestResponse":
        request["LogType"] = "Tail"  # Lambda returns a log tail only for synchronous calls
    response = ctx.client("lambda").invoke(**request)
    if kind != "RequestResponse":
        ctx.err.write(f"{QUEUED[kind]} {name} (StatusCode {response.get('StatusCode', 202)})\n")
        return 0
    tail = base64.b64decode(response.get("LogResult") or "").decode("utf-8", "replace")
    if tail and args.function is None:
        ctx.err.write(tail)
    body = response["Payload"].read()
    if body:
        ctx.out.write(render(body, indent=4 if args.function else 2) + "\n")
    if tail and args.function is not None:
        # invoke.js: the response, then a rule, then the log tail
        ctx.out.flush()
        ctx.err.write(f"\n{RULE}\n\n{tail}")
    if response.get("FunctionError"):
        ctx.err.write(f"error: function failed ({response['FunctionError']}): {_summary(body)}\n")
        return 1
    return 0


def _event(args: argparse.Namespace, root: Path) -> bytes:
    """The payload: `--payload` as given; `--data` / `--path` (relative to the service's folder)
    as the framework sends them; `{}` without any."""
    given = [option for option in ("payload", "data", "path") if getattr(args, option) is not None]
    if len(given) > 1:
        raise CommandError(f"give one of --{given[0]} and --{given[1]}")
    if args.payload is not None:
        return read_payload(args.payload)
    if args.path is not None:
        path = args.path if args.path.is_absolute() else root / args.path
        try:
            return event_of(path.read_text(encoding="utf-8"))
        except OSError:
            raise CommandError(f"The file you provided does not exist: {path}") from None
    return event_of(args.data or "")


def event_of(text: str) -> bytes:
    """invoke.js: JSON data as it is, any other text as a JSON string, nothing as `{}`."""
    if not text:
        return b"{}"
    try:
        json.loads(text)
    except ValueError:
        return json.dumps(text).encode()
    return text.encode()


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


def render(body: bytes, indent: int = 2) -> str:
    """JSON indented for reading; anything else as text."""
    text = body.decode("utf-8", "replace")
    try:
        return json.dumps(json.loads(text), indent=indent, ensure_ascii=False)
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
