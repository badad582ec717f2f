"""Objects' bytes on disk: `<root>/blobs/<2 hex>/<blob id>`, one immutable file per stored
object or part, named by a random id that the catalog maps keys to.

A body is streamed into `<root>/tmp/` and renamed into place only when whole, so a blob file
is complete or absent. Blobs are never modified: an overwrite is a new blob, and a copy is a
hard link. Data is not fsync'd: like the catalog's WAL commits (synchronous=NORMAL), a write
survives the server being killed, not the machine losing power.

What a crash can leave behind (a blob renamed but never recorded, an old blob not yet removed)
is swept at start: blobs no record names are deleted; so is everything in tmp/.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from overcast.services.s3.checksums import Digests

COPY_CHUNK = 1024 * 1024


class BlobWriter:
    """One body being received: bytes are hashed (MD5 and the checksums of `algorithms`) as
    they are written."""

    def __init__(self, store: BlobStore, algorithms: Iterable[str] = ()) -> None:
        self.store = store
        self.blob = uuid.uuid4().hex
        self.digests = Digests(algorithms)
        self.size = 0
        self._path = store.tmp / self.blob
        self._file: BinaryIO | None = open(self._path, "wb")  # noqa: SIM115 (closed in commit)

    def write(self, data: bytes) -> None:
        self.digests.update(data)
        self._file.write(data)
        self.size += len(data)

    @property
    def etag(self) -> str:
        return self.digests.md5.hexdigest()

    def commit(self) -> str:
        """Put the whole body in place; returns its blob id."""
        self._file.close()
        self._file = None
        os.replace(self._path, self.store.placed(self.blob))
        return self.blob

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._path.unlink(missing_ok=True)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.tmp = root / "tmp"
        self.blobs = root / "blobs"
        shutil.rmtree(self.tmp, ignore_errors=True)  # bodies never acknowledged
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.blobs.mkdir(parents=True, exist_ok=True)
        self._dirs: set[str] = set()

    def writer(self, *algorithms: str | None) -> BlobWriter:
        """A writer for a new blob, computing the checksums of `algorithms` (None: none)."""
        return BlobWriter(self, [algorithm for algorithm in algorithms if algorithm])

    def path(self, blob: str) -> Path:
        return self.blobs / blob[:2] / blob

    def placed(self, blob: str) -> Path:
        """The blob's path, its folder created if need be."""
        folder = blob[:2]
        if folder not in self._dirs:
            (self.blobs / folder).mkdir(exist_ok=True)
            self._dirs.add(folder)
        return self.path(blob)

    def open(self, blob: str) -> BinaryIO:
        return open(self.path(blob), "rb")

    def duplicate(self, blob: str) -> str:
        """A new blob with the same bytes: a hard link, as blobs never change."""
        copy = uuid.uuid4().hex
        try:
            os.link(self.path(blob), self.placed(copy))
        except OSError:
            shutil.copyfile(self.path(blob), self.placed(copy))
        return copy

    def concatenate(self, blobs: Iterable[str]) -> BlobWriter:
        """One uncommitted blob made of others in order (a completed multipart upload); its
        digests are left unused, as a multipart ETag is made of the parts' own."""
        writer = BlobWriter(self)
        try:
            for blob in blobs:
                with self.open(blob) as source:
                    writer.size += _copy_file(source, writer._file)
        except BaseException:
            writer.discard()
            raise
        return writer

    def remove(self, blobs: Iterable[str | None]) -> None:
        for blob in blobs:
            if blob:
                self.path(blob).unlink(missing_ok=True)

    def sweep(self, referenced: set[str]) -> int:
        """Delete every blob no record names (left by a crash); returns how many."""
        removed = 0
        for folder in self.blobs.iterdir():
            for entry in os.scandir(folder):
                if entry.name not in referenced:
                    os.unlink(entry.path)
                    removed += 1
        return removed


def _copy_file(source: BinaryIO, target: BinaryIO) -> int:
    """Append all of `source` to `target`; the kernel copies (copy_file_range) where it can."""
    target.flush()
    copied = 0
    try:
        while chunk := os.copy_file_range(source.fileno(), target.fileno(), COPY_CHUNK * 64):
            copied += chunk
        return copied
    except OSError:  # not supported between these files: copy through memory
        source.seek(copied)
        target.seek(0, os.SEEK_END)
        while chunk := source.read(COPY_CHUNK):
            target.write(chunk)
            copied += len(chunk)
        return copied
