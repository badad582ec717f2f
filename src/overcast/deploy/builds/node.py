"""A Node.js function's `package.json` dependencies installed with npm, as `sam build`'s
Node.js builder and the Serverless Framework's packaging leave them: production dependencies
only (`npm ci --omit=dev` where a package-lock.json pins them, else `npm install --omit=dev`),
in a copy of the folder (the user's own node_modules holds dev dependencies and this machine's
builds, and is not touched)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from overcast.deploy.builds.errors import BuildError

NPM_TAIL_LINES = 15
MANIFEST = "package.json"
LOCKFILE = "package-lock.json"


def manifest(folder: Path) -> dict:
    """The folder's package.json ({} when it has none)."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        declared = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BuildError(f"{path}: not JSON: {error}") from None
    return declared if isinstance(declared, dict) else {}


def has_dependencies(folder: Path) -> bool:
    return bool(manifest(folder).get("dependencies"))


def npm_command(folder: Path) -> list[str]:
    """`npm ci` where a lockfile pins the tree (what CI and `sam build` use), else install."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(f"{folder / MANIFEST} names dependencies, but npm is not on PATH")
    quiet = ["--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"]
    if (folder / LOCKFILE).is_file():
        return [npm, "ci", *quiet]
    return [npm, "install", *quiet, "--no-package-lock"]


@contextlib.contextmanager
def installed(folder: Path, log: TextIO) -> Iterator[Path]:
    """A copy of `folder` with its production dependencies installed in node_modules."""
    command = npm_command(folder)
    scratch = Path(tempfile.mkdtemp(prefix="overcast-npm-"))
    try:
        built = scratch / "package"
        shutil.copytree(folder, built, ignore=shutil.ignore_patterns("node_modules", ".git"))
        log.write(f"{MANIFEST}: {' '.join(command[1:3])} in {folder}\n")
        run(command, built, f"npm {command[1]} failed in {folder}")
        yield built
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(
    command: list[str], where: Path, failure: str, env: Mapping[str, str] | None = None
) -> None:
    """Run a tool (with `env` added to this environment); its failure is a BuildError with
    its last lines."""
    environment = {**os.environ, **env} if env else None
    try:
        done = subprocess.run(
            command, cwd=where, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env=environment,
        )  # fmt: skip
    except OSError as error:
        raise BuildError(f"{failure}: {error}") from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-NPM_TAIL_LINES:])
        raise BuildError(f"{failure} (exit {done.returncode}):\n{tail}")
