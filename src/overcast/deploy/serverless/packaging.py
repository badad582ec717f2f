"""A service's packages built as `serverless package` builds them, into `.serverless/`.

- One zip for the service (`.serverless/<service>.zip`), or one per function
  (`.serverless/<function>.zip`) with `package.individually` (service-wide or per function);
  `package.artifact` (service-wide or per function) is a prebuilt zip used as it is.
- The files: every file under the service folder, then the framework's default excludes
  (`.git/**`, `.serverless/**`...), the config file, the layers' folders, `.env*` with
  `useDotenv`, then `package.patterns` in order, `!` excluding, a later pattern winning over an
  earlier one (lib/plugins/package/lib/package-service.js resolveFilePathsFromPatterns, matched
  as micromatch does, through wcmatch).
- Node.js: the project's own node_modules (dev dependencies with it) is replaced by its
  production dependencies installed with npm (the framework's excludeDevDependencies), and
  functions the framework would bundle are bundled with esbuild (bundling.py): a bundled
  package holds the bundles, plus what `package.patterns` includes by name.
- Python: the requirements installed with pip for the function's runtime and architecture, or
  into a layer of their own (python_requirements.py, serverless-python-requirements).
- `layers:`: each layer's `path` zipped with its own patterns, or its `package.artifact`.

Handlers are checked (deploy/builds/handlers.py) before anything is deployed. Zips are
deterministic: an unchanged function keeps its CodeSha256.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any, TextIO

from wcmatch import glob

from overcast.deploy.builds import esbuild, handlers, node
from overcast.deploy.builds.pip import PythonInstaller
from overcast.deploy.builds.zips import SKIPPED_DIRS, tree_files, zip_files
from overcast.deploy.serverless import bundling, python_requirements
from overcast.deploy.serverless import plugins as plugin_list
from overcast.deploy.serverless.model import Artifacts, Service, TranslationError

OUTPUT = ".serverless"
DEFAULT_RUNTIME = "nodejs20.x"  # package-service.js getRuntime
# package-service.js defaultExcludes, and the config files (resolveServerlessConfigFileExcludes)
DEFAULT_EXCLUDES = (
    ".git/**", ".gitignore", ".DS_Store", "npm-debug.log", "yarn-*.log", ".serverless/**",
    ".serverless_plugins/**", "serverless.yml", "serverless.yaml", "serverless.json",
)  # fmt: skip
GLOB_FLAGS = glob.GLOBSTAR | glob.DOTGLOB | glob.BRACE | glob.EXTGLOB
NOT_WALKED = {*SKIPPED_DIRS, ".git", OUTPUT}  # never packaged (the defaults exclude them)


def package(
    service: Service, log: TextIO, installer: PythonInstaller, out: Path | None = None
) -> Artifacts:
    """Build every function's and layer's package into `out` (default `<root>/.serverless`).

    `installer` installs Python requirements (PythonInstaller(endpoint, log): it asks the
    server at `endpoint` which interpreter runs each Python runtime). Raises TranslationError
    for a wrong setting, BuildError (a CommandError) for a build that fails."""
    return _Packager(service, log, installer, out or service.root / OUTPUT).run()


class _Packager:
    def __init__(self, service: Service, log: TextIO, installer: PythonInstaller, out: Path):
        self.service, self.log, self.installer, self.out = service, log, installer, out
        self.root = service.root
        self.config = service.config.get("package") or {}
        plugins = plugin_list.of(service).names
        self.python_plugin = python_requirements.PLUGIN in plugins
        custom = service.config.get("custom") or {}
        self.python = (
            python_requirements.Options.of(custom, log)
            if self.python_plugin
            else python_requirements.Options()
        )
        self.requirements = python_requirements.requirements_of(
            self.root, self.python_plugin, self.python
        )
        self.esbuild_settings = bundling.settings(service, plugins)
        self.layers = service.config.get("layers") or {}

    def run(self) -> Artifacts:
        self.out.mkdir(parents=True, exist_ok=True)
        artifacts = Artifacts()
        for key, layer in self.layers.items():
            artifacts.layers[key] = self._layer(key, layer if isinstance(layer, dict) else {})
        if self.python.layer and self.requirements is not None:
            artifacts.requirements_layer = self._requirements_layer()
        shared: list[str] = []
        for key, function in self.service.functions.items():
            if function.get("image"):
                raise TranslationError(
                    f"functions.{key}.image: container images are not supported by Overcast "
                    "(package the function as code: handler + runtime)"
                )
            own = function.get("package") or {}
            if own.get("artifact"):
                artifacts.functions[key] = self._prebuilt(own["artifact"], f"functions.{key}")
            elif self.config.get("individually") or own.get("individually"):
                artifacts.functions[key] = self._build(key, [key])
            elif self.config.get("artifact"):
                artifacts.functions[key] = self._prebuilt(self.config["artifact"], "package")
            else:
                shared.append(key)
        if shared:
            built = self._build(self.service.name, shared)
            artifacts.functions.update(dict.fromkeys(shared, built))
        return artifacts

    def _prebuilt(self, given: object, where: str) -> Path:
        path = (self.root / str(given)).resolve()
        if not path.is_file():
            raise TranslationError(f"{where}.package.artifact: no such file: {given}")
        return path

    def _runtime(self, key: str) -> str:
        return str(
            self.service.functions[key].get("runtime")
            or self.service.provider.get("runtime")
            or DEFAULT_RUNTIME
        )

    def _architecture(self, key: str | None = None) -> str:
        function = self.service.functions.get(key, {}) if key else {}
        return str(
            function.get("architecture") or self.service.provider.get("architecture") or "x86_64"
        )

    def _patterns(self, keys: list[str]) -> list[str]:
        patterns = [*_listed(self.config, "package")]
        if len(keys) == 1 and (self.config.get("individually") or self._own(keys[0])):
            patterns += _listed(self._own(keys[0]), f"functions.{keys[0]}.package")
        return patterns

    def _own(self, key: str) -> dict[str, Any]:
        return self.service.functions[key].get("package") or {}

    def _excludes(self) -> list[str]:
        excludes = list(DEFAULT_EXCLUDES)
        for layer in self.layers.values():
            if isinstance(layer, dict) and layer.get("path"):
                excludes.append(f"{str(layer['path']).strip('/')}/**")
        if self.service.config.get("useDotenv"):
            excludes.append(".env*")
        return excludes

    def _build(self, name: str, keys: list[str]) -> Path:
        bundled = [
            key
            for key in keys
            if bundling.bundled(self.service, key, self._runtime(key), self.esbuild_settings)
        ]
        plain = [key for key in keys if key not in bundled]
        patterns = self._patterns(keys)
        with contextlib.ExitStack() as stack:
            files: dict[str, Path] = {}
            if plain:
                files.update(self._plain_files(plain, patterns, stack))
            else:  # a bundled package: the bundles, plus the files patterns name
                named = [pattern for pattern in patterns if not pattern.startswith("!")]
                if named:
                    files.update(select(self.root, self._excludes(), named, named_only=True))
            if bundled:
                files.update(self._bundles(bundled, stack))
            path = self.out / f"{name}.zip"
            path.write_bytes(zip_files(files))
        self.log.write(f"packaged {', '.join(keys)}: {path} ({len(files)} files)\n")
        return path

    def _plain_files(
        self, keys: list[str], patterns: list[str], stack: contextlib.ExitStack
    ) -> dict[str, Path]:
        runtimes = {key: self._runtime(key) for key in keys}
        manifest = (self.root / node.MANIFEST).is_file()
        files = select(self.root, self._excludes(), patterns, skip_node_modules=manifest)
        for key, runtime in runtimes.items():
            if not runtime.startswith("python"):  # Python's: once its files are all known
                self._check(key, runtime)
        if manifest and any(r.startswith("nodejs") for r in runtimes.values()):
            if node.has_dependencies(self.root):
                built = stack.enter_context(node.installed(self.root, self.log))
                files.update(tree_files(built, skipped=()))
        python = [key for key, runtime in runtimes.items() if runtime.startswith("python")]
        if python and self.requirements is not None and not self.python.layer:
            if not self.python_plugin:
                self.log.write(
                    f"note: {self.requirements.source} is installed into the package although "
                    f"{python_requirements.PLUGIN} is not in plugins\n"
                )
            installed = python_requirements.installed_files(
                self.requirements, runtimes[python[0]], self._architecture(python[0]),
                self.installer, self.python,
            )  # fmt: skip
            # The project's own files win over a dependency's of the same name.
            files = {**stack.enter_context(installed), **files}
        for key in python:
            self._check(key, runtimes[key], files)
        return files

    def _check(self, key: str, runtime: str, files: dict[str, Path] | None = None) -> None:
        """The function's handler; a Python one's imports against the package's `files` too,
        unless the function has layers (what they hold is not known here)."""
        handler = self.service.functions[key].get("handler")
        if not isinstance(handler, str):
            raise TranslationError(f"functions.{key}.handler: required")
        # A handler may live in one of the service's layers (`/opt/python` on Lambda).
        elsewhere = [
            self.root / str(layer["path"]) / "python"
            for layer in self.layers.values()
            if isinstance(layer, dict) and layer.get("path")
        ]
        if runtime.startswith("python"):
            layered = self.service.functions[key].get("layers") or self.service.provider.get(
                "layers"
            )
            packaged = None if layered or files is None else handlers.package_names(files)
            handlers.check_python(self.root, handler, runtime, elsewhere, packaged)
        elif runtime.startswith("nodejs"):
            handlers.check_node(self.root, handler)

    def _bundles(self, keys: list[str], stack: contextlib.ExitStack) -> dict[str, Path]:
        files: dict[str, Path] = {}
        binary = esbuild.find([self.root])
        by_runtime: dict[str, list[str]] = {}
        for key in keys:
            by_runtime.setdefault(self._runtime(key), []).append(key)
        for runtime, group in by_runtime.items():
            outdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="overcast-")))
            options = self.esbuild_settings or {}
            esbuild.bundle(
                binary, bundling.plan(self.service, group, runtime, options, outdir), self.root
            )
            for key in group:
                handlers.check_node(outdir, self.service.functions[key]["handler"])
            files.update(tree_files(outdir))
        return files

    def _layer(self, key: str, layer: dict[str, Any]) -> Path:
        own = layer.get("package") or {}
        if own.get("artifact"):
            return self._prebuilt(own["artifact"], f"layers.{key}")
        if not layer.get("path"):
            raise TranslationError(f"layers.{key}.path: required (or package.artifact)")
        folder = (self.root / str(layer["path"])).resolve()
        if not folder.is_dir():
            raise TranslationError(f"layers.{key}.path: no such folder: {layer['path']}")
        patterns = [*_listed(self.config, "package"), *_listed(own, f"layers.{key}.package")]
        files = select(folder, DEFAULT_EXCLUDES, patterns)
        path = self.out / f"{key}.zip"
        path.write_bytes(zip_files(files))
        return path

    def _requirements_layer(self) -> Path:
        runtime = str(self.service.provider.get("runtime") or "python3.12")
        assert self.requirements is not None
        with python_requirements.installed_files(
            self.requirements, runtime, self._architecture(), self.installer, self.python
        ) as files:
            path = self.out / "pythonRequirements.zip"
            path.write_bytes(zip_files({f"python/{name}": file for name, file in files.items()}))
        return path


def _listed(config: dict[str, Any], where: str) -> list[str]:
    """`patterns`, with the old `exclude` (as `!` patterns) and `include` before them."""
    patterns = [f"!{item}" for item in config.get("exclude") or []]
    patterns += [str(item) for item in config.get("include") or []]
    given = config.get("patterns") or []
    if not isinstance(given, list):
        raise TranslationError(f"{where}.patterns: expected a list of globs")
    return patterns + [str(item) for item in given]


def select(
    root: Path,
    excludes: tuple[str, ...] | list[str],
    patterns: list[str],
    skip_node_modules: bool = False,
    named_only: bool = False,
) -> dict[str, Path]:
    """The files under `root` the framework packages: all of them (`named_only`: none), minus
    `excludes`, then each of `patterns` in order, `!` excluding, the last match winning."""
    skipped = NOT_WALKED | ({"node_modules"} if skip_node_modules else set())
    found = dict(tree_files(root, skipped))
    state = dict.fromkeys(found, not named_only)
    ordered = [f"!{pattern}" for pattern in excludes] + patterns
    for pattern in ordered:
        keep = not pattern.startswith("!")
        matcher = glob.compile(pattern.removeprefix("!"), flags=GLOB_FLAGS)
        for name in found:
            if matcher.match(name):
                state[name] = keep
    return {name: found[name] for name, kept in state.items() if kept}
