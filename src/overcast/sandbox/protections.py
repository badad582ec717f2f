"""Which isolation this machine lets Overcast apply, found out once at start.

Overcast runs with whatever the kernel allows and says plainly what is off (at server start and
in `overcast doctor`), rather than refusing to start on a laptop without root or cgroups.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from overcast.sandbox import cgroups as cgroup_support
from overcast.sandbox import isolation, loopback_guard, seccomp_policy, tmp_volumes

HOST_PATHS = (
    "no /var/lang, /var/runtime, /var/task: functions run at the host's paths (tracebacks show "
    "them); PATH keeps Lambda's order, the runtime's own bin folder for /var/lang/bin"
)
OPEN_LOOPBACK = "functions can reach every service on the host's loopback"


@dataclass
class Protections:
    """The protections in force, with one line of explanation each."""

    own_uid: bool = False  # each environment runs as its own unprivileged uid
    namespaces: bool = False  # mount/pid/ipc/uts namespaces and the private filesystem view
    cgroups: cgroup_support.Cgroups | None = None  # memory, pids and cpu limits
    disk_tmp: bool = False  # /tmp on a volume of its own (EphemeralStorage), not in memory
    seccomp: seccomp_policy.Programs | None = None  # the system calls environments may not make
    loopback: bool = False  # the host's own ports refused but Overcast's (loopback_guard.py)
    notes: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return (
            self.own_uid or self.namespaces or self.cgroups is not None or self.seccomp is not None
        )

    def describe(self) -> list[str]:
        return [f"{'on ' if ok else 'off'}  {line}" for ok, line in self._lines()]

    def _lines(self) -> list[tuple[bool, str]]:
        return [
            (self.own_uid, "own unprivileged uid per environment"),
            (
                self.namespaces,
                "mount, pid, ipc, uts namespaces; Lambda's /var/task, /var/lang, /var/runtime",
            ),
            (self.cgroups is not None, "memory limit (MemorySize), pids limit, CPU share"),
            (self.disk_tmp, "/tmp on disk, sized by EphemeralStorage, not charged to memory"),
            (self.seccomp is not None, "seccomp: no new namespaces, mounts, ptrace, kernel calls"),
            (
                self.loopback,
                "host's own ports (loopback and its addresses) closed but Overcast's endpoint",
            ),
        ]

    def open_loopback(self, why: str) -> None:
        """The loopback rules could not be applied: say so, and why."""
        self.loopback = False
        self.notes.append(f"{why}: {OPEN_LOOPBACK}")


def detect(enabled: bool = True, owner: str | None = None) -> Protections:
    """Probe the machine. `enabled=False` (the --no-isolation flag) turns everything off."""
    found = Protections()
    if not enabled:
        found.notes.append("isolation turned off by configuration (--no-isolation)")
        found.notes.append(HOST_PATHS)
        found.notes.append(f"no own uids: {OPEN_LOOPBACK}")
        return found
    found.seccomp, why = _seccomp()
    found.notes.append(why)
    if os.geteuid() != 0:
        found.notes.append(
            "not running as root: environments share Overcast's uid, filesystem view and limits"
        )
        found.notes.append(HOST_PATHS)
        found.notes.append(f"no own uids: {OPEN_LOOPBACK}")
        return found
    found.own_uid = True
    found.namespaces, why = _namespaces_work()
    found.notes.append(why)
    if found.namespaces:
        found.disk_tmp, why = tmp_volumes.available()
        found.notes.append(why)
    found.cgroups, why = cgroup_support.detect(owner or f"overcast-{os.getpid()}")
    found.notes.append(why)
    found.loopback, why = loopback_guard.available()
    if found.loopback:
        found.notes.append(why)
    else:
        found.open_loopback(why)
    return found


def _namespaces_work() -> tuple[bool, str]:
    """Try, in a throwaway child, the same unshare the zygote does for every environment."""
    pid = os.fork()
    if pid == 0:
        try:
            isolation.prepare_pid_namespace()
            flags = isolation.CLONE_NEWNS | isolation.CLONE_NEWIPC | isolation.CLONE_NEWUTS
            isolation.unshare(flags)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return True, "namespaces: mount, pid, ipc, uts available"
    return False, "namespaces refused by the kernel: environments see the host's filesystem"


def _seccomp() -> tuple[seccomp_policy.Programs | None, str]:
    """Compile the filter (libseccomp) and check, in a throwaway child, that the kernel takes it."""
    try:
        programs = seccomp_policy.compile_programs()
    except (ImportError, OSError, RuntimeError) as exc:
        return None, f"no seccomp filter: libseccomp unavailable ({exc}; Debian: libseccomp2)"
    works, why = seccomp_policy.probe(programs)
    return (programs if works else None), why
