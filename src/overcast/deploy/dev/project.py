"""What `overcast dev` needs of a project, whatever kind it is (a SAM template, a
serverless.yml): deploy it whole, say which files are its configuration, and list its deployed
functions with the files each is built from and a way to build it again.

A change to a configuration file means a full deploy; a change to a function's files means
only that function's code is rebuilt and sent with UpdateFunctionCode, as
`sam sync --code --watch` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class WatchedFunction:
    """One deployed function and what its package is made of."""

    key: str  # how the project names it: a template's logical id, a serverless.yml key
    physical_name: str  # the deployed function's name, for UpdateFunctionCode and its logs
    source_root: Path  # the folder its package is built from
    # Its deployment package, built again from the files. Functions deployed from one package
    # (serverless.yml's service-wide zip) share one callable: it runs once per save.
    rebuild: Callable[[], bytes]
    # The files the package is built from when the build knows them (a bundler's inputs);
    # None: every file under source_root.
    files: frozenset[Path] | None = None

    def depends_on(self, path: Path) -> bool:
        if self.files is not None:
            return path in self.files
        return path == self.source_root or self.source_root in path.parents


class DevProject(Protocol):
    """A project `overcast dev` keeps deployed."""

    @property
    def root(self) -> Path:
        """The project's folder (watched, with every function's source_root)."""

    @property
    def stack_name(self) -> str: ...

    def config_paths(self) -> frozenset[Path]:
        """The files (and folders) whose change calls for a full deploy: the template, what
        it reads, layers' folders."""

    def deploy(self) -> None:
        """Build and deploy the whole project, as `overcast deploy` does; raises on failure."""

    def functions(self) -> list[WatchedFunction]:
        """The deployed functions, as the last deploy left them."""

    def remove(self) -> None:
        """Delete the deployed stack (`--ephemeral`)."""
