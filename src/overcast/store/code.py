"""Deployment packages, content-addressed: `<data_dir>/code/<sha256hex>.zip` and its extraction.

A zip is extracted once, into `<data_dir>/code/<sha256hex>/`, and shared by every version and
function with the same code. Extraction goes to a temporary folder that is renamed into place,
so a reader sees either nothing or the complete tree. Layers are stored the same way; the
layers of a function, merged in order, go to `<data_dir>/code/layers-<sha256>/` (see `merge`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from overcast.aws.errors import InvalidParameterValueException, RequestEntityTooLargeException
from overcast.store.extraction import UNZIP_FAILED, check_links, extract, member_parts

# Lambda's quotas for a .zip: 50 MB zipped when uploaded directly (ZipFile: not from S3, whose
# packages are held to the unzipped quota alone), 250 MB unzipped.
MAX_ZIPPED_BYTES = 52_428_800
MAX_UNZIPPED_BYTES = 262_144_000


# What a damaged archive raises while it is opened or read (CRC, truncation, bad method).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    ValueError,
    UnicodeDecodeError,
    zlib.error,
)


@dataclass(frozen=True)
class CodeInfo:
    sha256_hex: str
    sha256_b64: str  # Lambda's CodeSha256
    size: int  # zipped bytes: Lambda's CodeSize
    unzipped_size: int = 0


class CodeStore:
    def __init__(
        self,
        data_dir: Path,
        *,
        max_zipped: int = MAX_ZIPPED_BYTES,
        max_unzipped: int = MAX_UNZIPPED_BYTES,
    ) -> None:
        self.root = Path(data_dir) / "code"
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_zipped = max_zipped
        self.max_unzipped = max_unzipped

    def path(self, sha256_hex: str) -> Path:
        """The folder the package is extracted to (the function's LAMBDA_TASK_ROOT)."""
        return self.root / _checked_hex(sha256_hex)

    def zip_path(self, sha256_hex: str) -> Path:
        return self.root / f"{_checked_hex(sha256_hex)}.zip"

    def has(self, sha256_hex: str) -> bool:
        return self.zip_path(sha256_hex).is_file() and self.path(sha256_hex).is_dir()

    def unzipped_size(self, sha256_hex: str) -> int:
        """The extracted size of a stored package, as Lambda counts it (the sum of its files)."""
        try:
            with zipfile.ZipFile(self.zip_path(sha256_hex)) as archive:
                return sum(member.file_size for member in archive.infolist())
        except (OSError, *_ZIP_ERRORS):
            return 0

    def merged_path(self, layer_shas: Sequence[str]) -> Path:
        """Where `merge` puts these layers: named for the digest of their ordered addresses."""
        key = hashlib.sha256(",".join(_checked_hex(s) for s in layer_shas).encode()).hexdigest()
        return self.root / f"layers-{key}"

    def merge(self, layer_shas: Sequence[str]) -> Path:
        """The stored layers merged into one tree, in order, made once: what /opt shows.

        Lambda extracts a function's layers into /opt one after the other, so a file of a later
        layer replaces the same path of an earlier one. Files are hard-linked from each layer's
        extraction (copied where a link cannot be made), keeping their modes; the tree is built
        in a temporary folder and renamed into place.
        """
        target = self.merged_path(layer_shas)
        if target.is_dir():
            return target
        scratch = Path(tempfile.mkdtemp(prefix=".merge-", dir=self.root))
        try:
            scratch.chmod(0o755)
            for sha in layer_shas:
                _overlay(self.path(sha), scratch)
            # Each layer's links stay inside it, but a later layer's link can send an earlier
            # one's elsewhere: the merged tree is checked as a whole.
            check_links(scratch)
            try:
                os.rename(scratch, target)
            except OSError:
                if not target.is_dir():  # else another request merged the same layers first
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return target

    def inspect(self, zip_bytes: bytes, *, direct: bool = True) -> CodeInfo:
        """Check a package against Lambda's limits without storing it (for DryRun).
        `direct`: uploaded in the request, not read from S3 (see `put`)."""
        info, archive = _open_checked(zip_bytes, self._max_zipped(direct), self.max_unzipped)
        try:
            broken = archive.testzip()  # reads every member: CRCs and compressed data
        except _ZIP_ERRORS as exc:
            raise InvalidParameterValueException(UNZIP_FAILED) from exc
        if broken is not None:
            raise InvalidParameterValueException(UNZIP_FAILED)
        return info

    def put(self, zip_bytes: bytes, *, direct: bool = True) -> CodeInfo:
        """Store and extract a package; raise Lambda's error and store nothing if it is bad.
        `direct`: uploaded in the request (ZipFile), where the zipped limit applies; a package
        read from S3 is held to the unzipped limit alone, as on Lambda."""
        info, archive = _open_checked(zip_bytes, self._max_zipped(direct), self.max_unzipped)
        if self.has(info.sha256_hex):
            return info
        target = self.path(info.sha256_hex)
        scratch = Path(tempfile.mkdtemp(prefix=".extract-", dir=self.root))
        try:
            try:
                extract(archive, scratch)
            except _ZIP_ERRORS as exc:
                raise InvalidParameterValueException(UNZIP_FAILED) from exc
            zip_tmp = scratch.with_suffix(".zip")
            zip_tmp.write_bytes(zip_bytes)
            os.replace(zip_tmp, self.zip_path(info.sha256_hex))
            try:
                os.rename(scratch, target)
            except OSError:
                if not target.is_dir():  # else another request stored the same code first
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.with_suffix(".zip").unlink(missing_ok=True)
        return info

    def _max_zipped(self, direct: bool) -> int | None:
        return self.max_zipped if direct else None


def _checked_hex(sha256_hex: str) -> str:
    # The name comes from URLs (code download) as well: never let it name another path.
    if len(sha256_hex) != 64 or any(c not in "0123456789abcdef" for c in sha256_hex):
        raise ValueError(f"not a sha256 hex digest: {sha256_hex!r}")
    return sha256_hex


def _open_checked(
    zip_bytes: bytes, max_zipped: int | None, max_unzipped: int
) -> tuple[CodeInfo, zipfile.ZipFile]:
    if max_zipped is not None and len(zip_bytes) > max_zipped:
        raise RequestEntityTooLargeException(f"Zipped size must be smaller than {max_zipped} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
        members = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise InvalidParameterValueException(UNZIP_FAILED) from exc
    unzipped = sum(member.file_size for member in members)
    if unzipped > max_unzipped:
        raise InvalidParameterValueException(
            f"Unzipped size must be smaller than {max_unzipped} bytes"
        )
    for member in members:
        member_parts(member.filename)
    digest = hashlib.sha256(zip_bytes).digest()
    info = CodeInfo(digest.hex(), base64.b64encode(digest).decode(), len(zip_bytes), unzipped)
    return info, archive


def _overlay(source: Path, destination: Path) -> None:
    """Place the tree `source` over `destination`: what is in both is taken from `source`."""
    for entry in os.scandir(source):
        here = destination / entry.name
        if entry.is_dir(follow_symlinks=False):
            if here.is_symlink() or (here.exists() and not here.is_dir()):
                here.unlink()
            if not here.exists():
                here.mkdir()
                here.chmod(stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
            _overlay(Path(entry.path), here)
            continue
        if here.is_dir() and not here.is_symlink():
            shutil.rmtree(here)
        else:
            here.unlink(missing_ok=True)
        if entry.is_symlink():
            here.symlink_to(os.readlink(entry.path))
            continue
        try:
            os.link(entry.path, here)
        except OSError:
            shutil.copy2(entry.path, here)
