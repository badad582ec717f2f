"""The `${file(...)}` source: what a file next to `serverless.yml` holds, as the framework's
file resolver reads it (sf-core src/lib/resolvers/providers/file/file.js).

- `.yml` / `.yaml` (CloudFormation's short-form tags read as in serverless.yml), `.json` and
  `.tfstate`: the data, or the part at `:a.b[0]`;
- `.js` / `.cjs` / `.mjs`: the module's export, run by Node.js (`variable_files.mjs`), a
  function among them called with `{options, resolveVariable, resolveConfigurationProperty}`;
- any other file: its text.

A path is relative to the service folder and may leave it (`../shared.yml`, a symlink): the
framework resolves it with path.resolve and reads what is there, and so does Overcast. A file
that does not exist has no value (a fallback applies), as in the framework.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from overcast.deploy.serverless.model import TranslationError
from overcast.deploy.serverless.variable_syntax import property_path


class _Missing:
    """No value (a fallback applies); one object, even through copy.deepcopy."""

    def __repr__(self) -> str:
        return "MISSING"

    def __deepcopy__(self, memo: dict[int, Any]) -> _Missing:
        return self


MISSING: Any = _Missing()
_ENDED: Any = object()
RUNNER = Path(__file__).with_name("variable_files.mjs")
JS_TIMEOUT_S = 60.0  # a module that never settles must not hang a deploy
ERROR_TAIL = 2000  # characters of a module's error shown


class FileProblem(Exception):
    """Raised when a referenced file exists but cannot be read as its extension says."""


@dataclass
class ModuleCalls:
    """What a JS module may ask back while it runs: `resolveVariable("self:x")` and
    `resolveConfigurationProperty(["custom", "x"])` (each returns the value, None if none)."""

    variable: Callable[[str], Any]
    property: Callable[[list[str]], Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)


class FileSource:
    """Reads files for one resolution, each parsed once (a JS module's result once per
    property, as the framework caches a resolver's answers)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[tuple[Path, str], Any] = {}

    def value(self, file: str, prop: str, calls: ModuleCalls) -> Any:
        """The value `${file(<file>):<prop>}` names, MISSING where there is none."""
        target = (self.root / file).resolve()
        if not target.is_file():
            return MISSING
        suffix = target.suffix.lower()
        if suffix in (".js", ".cjs", ".mjs"):
            key = (target, prop)
            if key not in self._cache:
                self._cache[key] = run_module(target, prop, calls, self.root)
            return copy.deepcopy(self._cache[key])
        if suffix in (".ts", ".mts", ".cts"):
            raise FileProblem(
                f'Cannot load TS module "{target}": TypeScript variable files are not '
                "supported by Overcast (compile it to .js)"
            )
        key = (target, "")
        if key not in self._cache:
            self._cache[key] = _parse(target, suffix)
        data = self._cache[key]
        if suffix not in (".json", ".tfstate", ".yml", ".yaml"):
            return data
        return copy.deepcopy(value_at(data, prop))


def value_at(data: Any, prop: str) -> Any:
    """The part of `data` at `a.b[0]` (all of it for ""), MISSING where there is none."""
    if not prop:
        return MISSING if data is None else data
    for segment in property_path(prop):
        if isinstance(data, dict):
            data = data.get(segment, MISSING)
        elif isinstance(data, list) and segment.isdigit() and int(segment) < len(data):
            data = data[int(segment)]
        else:
            return MISSING
        if data is MISSING or data is None:
            return MISSING
    return data


def _parse(target: Path, suffix: str) -> Any:
    from overcast.services.cloudformation.errors import TemplateError
    from overcast.services.cloudformation.template.loader import load_snippet

    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FileProblem(f'Cannot read "{target}": {error}') from None
    if suffix in (".json", ".tfstate"):
        try:
            return json.loads(text)
        except ValueError as error:
            raise FileProblem(f'Cannot parse JSON from "{target}": {error}') from None
    if suffix in (".yml", ".yaml"):
        if not text.strip():
            return None
        try:
            return load_snippet(text)
        except TemplateError as error:
            raise FileProblem(f'Cannot parse YAML from "{target}": {error.message}') from None
    return text


def run_module(target: Path, prop: str, calls: ModuleCalls, cwd: Path) -> Any:
    """Run `target` under Node.js and answer its calls back until it gives its value."""
    node = shutil.which("node")
    if node is None:
        raise FileProblem(f'Cannot load JS module "{target}": Node.js (node) is not installed')
    channel_read, channel_write = os.pipe()
    errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    process = subprocess.Popen(
        [
            node,
            str(RUNNER),
            str(channel_write),
            str(target),
            prop,
            json.dumps(dict(calls.options), default=str),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=errors,  # a file, not a pipe: a module that logs much cannot block on it
        pass_fds=(channel_write,),
        cwd=cwd,
        env={**os.environ, **calls.env},
        text=True,
    )
    os.close(channel_write)
    watchdog = threading.Timer(JS_TIMEOUT_S, process.kill)
    watchdog.start()
    try:
        with os.fdopen(channel_read, encoding="utf-8") as channel:
            value = _converse(process, channel, calls, target)
        if value is _ENDED:  # it exited (or was killed) without an answer: say why
            process.wait()
            errors.seek(0)
            raise FileProblem(
                f'Cannot load or execute JS module "{target}": node exited with '
                f"{process.returncode}: {errors.read()[-ERROR_TAIL:]}"
            )
        return value
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()
        with contextlib.suppress(OSError):  # a pipe to a process that is gone
            process.stdin.close()
        errors.close()


def _converse(process: subprocess.Popen, channel: Any, calls: ModuleCalls, target: Path) -> Any:
    for line in channel:
        message = json.loads(line)
        if "result" in message:
            return MISSING if message["result"] is None else message["result"]
        if "error" in message:
            raise FileProblem(
                f'Cannot load or execute JS module "{target}": {message["error"][-ERROR_TAIL:]}'
            )
        try:
            if "variable" in message:
                answer = {"value": calls.variable(message["variable"])}
            else:
                answer = {"value": calls.property(message["property"])}
        except TranslationError as error:  # the module's promise rejects: it may catch that
            answer = {"error": str(error)}
        reply = json.dumps({"id": message["id"], **answer}, default=str)
        try:
            process.stdin.write(reply + "\n")
            process.stdin.flush()
        except BrokenPipeError:
            break
    return _ENDED
