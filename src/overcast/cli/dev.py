"""`overcast dev [DIR]`: deploy a project, then keep it in step with its files while printing
its requests as they happen, as `sam sync --watch` with `sam logs --tail` beside it would.

On a save, only the functions built from the saved files are rebuilt and sent with
UpdateFunctionCode (no stack update: `sam sync --code` does the same); a change to the template
deploys the stack again. Ctrl-C leaves the stack deployed (`--ephemeral` deletes it).
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from overcast.cli import serverless_service
from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError

if TYPE_CHECKING:  # imported when the command runs: `overcast --help` stays fast
    from overcast.deploy.dev.log_tail import LogTail
    from overcast.deploy.dev.project import DevProject
    from overcast.deploy.dev.reloader import Reloader

# After a change, wait this long for the editor's other writes (a save is often several
# events: write, chmod, rename) before acting; watchfiles' own default step.
STEP_MS = 50
# How long the watcher waits in Rust between looks at Ctrl-C and the first "watching" line.
WAKE_MS = 100
# Build output and tools' folders: writes there are not the user's edits.
IGNORED_DIRS = (".aws-sam", ".serverless", ".esbuild", ".overcast")


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "dev",
        parents=parents,
        help="deploy a project, then update it on every save and print its requests' logs",
        description="Deploy the project in DIR (a SAM template or a serverless.yml) as "
        "`overcast deploy` does, then watch its files: a saved function file rebuilds that "
        "function and updates its code in place (UpdateFunctionCode); a saved template or "
        "serverless.yml deploys the stack again. Each "
        "request's output, errors and REPORT (status, duration) are printed as they happen. "
        "Ctrl-C stops watching and leaves the stack deployed, unless --ephemeral.",
    )
    parser.add_argument("path", metavar="DIR", type=Path, nargs="?", default=Path("."))
    parser.add_argument("--stack-name", help="default: the template's folder name")
    parser.add_argument(
        "--parameter-overrides", nargs="+", metavar="K=V", help="template parameters"
    )
    parser.add_argument(
        "--ephemeral", action="store_true", help="delete the stack when dev stops (Ctrl-C)"
    )
    serverless_service.add_options(parser, "serverless.yml")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    from overcast.deploy.dev.log_tail import LogTail
    from overcast.deploy.dev.reloader import Reloader

    ctx = dataclasses.replace(ctx, out=_Serialized(ctx.out), err=_Serialized(ctx.err))
    project = open_project(args.path, args, ctx)
    _stop_on_sigterm()
    tail = LogTail(ctx.client("logs"), ctx.out, ctx.clock)
    reloader = Reloader(project, ctx.client("lambda"), ctx.out, _describer(ctx))
    try:
        reloader.start()
        for function in reloader.functions:
            ctx.out.write(f"function {function.key}: {function.physical_name}\n")
        tail.follow(_names(reloader))
        tail.start()
        _watch(reloader, tail, ctx)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how dev stops
    finally:
        tail.stop()
    if args.ephemeral:
        ctx.out.write(f"removing {project.stack_name} (--ephemeral)\n")
        project.remove()
        ctx.out.write(f"deleted {project.stack_name}\n")
    else:
        ctx.out.write(
            f"stopped; {project.stack_name} stays deployed "
            f"(`overcast stacks rm {project.stack_name}` deletes it)\n"
        )
    return 0


def open_project(path: Path, args: argparse.Namespace, ctx: CliContext) -> DevProject:
    """The `DevProject` in `path`: a SAM / CloudFormation template, or a serverless.yml."""
    from overcast.cli.dev_sam import SamProject
    from overcast.cli.dev_serverless import ServerlessProject
    from overcast.cli.serverless_deploy import holds_project
    from overcast.cli.stack_deploy import template_of

    template = template_of(path)
    if template is not None:
        return SamProject(template, args, ctx)
    if holds_project(path):
        return ServerlessProject(path, args, ctx)
    raise CommandError(f"{path}: no template.yaml / template.yml / template.json / serverless.yml")


def _watch(reloader: Reloader, tail: LogTail, ctx: CliContext) -> None:
    import watchfiles

    watch_filter = watchfiles.DefaultFilter(
        ignore_dirs=(*watchfiles.DefaultFilter.ignore_dirs, *IGNORED_DIRS)
    )
    while True:
        paths = reloader.watched_paths()
        changes_seen = watchfiles.watch(
            *paths,
            watch_filter=watch_filter,
            step=STEP_MS,
            rust_timeout=WAKE_MS,
            yield_on_timeout=True,
        )
        announced = False
        for changes in changes_seen:
            if not announced:  # the first (empty) batch: the watches are in place
                listed = ", ".join(str(path) for path in paths)
                ctx.out.write(f"watching {listed} (Ctrl-C to stop)\n")
                ctx.out.flush()
                announced = True
            if not changes:
                continue
            plan = reloader.apply(Path(path) for _, path in changes)
            if plan.redeploy:
                tail.follow(_names(reloader))
                if reloader.watched_paths() != paths:
                    break  # a function now lives in a folder not watched yet


def _stop_on_sigterm() -> None:
    """SIGTERM (a process manager, `kill`) stops dev as Ctrl-C does: the stack is left or, with
    --ephemeral, deleted, rather than the process ending mid-way."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def _names(reloader: Reloader) -> dict[str, str]:
    return {function.physical_name: function.key for function in reloader.functions}


def _describer(ctx: CliContext):
    from overcast.cli.main import describe

    return lambda error: describe(error, ctx.endpoint)


class _Serialized:
    """A text stream written from two threads (the watcher, the log tail), a line batch at a
    time, so their lines never interleave mid-line."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            return self._stream.write(text)

    def flush(self) -> None:
        with self._lock:
            self._stream.flush()
