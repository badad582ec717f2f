"""Extracting a deployment package without ever following a symlink.

The server extracts packages as root, so the tree it writes must not be a way out of the code
store. A check on a link's text cannot be a defence (a chain of links, each harmless alone,
leads anywhere), so extraction holds by construction instead: every path is walked from the
extraction root one component at a time with `openat(..., O_NOFOLLOW)`, every file is created
with `O_CREAT | O_EXCL | O_NOFOLLOW` relative to its parent's descriptor, and an entry whose
path goes through a symlink (or a file) is refused. Nothing is written anywhere but inside
the root, whatever the archive says.

Lambda keeps the symlinks of a package built with `zip -y` (shared libraries do this), so
links are created as they are; once the whole tree is written, each link is resolved against
the tree (following the package's own links, as the kernel would) and the package is refused
if one leaves it.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from overcast.aws.errors import InvalidParameterValueException

UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_LINKS_FOLLOWED = 40  # Linux's MAXSYMLINKS: a longer chain is ELOOP, as the kernel says


def member_parts(name: str) -> tuple[str, ...]:
    """The path of a member inside the package, refusing anything that would leave it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise InvalidParameterValueException(UNZIP_FAILED)
    # No NUL can be here: zipfile cuts a member's name at its first NUL.
    return tuple(part for part in path.parts if part not in ("", "."))


def extract(archive: zipfile.ZipFile, root: Path) -> None:
    """Write every member of `archive` under the existing, empty folder `root`."""
    root_fd = os.open(root, _DIRECTORY)
    try:
        os.fchmod(root_fd, 0o755)
        for member in archive.infolist():
            parts = member_parts(member.filename)
            if parts:
                _extract_member(archive, member, root_fd, parts)
        _check_links(root_fd)
        _open_directories(root_fd)
    finally:
        os.close(root_fd)


def check_links(root: Path) -> None:
    """Refuse (Lambda's unzip error) a tree holding a link that resolves outside it: for a
    tree built from several checked ones, such as merged layers, whose links may combine."""
    root_fd = os.open(root, _DIRECTORY)
    try:
        _check_links(root_fd)
    finally:
        os.close(root_fd)


def _check_links(root_fd: int) -> None:
    for folder, dirs, files, fd in os.fwalk(".", dir_fd=root_fd, follow_symlinks=False):
        # fwalk lists a link to a folder among the folders: look at every name.
        for name in (*dirs, *files):
            try:
                target = os.readlink(name, dir_fd=fd)
            except OSError:  # not a link
                continue
            parts = (*Path(folder).parts, name)  # Path("./lib").parts is ("lib",)
            if not _stays_inside(root_fd, parts, target):
                raise InvalidParameterValueException(UNZIP_FAILED)


def _extract_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, root_fd: int, parts: tuple[str, ...]
) -> None:
    """Write one member (its links are checked once the whole tree is written)."""
    directories, name = (parts, None) if member.is_dir() else (parts[:-1], parts[-1])
    parent = _walk(root_fd, directories)
    try:
        if name is None:  # a directory: made by the walk, opened up at the end
            return
        if stat.S_ISLNK(member.external_attr >> 16):
            target = archive.read(member).decode()  # a NUL in it: ValueError, a bad zip
            if not target:
                raise InvalidParameterValueException(UNZIP_FAILED)
            _clear(parent, name)
            os.symlink(target, name, dir_fd=parent)
            return
        # Any other type (fifo, device, socket) is written as the plain file it claims to hold:
        # extraction never makes a special file.
        _clear(parent, name)
        fd = os.open(name, _NEW_FILE, 0o600, dir_fd=parent)
        with archive.open(member) as source, os.fdopen(fd, "wb") as sink:
            shutil.copyfileobj(source, sink, 1 << 20)
            os.fchmod(sink.fileno(), _mode(member))
    finally:
        os.close(parent)


def _walk(root_fd: int, directories: tuple[str, ...]) -> int:
    """A descriptor of root/directories, making what is missing; never through a link."""
    fd = os.dup(root_fd)
    for part in directories:
        try:
            try:
                child = os.open(part, _DIRECTORY, dir_fd=fd)
            except FileNotFoundError:
                os.mkdir(part, 0o755, dir_fd=fd)
                child = os.open(part, _DIRECTORY, dir_fd=fd)
        except OSError as exc:
            os.close(fd)
            # ELOOP / ENOTDIR: the path goes through a symlink or a file the package made.
            raise InvalidParameterValueException(UNZIP_FAILED) from exc
        os.close(fd)
        fd = child
    return fd


def _clear(parent: int, name: str) -> None:
    """Remove what an earlier member left at `name` (a later member replaces it, as unzip does)."""
    try:
        os.unlink(name, dir_fd=parent)
    except FileNotFoundError:
        pass
    except OSError as exc:  # a directory: a file cannot replace it
        raise InvalidParameterValueException(UNZIP_FAILED) from exc


def _stays_inside(root_fd: int, parts: tuple[str, ...], target: str) -> bool:
    """Whether the link at `parts` resolves inside the tree, following the tree's own links.

    Resolution is done on names, one component at a time, as the kernel does it: a component
    that is itself a link is replaced by its target. `..` above the root, an absolute target,
    or a chain longer than the kernel follows is outside.
    """
    if target.startswith("/"):
        return False
    pending = list(reversed(_components(target)))
    resolved = list(parts[:-1])
    followed = 0
    while pending:
        part = pending.pop()
        if part == "..":
            if not resolved:
                return False
            resolved.pop()
            continue
        resolved.append(part)
        inner = _readlink(root_fd, resolved)
        if inner is None:
            continue
        followed += 1
        if followed > _MAX_LINKS_FOLLOWED or inner.startswith("/"):
            return False
        resolved.pop()
        pending.extend(reversed(_components(inner)))
    return True


def _components(target: str) -> list[str]:
    return [part for part in target.split("/") if part not in ("", ".")]


def _readlink(root_fd: int, parts: list[str]) -> str | None:
    """The target of root/parts if that is a symlink, else None (missing or not a link)."""
    try:
        parent = _walk_existing(root_fd, parts[:-1])
    except OSError:
        return None
    try:
        return os.readlink(parts[-1], dir_fd=parent)
    except OSError:  # EINVAL: not a link; ENOENT: not there
        return None
    finally:
        os.close(parent)


def _walk_existing(root_fd: int, directories: list[str]) -> int:
    fd = os.dup(root_fd)
    for part in directories:
        try:
            child = os.open(part, _DIRECTORY, dir_fd=fd)
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_directories(root_fd: int) -> None:
    """Every directory readable and searchable by all (environments run as their own uid)."""
    for _path, _dirs, _files, fd in os.fwalk(".", dir_fd=root_fd, follow_symlinks=False):
        mode = os.fstat(fd).st_mode
        os.fchmod(fd, stat.S_IMODE(mode) | 0o555)


def _mode(member: zipfile.ZipInfo) -> int:
    """Unix mode bits from the zip, readable by everyone.

    Lambda keeps the mode bits of a package (so `bootstrap` stays executable) and runs code as
    a user that does not own the files: Overcast runs each environment as its own uid too, so
    everything must be world-readable, and executable by all when executable at all. Set-id and
    sticky bits are dropped.
    """
    mode = (member.external_attr >> 16) & 0o777
    mode = (mode or 0o644) | 0o444
    return mode | 0o111 if mode & 0o111 else mode
