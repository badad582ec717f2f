"""A deployed folder's `requirements.txt`: its packages installed into the deployment package.

A function imports nothing the host has installed (as on Lambda), so what requirements.txt
names must travel in the zip. Lambda's guide has you do it by hand, `pip install --target
package -r requirements.txt`; `overcast deploy` does the same:

- with the interpreter the server runs the function's runtime on (`GET /_overcast/runtimes`),
  when that interpreter is on this machine, so compiled packages fit the Python that imports
  them;
- otherwise with this interpreter, asking pip for wheels built for the runtime's Python
  version (`--python-version 3.12 --only-binary=:all:`), as Lambda's guide does on a build
  machine that is not the function's.

What pip installed is kept in a cache folder (`$XDG_CACHE_HOME/overcast/requirements`, else
`~/.cache/overcast/requirements`), keyed by the file's bytes, the runtime and the pip command,
so a redeploy of the same requirements costs nothing. A file that names other local files
(`-r`, `-c`, `-e`, a path) is installed afresh every time: their contents are not in the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from overcast.cli.errors import CommandError

REQUIREMENTS = "requirements.txt"
PIP_TAIL_LINES = 15  # of pip's output, shown when it fails
# Lines of a requirements file that point at other files on this machine.
SHORT_OPTIONS = ("-r", "-c", "-e")  # also written joined to their value: -rbase.txt
LONG_OPTIONS = ("--requirement", "--constraint", "--editable")
LOCAL_STARTS = (".", "/", "~", "file:")


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


def pip_for(runtime: str, server_python: str | None) -> Pip:
    """pip on the server's interpreter for `runtime` if this machine has it, else on this
    one, for wheels of the runtime's Python version (`python3.12` -> 3.12)."""
    if server_python and os.path.isfile(server_python) and os.access(server_python, os.X_OK):
        return Pip(server_python)
    version = runtime.removeprefix("python")
    return Pip(sys.executable, ("--python-version", version, "--only-binary=:all:"))


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


def names_local_files(text: str) -> bool:
    """Whether a requirements file refers to other files here (their contents may change
    while the file stays the same)."""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        option = line.replace("=", " ").split(" ", 1)[0]
        if (
            line.startswith(LOCAL_STARTS)
            or line.startswith(SHORT_OPTIONS)
            or option in LONG_OPTIONS
        ):
            return True
    return False


@contextlib.contextmanager
def installed(project: Path, runtime: str, pip: Pip, cache: Path, log: TextIO) -> Iterator[Path]:
    """A folder holding what `project`'s requirements.txt names, installed for `runtime`."""
    requirements = project / REQUIREMENTS
    text = requirements.read_text(encoding="utf-8", errors="replace")
    # The project's folder is part of the key: pip runs there, and relative paths in the
    # file (`--find-links wheels`) name that folder's files.
    parts = [text, runtime, str(project.resolve()), *pip.command(Path(), Path())]
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    kept = cache / key
    cacheable = not names_local_files(text)
    if cacheable and kept.is_dir():
        log.write(f"{REQUIREMENTS}: installed for {runtime} already ({kept})\n")
        yield kept
        return
    log.write(f"{REQUIREMENTS}: installing for {runtime} with {pip.describe()}\n")
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{key[:16]}-", suffix=".partial", dir=cache))
    try:
        _run(pip.command(requirements.resolve(), scratch), project)
        if cacheable:
            scratch = _keep(scratch, kept)
        yield scratch
    finally:
        if not (cacheable and scratch == kept):
            shutil.rmtree(scratch, ignore_errors=True)


def _run(command: list[str], project: Path) -> None:
    # In the project folder, so relative paths in the file mean what they mean to the user.
    completed = subprocess.run(
        command, cwd=project, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip().splitlines()
        tail = "\n".join(output[-PIP_TAIL_LINES:])
        raise CommandError(
            f"pip could not install {REQUIREMENTS} (exit {completed.returncode}):\n{tail}"
        )


def _keep(scratch: Path, kept: Path) -> Path:
    """Move a finished install into the cache; a deploy that finished first wins."""
    try:
        scratch.rename(kept)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
    return kept
