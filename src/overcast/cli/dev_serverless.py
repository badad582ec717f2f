"""A serverless.yml project as a `DevProject`: deployed by `overcast deploy`'s own path
(cli/serverless_deploy.run), its functions' packages rebuilt by the same packaging
(deploy/serverless/packaging.py).

Functions deployed from one package (the framework's default: one zip for the whole service)
share one `rebuild`, so a save rebuilds that zip once and sends it to each of them; with
`package.individually` each function's zip is its own.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from pathlib import Path

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.deploy.dev.project import WatchedFunction
from overcast.deploy.serverless.model import Artifacts, Service, TranslationError


class ServerlessProject:
    """The serverless.yml in `root`, deployed as `overcast deploy` would with `args` (stage,
    region, param)."""

    def __init__(self, root: Path, args: argparse.Namespace, ctx: CliContext) -> None:
        self._root = root.resolve()
        self.args = args
        self.ctx = ctx
        self._service: Service | None = None

    @property
    def root(self) -> Path:
        return self._root

    @property
    def stack_name(self) -> str:
        return self._loaded().stack_name

    def config_paths(self) -> frozenset[Path]:
        """The project file and the layers' folders: a change to them is a change to the stack
        (a `${file(...)}` the project reads is not followed: save serverless.yml to redeploy)."""
        from overcast.cli.serverless_service import find

        service = self._loaded()
        paths = {find(self.root).resolve()}
        for layer in (service.config.get("layers") or {}).values():
            if isinstance(layer, dict) and isinstance(layer.get("path"), str):
                paths.add((self.root / layer["path"]).resolve())
        return frozenset(paths)

    def deploy(self) -> None:
        from overcast.cli import serverless_deploy

        self._service = None  # the file may have changed: read it again
        serverless_deploy.run(self.root, self.args, self.ctx)

    def functions(self) -> list[WatchedFunction]:
        service = self._loaded()
        packages = self._package(service).functions
        rebuilds: dict[Path, Callable[[], bytes]] = {}
        found = []
        for key in service.functions:
            package = packages[key]
            if package not in rebuilds:
                rebuilds[package] = self._rebuilder(key)
            found.append(
                WatchedFunction(
                    key=key,
                    physical_name=service.function_name(key),
                    source_root=self.root,
                    rebuild=rebuilds[package],
                )
            )
        return found

    def remove(self) -> None:
        from overcast.cli import stack_view

        stack_view.delete_and_wait(self.ctx.client("cloudformation"), self.stack_name, self.ctx)

    def _loaded(self) -> Service:
        from overcast.cli import serverless_service

        if self._service is None:
            self._service, _ = serverless_service.load(self.args, self.ctx, self.root)
        return self._service

    def _package(self, service: Service) -> Artifacts:
        from overcast.deploy.builds.pip import PythonInstaller
        from overcast.deploy.serverless import packaging

        log = io.StringIO()  # packaging's progress lines: dev prints its own
        try:
            return packaging.package(service, log, PythonInstaller(self.ctx.endpoint, log))
        except TranslationError as error:
            raise CommandError(str(error)) from None

    def _rebuilder(self, key: str) -> Callable[[], bytes]:
        def rebuild() -> bytes:
            return self._package(self._loaded()).functions[key].read_bytes()

        return rebuild
