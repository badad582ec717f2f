"""A SAM template's function built as `sam build` builds it (no Docker), into the bytes of its
deployment package:

- `Metadata: BuildMethod: makefile`: the user's Makefile (makefile.py);
- `BuildMethod: esbuild`: the handler (or `BuildProperties.EntryPoints`) bundled, with SAM's
  BuildProperties and the SAM CLI's defaults (aws-lambda-builders' esbuild.py: Minify true,
  Target es2020, Format cjs; Sourcemap, External, Loader, MainFields, OutExtension as given)
  (esbuild.py). As `sam build` does, a handler whose file is not where the bundle put it is
  rewritten to the bundle's (`src/app.handler` -> `app.handler`: esbuild writes a lone entry
  point at the package's root), and Sourcemap adds `--enable-source-maps` to NODE_OPTIONS
  (samcli/lib/build/bundler.py);
- a Node.js runtime: package.json's production dependencies installed with npm (node.py);
- a Python runtime: requirements.txt installed with pip (pip.py);
- anything else: the folder as it is.

The handler is checked (handlers.py) in what will be deployed, before anything is uploaded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from overcast.deploy.builds import esbuild, handlers, makefile, node
from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.zips import SKIPPED_DIRS, tree_files, zip_directory, zip_files

# (code folder, runtime, architecture) -> a folder of installed dependencies, or None
Installer = Callable[[Path, str | None, str], contextlib.AbstractContextManager[Path | None]]
SAM_TARGET = "es2020"  # aws-lambda-builders' default esbuild --target


@dataclass(frozen=True)
class Built:
    """A function's package, and what the build changes in its properties (as `sam build`
    rewrites the built template)."""

    data: bytes
    handler: str | None = None  # the Handler to deploy with, where the bundle moved it
    source_maps: bool = False  # NODE_OPTIONS gets --enable-source-maps


def build_function(
    name: str,
    folder: Path,
    properties: dict[str, Any],
    metadata: dict[str, Any],
    installer: Installer,
    log: TextIO,
) -> Built:
    """The package of the function resource `name`, whose code is `folder` (`properties` with
    Globals' Function values merged under them)."""
    if not folder.exists():
        raise BuildError(f"{folder}: no such file or directory")
    if folder.is_file():
        return Built(folder.read_bytes())  # a prebuilt .zip goes as it is
    runtime = _text(properties.get("Runtime"))
    handler = _text(properties.get("Handler"))
    architecture = (properties.get("Architectures") or ["x86_64"])[0]
    method = metadata.get("BuildMethod")
    if method == "makefile":
        with makefile.built(folder, name, log) as built:
            return Built(zip_directory(built))
    if method == "esbuild":
        return _bundled(name, folder, handler, runtime, metadata.get("BuildProperties") or {})
    if runtime and runtime.startswith("nodejs"):
        _check(folder, handler, runtime)
        if node.has_dependencies(folder):
            with node.installed(folder, log) as built:
                # The user's own node_modules (dev dependencies, this machine's builds) is
                # replaced by the production install, as `sam build` leaves it.
                files = dict(tree_files(built))
                files.update(tree_files(folder, {*SKIPPED_DIRS, "node_modules"}))
                return Built(zip_files(files))
        return Built(zip_directory(folder))
    with installer(folder, runtime, architecture) as dependencies:
        _check(folder, handler, runtime, dependencies, layered=bool(properties.get("Layers")))
        return Built(zip_directory(folder, dependencies))


def _check(
    folder: Path,
    handler: str | None,
    runtime: str | None,
    deps: Path | None = None,
    layered: bool = True,
) -> None:
    """The handler checked in its package; a Python handler's imports too, unless the function
    has layers (what they hold is not known here)."""
    if handler is None or runtime is None:
        return
    if runtime.startswith("python"):
        packaged = None
        if not layered:
            listed = [*os.listdir(folder), *(os.listdir(deps) if deps else [])]
            packaged = handlers.package_names(listed)
        handlers.check_python(folder, handler, runtime, [deps] if deps else [], packaged)
    elif runtime.startswith("nodejs"):
        handlers.check_node(folder, handler)


def _bundled(
    name: str, folder: Path, handler: str | None, runtime: str | None, props: dict[str, Any]
) -> Built:
    entries = props.get("EntryPoints")
    if entries:
        paths = [folder / entry for entry in _list(entries, f"{name}: EntryPoints")]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise BuildError(f"{name}: EntryPoints: no such file: {', '.join(missing)}")
    elif handler:
        paths = [handlers.source_of(folder, handler)]
    else:
        raise BuildError(f"{name}: BuildMethod esbuild needs a Handler or EntryPoints")
    out_extension = (props.get("OutExtension") or [".js=.js"])[0].partition("=")[2] or ".js"
    scratch = Path(tempfile.mkdtemp(prefix="overcast-esbuild-"))
    try:
        plan = esbuild.Bundle(
            entries=paths,
            outdir=scratch,
            target=str(props.get("Target") or SAM_TARGET),
            format=str(props.get("Format") or "cjs"),
            minify=_flag(props.get("Minify"), default=True),  # SAM's default
            sourcemap=_flag(props.get("Sourcemap"), default=False),
            external=_list(props.get("External") or [], f"{name}: External"),
            loader=_list(props.get("Loader") or [], f"{name}: Loader"),
            main_fields=_main_fields(props.get("MainFields")),
            out_extension=out_extension,
        )
        esbuild.bundle(esbuild.find([folder]), plan, folder)
        moved = None
        if handler:
            moved = _bundled_handler(scratch, handler)
        return Built(zip_directory(scratch), moved, plan.sourcemap)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _bundled_handler(bundle: Path, handler: str) -> str | None:
    """None where the handler names its bundle already, else the bundle's own handler (its
    file name at the package's root), as samcli's bundler rewrites it."""
    try:
        handlers.check_node(bundle, handler)
        return None
    except BuildError:
        moved = handler.rsplit("/", 1)[-1]
        if moved == handler:
            raise
        handlers.check_node(bundle, moved)
        return moved


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _flag(value: object, default: bool) -> bool:
    if value is None:
        return default
    return value is True or str(value).lower() == "true"


def _list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BuildError(f"{where}: expected a list of strings")
    return value


def _main_fields(value: object) -> str | None:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value) if value else None  # esbuild's own default for node: main,module
