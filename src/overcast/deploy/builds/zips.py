"""Deterministic zips: the same files give the same bytes, so the same CodeSha256 and the same
S3 key, and an unchanged package is neither uploaded nor deployed again."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from overcast.deploy.builds.errors import BuildError

# 1980-01-01, the earliest time a zip entry can hold: same tree, same bytes, same CodeSha256.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
SKIPPED_DIRS = frozenset({"__pycache__"})  # bytecode of this machine's interpreter, not code


def package(path: Path, dependencies: Path | None = None) -> bytes:
    """The deployment package: a directory zipped (with `dependencies`, a folder of installed
    packages, at its root), or a .zip file's bytes as they are."""
    if path.is_dir():
        return zip_directory(path, dependencies)
    if path.is_file() and zipfile.is_zipfile(path):
        return path.read_bytes()
    if path.exists():
        raise BuildError(f"{path} is neither a directory nor a .zip file")
    raise BuildError(f"{path}: no such file or directory")


def zip_directory(root: Path, dependencies: Path | None = None) -> bytes:
    """Zip a tree deterministically: sorted entries, fixed times, Unix modes kept.

    Modes matter: a custom runtime's `bootstrap` must stay executable, as Lambda runs it.
    `dependencies` (what pip installed) lie at the root beside the tree's own files, as
    `pip install --target` would have put them; a file of the tree wins over one of theirs.
    """
    files = dict(tree_files(dependencies)) if dependencies is not None else {}
    files.update(tree_files(root))
    return zip_files(files)


def zip_files(files: Mapping[str, Path]) -> bytes:
    """Zip `files` (name in the zip -> file here) deterministically."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, path in sorted(files.items()):
            info = zipfile.ZipInfo(relative, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so unzip tools honour external_attr's mode bits
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(path.stat().st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def tree_files(root: Path, skipped: Iterable[str] = SKIPPED_DIRS) -> list[tuple[str, Path]]:
    """Every file under `root` (symlinks followed, loops cut), as (posix relative name, path)."""
    files, visited, skipped = [], set(), frozenset(skipped)
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:  # a symlink loop: this folder is already in the package
            dirnames[:] = []
            continue
        visited.add(real)
        dirnames[:] = [name for name in dirnames if name not in skipped]
        for name in filenames:
            path = Path(folder, name)
            if path.is_file():  # follows symlinks; skips dangling links, sockets, fifos
                files.append((path.relative_to(root).as_posix(), path))
    return sorted(files)
