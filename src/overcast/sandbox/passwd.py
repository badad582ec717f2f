"""An /etc/passwd per environment uid: the user Lambda's functions run as, with its home.

Lambda runs functions as sbx_user1051, whose passwd entry names /home/sbx_user1051 (a folder
that does not exist), and sets no HOME: Node.js's os.homedir() and os.userInfo(), Python's
expanduser("~") and pwd read the entry, and the AWS SDK for JavaScript v3 crashes at its first
client call without one. An isolated environment runs as a uid of its own, so it sees a file
made for that uid (bound over /etc/passwd before its pivot): root and sbx_user1051 at the uid.

The file depends on the uid alone, and uids are host-wide (uids.py), so the files are kept
host-wide too, beside the uids' locks: each is made once per host and uid, not once per data
dir and environment, so a spare seldom pays for creating a file (bench/cold_start_cpu.py,
7 paired runs with the data dir under /tmp: ~1.3 ms less CPU per cold start, lower in 6 of 7).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR = Path("/run/overcast/passwd")
USER = "sbx_user1051"
HOME = f"/home/{USER}"
SHELL = "/sbin/nologin"


def text(uid: int) -> str:
    return f"root:x:0:0:root:/root:{SHELL}\n{USER}:x:{uid}:{uid}::{HOME}:{SHELL}\n"


def file_for(folder: Path, uid: int) -> str:
    """The passwd file for `uid` under `folder`, made once (it depends on the uid alone).

    A file found there is used as it is because the folder is checked first to be ours and
    writable by no one else: nobody but this user can have put it there (another local user
    making /run/overcast/passwd first, or a file in it, is refused rather than bound over an
    environment's /etc/passwd)."""
    _check_private(folder)
    path = folder / str(uid)
    if not path.exists():
        partial = folder / f".{uid}.{os.getpid()}"
        partial.write_text(text(uid))
        partial.chmod(0o644)
        partial.rename(path)  # atomic: an environment never binds a half-written file
    return str(path)


def _check_private(folder: Path) -> None:
    """`folder` and its parent (which could swap it) exist as real directories owned by this
    process's user, writable by it alone."""
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    for checked in (folder.parent, folder):
        found = os.lstat(checked)
        if (
            not stat.S_ISDIR(found.st_mode)
            or found.st_uid != os.geteuid()
            or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            raise PermissionError(
                f"{checked}: not a directory of this user's, writable by it alone"
            )


class PasswdFiles:
    """`file_for` each uid under one folder, remembering the ones known to exist, so that
    the engine's event loop does not even look at the disk again for a uid it has seen."""

    def __init__(self, folder: Path = DIR) -> None:
        self._folder = folder
        self._known: dict[int, str] = {}

    def path(self, uid: int) -> str:
        known = self._known.get(uid)
        if known is None:
            known = self._known[uid] = file_for(self._folder, uid)
        return known
