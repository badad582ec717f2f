"""Deployment packages with dependencies from PyPI, built the way Lambda's docs say to build
them: `pip install --target <dir> <requirements>`, then the app's files zipped beside them.

The dependencies are installed with the interpreter the test server runs the function's runtime
on, read from the same settings `overcast server` reads, so compiled wheels (pydantic-core)
match the Python that imports them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from overcast.config import Settings
from support import make_zip

# What `pip install --target` writes that is no part of an importable package.
LEFT_OUT = {"bin", "__pycache__"}


class InstallFailed(Exception):
    """Raised when pip cannot install the requirements (most often: PyPI is out of reach)."""


def runtime_interpreter(runtime: str) -> str:
    """The interpreter a server started without `--python` runs `runtime` on."""
    settings = Settings().with_interpreter_overrides(os.environ.get("OVERCAST_PYTHON"))
    return settings.interpreters[runtime]


def install(requirements: list[str], target: Path, interpreter: str) -> None:
    """`pip install --target` the requirements; pip's own cache keeps a second run fast."""
    command = [interpreter, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-input", "--target", str(target), *requirements]
    installed = subprocess.run(command, capture_output=True, text=True)
    if installed.returncode != 0:
        raise InstallFailed(installed.stderr.strip()[-500:] or f"pip exited {installed.returncode}")


def package_with(site: Path, files: dict[str, str | bytes]) -> bytes:
    """A zip of everything installed under `site`, with `files` (the app) at its root."""
    content: dict[str, str | bytes] = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if path.is_file() and not LEFT_OUT.intersection(relative.parts):
            content[relative.as_posix()] = path.read_bytes()
    return make_zip({**content, **files})
