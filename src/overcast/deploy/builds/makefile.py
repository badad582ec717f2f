"""SAM's `BuildMethod: makefile`: the user's own Makefile builds the function, as `sam build`
runs it: `make -f Makefile build-<LogicalId>` in a copy of the code folder, with ARTIFACTS_DIR
naming an empty folder whose contents become the package (the SAM CLI's custom make builder)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from overcast.deploy.builds import node
from overcast.deploy.builds.errors import BuildError


@contextlib.contextmanager
def built(folder: Path, logical_id: str, log: TextIO) -> Iterator[Path]:
    """The folder the Makefile's `build-<logical_id>` target filled."""
    if not (folder / "Makefile").is_file():
        raise BuildError(f"{logical_id}: BuildMethod makefile, but {folder} has no Makefile")
    make = shutil.which("make")
    if make is None:
        raise BuildError(f"{logical_id}: BuildMethod makefile, but make is not on PATH")
    scratch = Path(tempfile.mkdtemp(prefix="overcast-make-"))
    try:
        source, artifacts = scratch / "source", scratch / "artifacts"
        shutil.copytree(folder, source, ignore=shutil.ignore_patterns(".git", ".aws-sam"))
        artifacts.mkdir()
        log.write(f"{logical_id}: make build-{logical_id}\n")
        command = [make, "-f", str(source / "Makefile"), f"build-{logical_id}"]
        failure = f"make build-{logical_id} failed in {folder}"
        node.run(command, source, failure, env={"ARTIFACTS_DIR": str(artifacts)})
        yield artifacts
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
