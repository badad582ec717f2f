"""The data dir: used by one server at a time, and private to the user that runs it.

Two servers over one data dir would each take the databases, the code and the queues for their
own. A server holds an exclusive `flock` on `server.lock` (its PID written inside) for as long
as it runs; the kernel lets go when the process ends, however it ends.

`overcast.db` holds every function's environment variables: the folder is made 0700 and the
databases 0600 (store/database.py). Execution environments run as other uids but need only the
code, which they see through a bind mount made by root (mount(2) does not check the
permissions of the source's parents). Where environments run as other uids without a mount
namespace, they open the code by its path: then `share_code` lets them through the data dir
to `code/` (0711: search, no listing) and closes every other folder in it.
"""

from __future__ import annotations

import fcntl
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from overcast.cli.errors import DataDirInUse

LOCK_NAME = "server.lock"


@dataclass
class DataDirLock:
    """Held while the server runs; `release` (or the process ending) lets another start."""

    path: Path
    fd: int
    warning: str | None = None  # said at start: the folder is open to other users

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # the lock goes with the last descriptor of its file
            self.fd = -1


def claim(data_dir: Path) -> DataDirLock:
    """Make `data_dir` private (see the module's docstring) and lock it, or raise
    DataDirInUse naming the server that holds it."""
    warning = _make_private(data_dir)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip()
        os.close(fd)
        who = f"(PID {holder}) " if holder.isdigit() else ""
        raise DataDirInUse(
            f"another Overcast server {who}is using the data dir {data_dir}: stop it, "
            "or give this one another --data-dir"
        ) from None
    os.fchmod(fd, 0o600)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return DataDirLock(path, fd, warning)


def _make_private(data_dir: Path) -> str | None:
    """Create the folder 0700; make an existing one 0700 only when it is empty or was made
    by Overcast (then it is 0700, or 0711 after `share_code`): `--data-dir` pointed at a
    shared folder (/tmp, a home) keeps its mode, with a warning if others can look in."""
    try:
        data_dir.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        mode = stat.S_IMODE(data_dir.stat().st_mode)
        ours = mode in (0o700, 0o711) and (data_dir / LOCK_NAME).is_file()
        if not ours and any(data_dir.iterdir()):
            if mode & 0o055:
                return (
                    f"the data dir {data_dir} is open to other users (mode {mode:04o}): "
                    f"`chmod 700 {data_dir}` keeps what it holds yours"
                )
            return None
    os.chmod(data_dir, 0o700)
    return None


SHARED_FOLDERS = ("code", "trust")  # functions' code; the HTTPS listener's public CA files


def share_code(data_dir: Path) -> None:
    """Let other uids reach `code/` and `trust/` by path, and nothing else: the data dir and
    those get 0711 (search, no listing), every other folder in it 0700; files in it are 0600 (the
    databases, the lock) or inside such a folder. Only a data dir Overcast made private (0700)
    is changed: in a shared one, other programs' folders are not Overcast's to close."""
    if stat.S_IMODE(data_dir.stat().st_mode) != 0o700:
        return
    os.chmod(data_dir, 0o711)
    for entry in os.scandir(data_dir):
        if entry.is_dir(follow_symlinks=False):
            os.chmod(entry.path, 0o711 if entry.name in SHARED_FOLDERS else 0o700)
