"""serverless-python-requirements, built in: a Python service's dependencies installed into
its packages, or into a layer of their own.

Read from `custom.pythonRequirements` as the plugin reads it (lib/index.js defaults):
`fileName` (requirements.txt), `usePoetry` / `usePipenv` (true: a Poetry pyproject.toml, then a
Pipfile, come before requirements.txt), `layer` (true or the layer's settings: the requirements
go to `.serverless/pythonRequirements.zip` under `python/`, not into the functions' packages),
`slim` with `slimPatterns` / `slimPatternsAppendDefaults` (lib/slim.js: bytecode, __pycache__
and dist-info left out). `dockerizePip` and `zip` are accepted and not acted on (pip runs here,
for the function's platform; the requirements are never zipped inside the zip).

Without the plugin listed, a requirements.txt beside serverless.yml is still installed (the
framework would deploy without it and fail at import; the issue asks for the same builds as SAM):
a note says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from wcmatch import glob

from overcast.deploy.builds.pip import PythonInstaller
from overcast.deploy.builds.requirements import REQUIREMENTS, Requirements, of_folder
from overcast.deploy.builds.zips import tree_files
from overcast.deploy.serverless.model import TranslationError

PLUGIN = "serverless-python-requirements"
# lib/slim.js getSlimPackageDefaults
SLIM_DEFAULTS = ("**/*.py[c|o]", "**/__pycache__*", "**/*.dist-info*")
GLOB_FLAGS = glob.GLOBSTAR | glob.DOTGLOB | glob.BRACE | glob.EXTGLOB
IGNORED = {
    "dockerizePip": "pip runs on this machine, for the function's platform",
    "zip": "the requirements go into the package unzipped",
}


@dataclass(frozen=True)
class Options:
    """custom.pythonRequirements, with the plugin's defaults."""

    file_name: str = REQUIREMENTS
    use_poetry: bool = True
    use_pipenv: bool = True
    layer: bool = False
    slim: bool = False
    slim_patterns: tuple[str, ...] = ()

    @classmethod
    def of(cls, service_custom: dict[str, Any], log: TextIO) -> Options:
        given = service_custom.get("pythonRequirements") or {}
        if not isinstance(given, dict):
            raise TranslationError("custom.pythonRequirements: expected a mapping")
        for key, reason in IGNORED.items():
            if given.get(key):
                log.write(f"note: custom.pythonRequirements.{key} is ignored: {reason}\n")
        patterns = tuple(given.get("slimPatterns") or ())
        if given.get("slimPatternsAppendDefaults", True):
            patterns = SLIM_DEFAULTS + patterns
        return cls(
            file_name=str(given.get("fileName") or REQUIREMENTS),
            use_poetry=given.get("usePoetry", True) is not False,
            use_pipenv=given.get("usePipenv", True) is not False,
            layer=bool(given.get("layer")),
            slim=bool(given.get("slim")),
            slim_patterns=patterns,
        )


def requirements_of(root: Path, plugin_on: bool, options: Options) -> Requirements | None:
    """What the service's Python functions need installed (None: nothing)."""
    if not plugin_on:
        return of_folder(root)
    if options.file_name != REQUIREMENTS and (root / options.file_name).is_file():
        text = (root / options.file_name).read_text(encoding="utf-8", errors="replace")
        return Requirements(text, root, options.file_name)
    return of_folder(root, poetry=options.use_poetry, pipenv=options.use_pipenv)


@contextlib.contextmanager
def installed_files(
    requirements: Requirements,
    runtime: str,
    architecture: str,
    installer: PythonInstaller,
    options: Options,
) -> Iterator[dict[str, Path]]:
    """The installed requirements' files (name in the package -> file), slimmed if asked."""
    with installer.installed(requirements, runtime, architecture) as folder:
        files = dict(tree_files(folder, skipped=()))
        if options.slim:
            files = {
                name: path
                for name, path in files.items()
                if not any(_slimmed(name, pattern) for pattern in options.slim_patterns)
            }
        yield files


def _slimmed(name: str, pattern: str) -> bool:
    # The plugin deletes what its globs match, folders included: a file under a matched
    # folder (`x.dist-info/RECORD`) goes with it.
    parts = name.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(glob.globmatch(prefix, pattern, flags=GLOB_FLAGS) for prefix in prefixes)
