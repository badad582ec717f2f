"""Node.js code bundled with esbuild, as `sam build` (`BuildMethod: esbuild`) and the
Serverless Framework (v4's built-in `build.esbuild`, serverless-esbuild, and Overcast's stand-in
for serverless-plugin-typescript: TypeScript transpiled and bundled the same way) do.

`@aws-sdk/*` is always external: Lambda's Node.js 18+ runtimes provide SDK v3 (Overcast's
runtime too, runtimes/node_sdk.py), and both tools leave it out by default for them.

esbuild itself is the project's own (`node_modules/.bin/esbuild`) when it has one, else a pinned
copy installed once with npm into the cache folder (`overcast node-sdk install` does it ahead of
time; a deploy that needs it first installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from overcast.deploy.builds import node
from overcast.deploy.builds.errors import BuildError
from overcast.runtimes.node_sdk import default_cache

VERSION = "0.28.2"  # the pinned esbuild
SDK_EXTERNAL = "@aws-sdk/*"
ERROR_LIMIT = 5  # errors shown of a failed bundle
# esbuild's message: "✘ [ERROR] text" then, after a blank line, "    file:line:col:".
ERROR = re.compile(r"\[ERROR\] (?P<text>.+?)\n\n\s+(?P<where>[^\s].*?:\d+:\d+):", re.S)


@dataclass(frozen=True)
class PinnedEsbuild:
    """The pinned esbuild's place in the cache folder, and its installation there."""

    cache: Path
    version: str = VERSION

    @classmethod
    def default(cls) -> PinnedEsbuild:
        return cls(default_cache())

    @property
    def root(self) -> Path:
        return self.cache / "esbuild" / self.version

    @property
    def binary(self) -> Path:
        return self.root / "node_modules" / ".bin" / "esbuild"

    def installed(self) -> bool:
        return self.binary.exists()

    def install(self) -> Path:
        """`npm install esbuild@VERSION` into a scratch folder renamed into place (a reader
        never sees half of it; two installs at once both end well)."""
        if self.installed():
            return self.binary
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError("esbuild is needed to bundle, and npm is not on PATH to install it")
        self.root.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{self.version}-", dir=self.root.parent))
        try:
            (work / "package.json").write_text('{"private": true}\n')
            command = [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"]
            node.run([*command, f"esbuild@{self.version}"], work, "npm could not install esbuild")
            try:
                os.rename(work, self.root)
            except OSError:
                if not self.installed():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return self.binary


def find(folders: Iterable[Path], pinned: PinnedEsbuild | None = None) -> str:
    """The project's own esbuild (in the first of `folders` whose node_modules has one), else
    the pinned one, installed now if it is not yet."""
    for folder in folders:
        own = folder / "node_modules" / ".bin" / "esbuild"
        if own.exists():
            return str(own)
    return str((pinned or PinnedEsbuild.default()).install())


@dataclass(frozen=True)
class Bundle:
    """What one esbuild run makes: `entries` bundled into `outdir`, one file each, at the path
    each entry has under `outbase` (esbuild's default: their common folder)."""

    entries: Sequence[Path]
    outdir: Path
    outbase: Path | None = None
    target: str = "node20"
    format: str = "cjs"  # or esm
    minify: bool = False
    sourcemap: bool = False
    external: Sequence[str] = ()
    loader: Sequence[str] = ()  # ".png=file"
    main_fields: str | None = None  # "main,module"
    out_extension: str = ".js"
    options: Sequence[str] = field(default=())  # any other esbuild flags, as given

    def command(self, esbuild: str) -> list[str]:
        command = [esbuild, *(str(entry) for entry in self.entries)]
        command += ["--bundle", "--platform=node", f"--target={self.target}"]
        command += [f"--format={self.format}", f"--outdir={self.outdir}"]
        command += ["--log-level=error", "--color=false"]
        if self.outbase is not None:
            command.append(f"--outbase={self.outbase}")
        if self.out_extension != ".js":
            command.append(f"--out-extension:.js={self.out_extension}")
        if self.minify:
            command.append("--minify")
        if self.sourcemap:
            command.append("--sourcemap")
        if self.main_fields:
            command.append(f"--main-fields={self.main_fields}")
        externals = dict.fromkeys([SDK_EXTERNAL, *self.external])
        command += [f"--external:{name}" for name in externals]
        command += [f"--loader:{rule}" for rule in self.loader]
        return [*command, *self.options]


def bundle(esbuild: str, plan: Bundle, cwd: Path) -> None:
    """Run esbuild; its errors become one BuildError naming each file:line:column."""
    import subprocess

    try:
        done = subprocess.run(
            plan.command(esbuild), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
            text=True,
        )  # fmt: skip
    except OSError as error:
        raise BuildError(f"esbuild could not run ({esbuild}): {error}") from None
    if done.returncode != 0:
        raise BuildError(describe_failure(done.stderr or done.stdout, cwd))


def describe_failure(output: str, cwd: Path) -> str:
    """esbuild's errors as `file:line:col: message` lines (its own text when it has none)."""
    found = [f"{m['where']}: {m['text'].strip()}" for m in ERROR.finditer(output)]
    if not found:
        tail = "\n".join(output.strip().splitlines()[-node.NPM_TAIL_LINES :])
        return f"esbuild failed in {cwd}:\n{tail}"
    more = len(found) - ERROR_LIMIT
    lines = found[:ERROR_LIMIT] + ([f"... and {more} more"] if more > 0 else [])
    hint = ""
    if any("Could not resolve" in line for line in found):
        hint = f"\n(are the project's dependencies installed? run npm install in {cwd})"
    return f"esbuild could not bundle ({cwd}):\n" + "\n".join(lines) + hint


def node_target(runtime: str | None) -> str:
    """`nodejs20.x` -> `node20` (what the runtime's Node.js understands)."""
    digits = re.match(r"nodejs(\d+)", runtime or "")
    return f"node{digits.group(1)}" if digits else "node20"
