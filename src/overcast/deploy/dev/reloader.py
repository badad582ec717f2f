"""Saved files turned into the least work that puts them live, as `sam sync --watch` does: a
configuration change deploys the whole project; a code change rebuilds only the functions
built from the saved files and sends each its new package with UpdateFunctionCode (no stack
update, no upload to S3).

Lambda applies UpdateFunctionCode before it answers on Overcast (the answer's InProgress
status is settled by then), so the next invocation runs the new code without waiting on
GetFunction polls.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from overcast.deploy.dev.project import DevProject, WatchedFunction


@dataclass(frozen=True)
class Plan:
    """What a batch of saved files calls for."""

    redeploy: bool
    functions: tuple[WatchedFunction, ...] = ()


class Reloader:
    """Keeps a deployed project in step with its files. `describe_error` turns a failed build
    or deploy into one line; the loop goes on after it (the next save may fix it)."""

    def __init__(
        self,
        project: DevProject,
        lambda_client: Any,
        out: TextIO,
        describe_error: Callable[[Exception], str],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.project = project
        self.lambda_client = lambda_client
        self.out = out
        self.describe_error = describe_error
        self.clock = clock
        self.functions: list[WatchedFunction] = []
        self._config: frozenset[Path] = frozenset()
        # CodeSha256 of what this session sent each function: an unchanged package is not sent
        self._sent: dict[str, str] = {}

    def start(self) -> None:
        """The first deploy (its failure is the command's)."""
        self.project.deploy()
        self._refresh()

    def watched_paths(self) -> list[Path]:
        """The folders to watch: the project's, and any function folder outside it."""
        roots = {self.project.root}
        for function in self.functions:
            folder = function.source_root
            roots.add(folder if folder.is_dir() else folder.parent)
        return [root for root in roots if not any(other in root.parents for other in roots)]

    def plan(self, changed: Iterable[Path]) -> Plan:
        paths = [Path(path).resolve() for path in changed]
        if any(_within(path, self._config) for path in paths):
            return Plan(redeploy=True)
        hit = tuple(f for f in self.functions if any(f.depends_on(path) for path in paths))
        return Plan(redeploy=False, functions=hit)

    def apply(self, changed: Iterable[Path]) -> Plan:
        """Act on a batch of saved files; reports what it did on `out`."""
        plan = self.plan(changed)
        if plan.redeploy:
            self._redeploy()
        built: dict[int, bytes] = {}  # functions that share a package share its build
        for function in plan.functions:
            self.update(function, built)
        return plan

    def update(self, function: WatchedFunction, built: dict[int, bytes] | None = None) -> bool:
        """Rebuild one function and send its package; False when it failed or was unchanged.
        `built` holds the packages built for this save, by their `rebuild`."""
        began = self.clock()
        built = {} if built is None else built
        try:
            if id(function.rebuild) not in built:
                built[id(function.rebuild)] = function.rebuild()
            package = built[id(function.rebuild)]
            digest = code_sha256(package)
            if self._sent.get(function.physical_name) == digest:
                return False
            self.lambda_client.update_function_code(
                FunctionName=function.physical_name, ZipFile=package
            )
        except Exception as error:
            self._say(f"{function.key}: not updated: {self.describe_error(error)}")
            return False
        self._sent[function.physical_name] = digest
        took = self.clock() - began
        self._say(f"{function.key}: code updated ({len(package) // 1024} KiB, {took:.2f} s)")
        return True

    def _redeploy(self) -> None:
        self._say(f"configuration changed: deploying {self.project.stack_name}")
        try:
            self.project.deploy()
            self._refresh()
        except Exception as error:
            self._say(f"deploy failed: {self.describe_error(error)}")
            return
        # A function whose code this session sent keeps it through a stack update that finds
        # the template's own package unchanged: send the files' package where it differs.
        for function in self.functions:
            if function.physical_name in self._sent:
                self._sent.pop(function.physical_name)
                self._resync(function)

    def _resync(self, function: WatchedFunction) -> None:
        try:
            package = function.rebuild()
            current = self.lambda_client.get_function_configuration(
                FunctionName=function.physical_name
            )["CodeSha256"]
        except Exception as error:
            self._say(f"{function.key}: not checked: {self.describe_error(error)}")
            return
        if code_sha256(package) != current:
            self.update(function)

    def _refresh(self) -> None:
        self.functions = self.project.functions()
        self._config = self.project.config_paths()

    def _say(self, line: str) -> None:
        self.out.write(f"{line}\n")
        self.out.flush()


def code_sha256(package: bytes) -> str:
    """Lambda's CodeSha256: the package's SHA-256, base64."""
    return base64.b64encode(hashlib.sha256(package).digest()).decode()


def _within(path: Path, roots: frozenset[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)
