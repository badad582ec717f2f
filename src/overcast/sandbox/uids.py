"""Host-wide uids for execution environments: no two environments on one machine share one.

Each environment runs as its own unprivileged uid (as each Lambda environment runs as its own
`sbx_user`). Several servers may run on one host, so a uid is claimed through the host, not
by a counter of one process: a lock file per uid in a root-only directory, held (`flock`) from
the spare's fork until its process has exited. A server that dies drops its locks with its
file descriptors, and its environments die with it (each is pid 1 of its own namespace, or
ends when its control socket closes), so a crash leaks no uid.

The lock stays in the engine: an environment never holds the file descriptor, so a function
cannot release its uid (`flock(LOCK_UN)` acts on the shared open file) while it still runs.
"""

from __future__ import annotations

import fcntl
import os
from collections import deque
from pathlib import Path

from overcast.sandbox.errors import SandboxError

LOCK_DIR = Path("/run/overcast/uids")
FIRST_UID = 20000
UID_COUNT = 40000


class UidPool:
    """Claims and frees uids in [first, first + count) through lock files in `lock_dir`."""

    def __init__(
        self, lock_dir: Path = LOCK_DIR, first: int = FIRST_UID, count: int = UID_COUNT
    ) -> None:
        self._lock_dir = lock_dir
        self._free = deque(range(first, first + count))
        self._held: dict[int, int] = {}  # uid -> the fd that holds its lock
        self._ready = False

    def acquire(self) -> int:
        """A uid no other environment on this host holds; locked until `release`."""
        self._prepare()
        for _ in range(len(self._free)):
            uid = self._free.popleft()
            fd = self._try_lock(uid)
            if fd is not None:
                self._held[uid] = fd
                return uid
            self._free.append(uid)  # another server's: try it again after the rest
        raise SandboxError("no free uid for a new execution environment on this host")

    def release(self, uid: int) -> None:
        """Give `uid` back; call once every process that ran as it has exited."""
        fd = self._held.pop(uid, None)
        if fd is not None:
            os.close(fd)  # closing the only open file of the lock releases it
            self._free.appendleft(uid)  # reused first: a warm page cache, few lock files

    def close(self) -> None:
        for uid in list(self._held):
            self.release(uid)

    def _prepare(self) -> None:
        if not self._ready:
            # Root only: nobody else may take (or block) the environments' uids.
            self._lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._ready = True

    def _try_lock(self, uid: int) -> int | None:
        flags = os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
        fd = os.open(self._lock_dir / str(uid), flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd
