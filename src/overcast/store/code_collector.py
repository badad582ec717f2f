"""Removes stored code that nothing refers to any more (store/code.py never deletes).

The code folder holds, per package, `<sha>.zip` and its extraction `<sha>/`, the merged layers
of functions `layers-<key>/`, and scratch folders (`.extract-*`, `.merge-*`) a crash may leave.
A package is kept while any function version or layer version names it; a merged folder while
any function version uses those layers. What nothing names is removed once it has been found
unreferenced for a grace period, so that an environment still running a just-deleted
function's code, or a GetFunction download link, keeps working a while.

Safety against a concurrent upload holds by construction: the census is taken, and what goes
is moved out of the code folder (renames only), while the control plane holds its locks and
reports no upload in flight (a CreateFunction or UpdateFunctionCode between storing its code
and recording its version, a PublishLayerVersion). An upload that begins afterwards stores its
package again if the collector took it. The moved trees are deleted after the locks are let go.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from overcast.store.code import CodeStore

log = logging.getLogger("overcast.code")

DEFAULT_GRACE_S = 900.0
MIN_INTERVAL_S, MAX_INTERVAL_S = 0.5, 60.0
TRASH_PREFIX = ".trash-"  # what one collection moved out, deleted right after
# Work folders of CodeStore.put and .merge, and of a collection, that a crash may leave.
SCRATCH_PREFIXES = (".extract-", ".merge-", TRASH_PREFIX)


@dataclass(frozen=True)
class References:
    """What the control plane still uses: package digests (hex) and merged layer folders."""

    packages: frozenset[str]
    merged: frozenset[str] = frozenset()  # folder names: `layers-<key>`


# Holds the control plane's locks while open; yields None while an upload is in flight.
Census = Callable[[], AbstractContextManager["References | None"]]


@dataclass
class Sweep:
    """What one collection removed (names in the code folder) and the bytes it freed."""

    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    skipped: bool = False  # an upload was in flight: nothing was looked at


class CodeCollector:
    def __init__(
        self,
        code_store: CodeStore,
        census: Census,
        grace_s: float = DEFAULT_GRACE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = code_store.root
        self.census = census
        self.grace_s = grace_s
        self.clock = clock
        self._unreferenced_since: dict[str, float] = {}  # entry name -> first seen unused

    def collect(self) -> Sweep:
        """One pass: note what is newly unreferenced, remove what has been so long enough."""
        with self.census() as references:
            if references is None:
                return Sweep(skipped=True)
            doomed = self._doomed(references)
            if not doomed:
                return Sweep()
            trash = Path(tempfile.mkdtemp(prefix=TRASH_PREFIX, dir=self.root))
            for name in doomed:
                _move(self.root / name, trash / name)
        sweep = Sweep(removed=doomed, freed_bytes=_size(trash))
        shutil.rmtree(trash, ignore_errors=True)
        log.info("removed %d unreferenced code entries (%d bytes)", len(doomed), sweep.freed_bytes)
        return sweep

    async def run(self) -> None:
        """Collect now and then until cancelled, in a worker thread (deleting trees is slow):
        often enough that code goes soon after its grace period ends."""
        interval = min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, self.grace_s / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.collect)
            except Exception:  # a full disk, a permission: try again next time
                log.exception("collecting unreferenced code failed")

    def _doomed(self, references: References) -> list[str]:
        now = self.clock()
        unused = set(_unreferenced(self.root, references))
        for name in list(self._unreferenced_since):
            if name not in unused:
                del self._unreferenced_since[name]  # used again, or gone
        doomed = []
        for name in sorted(unused):
            since = self._unreferenced_since.setdefault(name, now)
            if now - since >= self.grace_s:
                doomed.append(name)
                del self._unreferenced_since[name]
        return doomed


def _unreferenced(root: Path, references: References) -> Iterator[str]:
    """Names in the code folder that nothing refers to (a package's zip and folder apart)."""
    for entry in os.scandir(root):
        name = entry.name
        if name.endswith(".zip") and _is_digest(name[:-4]):
            if name[:-4] not in references.packages:
                yield name
        elif _is_digest(name):
            if name not in references.packages:
                yield name
        elif name.startswith("layers-"):
            if name not in references.merged:
                yield name
        elif name.startswith(SCRATCH_PREFIXES):
            yield name  # in use for a moment only: the grace period outlasts any use


def _is_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _move(source: Path, destination: Path) -> None:
    try:
        os.rename(source, destination)
    except FileNotFoundError:
        pass


def _size(root: Path) -> int:
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total
