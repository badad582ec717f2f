"""A Python function's requirements installed with pip, for the function's runtime, and kept.

A function imports nothing the host has installed (as on Lambda), so what its requirements
name must travel in the zip. Lambda's guide has you do it by hand, `pip install --target
package -r requirements.txt`; Overcast does the same:

- with the interpreter the server runs the function's runtime on (`GET /_overcast/runtimes`),
  when that interpreter is on this machine and the function's architecture is this machine's,
  so compiled packages fit the Python that imports them;
- otherwise with this interpreter, asking pip for wheels built for the runtime's Python version
  (`--python-version 3.12 --only-binary=:all:`), and for Lambda's platform
  (`--platform manylinux2014_aarch64`) where the function's architecture is not this machine's,
  as Lambda's guide does on a build machine that is not the function's.

What pip installed is kept in a cache folder (`$XDG_CACHE_HOME/overcast/requirements`, else
`~/.cache/overcast/requirements`), keyed by the requirements' text, the runtime and the pip
command, so a redeploy of the same requirements costs nothing. A list that names other local
files (`-r`, `-c`, `-e`, a path) is installed afresh every time: their contents are not in the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.requirements import Requirements

PIP_TAIL_LINES = 15  # of pip's output, shown when it fails
# Lambda's architecture names -> the manylinux platform tags pip knows them by.
PLATFORM_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}


@dataclass(frozen=True)
class Pip:
    """How pip is run for one runtime: on `python`, with `options` saying which Python the
    packages are for when `python` is not the function's own."""

    python: str
    options: tuple[str, ...] = ()

    def command(self, requirements: Path, target: Path) -> list[str]:
        return [
            self.python, "-m", "pip", "install", "--quiet", "--no-input",
            "--disable-pip-version-check", "--target", str(target), "-r", str(requirements),
            *self.options,
        ]  # fmt: skip

    def describe(self) -> str:
        return " ".join([self.python, *self.options])


def host_architecture() -> str:
    """This machine's architecture in Lambda's words (x86_64 / arm64)."""
    machine = platform.machine().lower()
    return "arm64" if machine in ("aarch64", "arm64") else machine


def pip_for(runtime: str, server_python: str | None, architecture: str = "x86_64") -> Pip:
    """pip on the server's interpreter for `runtime` if this machine has it (and is of the
    function's architecture), else on this one, for wheels of the runtime's Python version
    (`python3.12` -> 3.12) and, for another architecture, of Lambda's platform."""
    native = architecture == host_architecture() and sys.platform == "linux"
    if native and server_python and os.path.isfile(server_python):
        if os.access(server_python, os.X_OK):
            return Pip(server_python)
    version = runtime.removeprefix("python")
    options: tuple[str, ...] = ("--python-version", version, "--only-binary=:all:")
    if not native:
        machine = PLATFORM_MACHINES.get(architecture, architecture)
        options += ("--platform", f"manylinux2014_{machine}", "--implementation", "cp")
    return Pip(sys.executable, options)


def server_interpreter(endpoint: str, runtime: str) -> str | None:
    """The interpreter the server at `endpoint` runs `runtime` on (None: it does not say)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/_overcast/runtimes", timeout=10) as answer:
            interpreters = json.load(answer)
    except (OSError, ValueError):  # an older server, or none there: deploy will say so
        return None
    found = interpreters.get(runtime) if isinstance(interpreters, dict) else None
    return found if isinstance(found, str) else None


def cache_folder(environ: Mapping[str, str] = os.environ) -> Path:
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "overcast", "requirements")


@contextlib.contextmanager
def installed(
    requirements: Requirements, runtime: str, pip: Pip, cache: Path, log: TextIO
) -> Iterator[Path]:
    """A folder holding what `requirements` name, installed for `runtime`."""
    source, folder = requirements.source, requirements.folder
    # The project's folder is part of the key: pip runs there, and relative paths in the
    # file (`--find-links wheels`) name that folder's files.
    parts = [requirements.text, runtime, str(folder.resolve()), *pip.command(Path(), Path())]
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    kept = cache / key
    cacheable = not requirements.names_local_files()
    if cacheable and kept.is_dir():
        log.write(f"{source}: installed for {runtime} already ({kept})\n")
        yield kept
        return
    log.write(f"{source}: installing for {runtime} with {pip.describe()}\n")
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{key[:16]}-", suffix=".partial", dir=cache))
    try:
        listed = requirements.file
        if listed is None:  # made from a Pipfile / pyproject.toml: written out for pip
            listed = scratch.with_suffix(".txt")
            listed.write_text(requirements.text, encoding="utf-8")
        try:
            _run(pip.command(listed.resolve(), scratch), folder, source)
        finally:
            if listed != requirements.file:
                listed.unlink(missing_ok=True)
        if cacheable:
            scratch = _keep(scratch, kept)
        yield scratch
    finally:
        if not (cacheable and scratch == kept):
            shutil.rmtree(scratch, ignore_errors=True)


def _run(command: list[str], project: Path, source: str) -> None:
    # In the project folder, so relative paths in the file mean what they mean to the user.
    completed = subprocess.run(
        command, cwd=project, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip().splitlines()
        tail = "\n".join(output[-PIP_TAIL_LINES:])
        raise BuildError(f"pip could not install {source} (exit {completed.returncode}):\n{tail}")


def _keep(scratch: Path, kept: Path) -> Path:
    """Move a finished install into the cache; a deploy that finished first wins."""
    try:
        scratch.rename(kept)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
    return kept


class PythonInstaller:
    """Installs a function's requirements for its runtime and architecture, with the pip
    `pip_for` picks from the interpreters the server at `endpoint` runs runtimes on.

    Called as `installer(folder, runtime, architecture)` it installs the folder's
    requirements.txt (what `sam build` reads), yielding None where there is nothing to install;
    `installed(requirements, runtime, architecture)` installs a list from any source."""

    def __init__(self, endpoint: str | None, log: TextIO, cache: Path | None = None) -> None:
        self.endpoint = endpoint
        self.log = log
        self.cache = cache or cache_folder()

    def installed(
        self, requirements: Requirements, runtime: str, architecture: str = "x86_64"
    ) -> contextlib.AbstractContextManager[Path]:
        server = server_interpreter(self.endpoint, runtime) if self.endpoint else None
        pip = pip_for(runtime, server, architecture)
        return installed(requirements, runtime, pip, self.cache, self.log)

    @contextlib.contextmanager
    def __call__(
        self, folder: Path, runtime: str | None, architecture: str = "x86_64"
    ) -> Iterator[Path | None]:
        from overcast.deploy.builds.requirements import of_folder

        requirements = of_folder(folder)
        if requirements is None:
            yield None
            return
        if runtime is None or not runtime.startswith("python"):
            self.log.write(
                f"{requirements.source}: not installed: {runtime or 'the function'} is not a "
                "Python runtime (put its dependencies in the folder, or in a layer)\n"
            )
            yield None
            return
        with self.installed(requirements, runtime, architecture) as installed_folder:
            yield installed_folder
