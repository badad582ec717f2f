"""A Node.js function's `package.json` dependencies installed with npm, as `sam build`'s
Node.js builder and the Serverless Framework's packaging leave them: production dependencies
only (`npm ci --omit=dev` where a package-lock.json pins them, else `npm install --omit=dev`),
in a scratch folder holding a copy of the manifests (the user's own node_modules holds dev
dependencies and is not touched; the package takes the scratch folder's node_modules instead)."""

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
# What npm reads to install: the manifests, and the registry settings a project may keep.
NPM_FILES = (MANIFEST, LOCKFILE, "npm-shrinkwrap.json", ".npmrc")


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
    """A scratch folder whose only entry is `node_modules`: `folder`'s production
    dependencies. A `file:` dependency is resolved from `folder` (npm is given its path)."""
    command = npm_command(folder)
    scratch = Path(tempfile.mkdtemp(prefix="overcast-npm-"))
    try:
        work = scratch / "work"
        work.mkdir()
        for name in NPM_FILES:
            if (folder / name).is_file():
                shutil.copyfile(folder / name, work / name)
        _anchor_local_dependencies(work / MANIFEST, folder)
        log.write(f"{MANIFEST}: npm {command[1]} --omit=dev in {folder}\n")
        run(command, work, f"npm {command[1]} failed in {folder}")
        built = scratch / "built"
        built.mkdir()
        if (work / "node_modules").is_dir():
            (work / "node_modules").rename(built / "node_modules")
        yield built
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _anchor_local_dependencies(manifest_copy: Path, folder: Path) -> None:
    """`file:../lib` means a folder beside the user's project, not beside the copy."""
    declared = json.loads(manifest_copy.read_text(encoding="utf-8"))
    dependencies = declared.get("dependencies") or {}
    changed = False
    for name, spec in dependencies.items():
        if isinstance(spec, str) and spec.startswith("file:"):
            local = Path(spec.removeprefix("file:"))
            if not local.is_absolute():
                dependencies[name] = f"file:{(folder / local).resolve()}"
                changed = True
    if changed:
        manifest_copy.write_text(json.dumps(declared), encoding="utf-8")


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
