"""The system calls an execution environment may not make: seccomp filters, compiled here.

A function never needs to build namespaces, mount, trace other processes or touch the kernel's
configuration, and Lambda's sandbox refuses them; the filters answer each with EPERM, as an
unprivileged process would see it. They are compiled once, in the server, with libseccomp
(`pyseccomp`, Debian's libseccomp2), to classic BPF; isolation.py (stdlib only) installs the
compiled programs, so the runtime's interpreter needs no library of its own.

Installing a process's first filter costs ~80 us (later ones ~20 us), so the work is split:

  zygote       everything an isolating child does not need itself, installed by the zygote
               once: every environment inherits it with the fork, for nothing
  environment  the rest (setns, mount, umount2, pivot_root, move_mount, unshare making a
               namespace), installed by each environment once its isolation is done
  template     a SnapStart template's: as `environment`, but a restored copy may still give
               itself a private /tmp (unshare a mount namespace, mount, move_mount); the copy
               adds `environment` on top once it has (filters only ever stack)
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass

# clone()/unshare() flags that make a namespace of some kind.
NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
    "CLONE_NEWTIME": 0x00000080,
}

# Refused outright (EPERM), grouped as `overcast doctor` reports them.
BLOCKED: dict[str, tuple[str, ...]] = {
    "namespaces": ("setns",),  # and clone/unshare with a CLONE_NEW* flag (NAMESPACE_FLAGS)
    "mounts and root": (
        "mount",
        "umount2",
        "pivot_root",
        "chroot",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "move_mount",
        "open_tree",
        "mount_setattr",
    ),
    "tracing": ("ptrace",),
    "kernel": (
        "bpf",
        "init_module",
        "finit_module",
        "delete_module",
        "kexec_load",
        "kexec_file_load",
        "reboot",
        "swapon",
        "swapoff",
        "acct",
        "syslog",
        "quotactl",
        "iopl",
        "ioperm",
    ),
    "keys": ("keyctl", "add_key", "request_key"),
    "clock": ("clock_settime", "settimeofday", "adjtimex", "clock_adjtime"),
    "perf and memory": ("perf_event_open", "userfaultfd"),
    "file handles": ("open_by_handle_at", "name_to_handle_at"),
}
# clone3 passes its flags in memory, where a filter cannot look: ENOSYS makes glibc (and
# every other libc) fall back to clone(), whose flags the filter does see.
UNSUPPORTED = ("clone3",)
SYS_SETNS = 308  # x86_64
SCMP_FLTATR_CTL_OPTIMIZE = 8  # libseccomp >= 2.5
# What the zygote's children still do while they isolate themselves (and the zygote itself:
# setns back to its pid namespace before each fork): refused by the environment's own filter.
LATE = ("setns", "mount", "umount2", "pivot_root", "move_mount")
# What a SnapStart template leaves to its copies for their private /tmp.
COPY_NEEDS = ("mount", "move_mount")


@dataclass(frozen=True)
class Programs:
    """Compiled filters: classic BPF (struct sock_filter[]), ready for PR_SET_SECCOMP."""

    zygote: bytes
    environment: bytes
    template: bytes

    def encode(self) -> str:
        """For the zygote's environment: "zygote:environment:template", in hex."""
        return ":".join(program.hex() for program in (self.zygote, self.environment, self.template))


def describe() -> list[str]:
    """What the filter refuses, one line per group."""
    flags = ", ".join(name.removeprefix("CLONE_") for name in NAMESPACE_FLAGS)
    lines = [f"clone/unshare making a namespace ({flags}), clone3 (ENOSYS: libc uses clone)"]
    lines += [f"{group}: {', '.join(calls)}" for group, calls in BLOCKED.items()]
    return lines


def compile_programs() -> Programs:
    """The three filters; raises ImportError/OSError where libseccomp is missing."""
    early = [call for calls in BLOCKED.values() for call in calls if call not in LATE]
    return Programs(
        zygote=_compile(early, clone=True, unshare_except=None),
        environment=_compile(LATE, clone=False, unshare_except=()),
        template=_compile(
            [call for call in LATE if call not in COPY_NEEDS],
            clone=False,
            unshare_except=("CLONE_NEWNS",),
        ),
    )


def _compile(calls: list[str], clone: bool, unshare_except: tuple[str, ...] | None) -> bytes:
    """A filter refusing `calls`; with `clone`, clone making a namespace and clone3 too; with
    `unshare_except` (not None), unshare making a namespace other than those named."""
    import pyseccomp as seccomp  # needs libseccomp.so.2 (Debian: libseccomp2)

    refuse = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.set_attr(SCMP_FLTATR_CTL_OPTIMIZE, 2)  # a binary tree: short paths for every call
    for call in calls:
        rules.add_rule(refuse, call)
    if clone:
        for call in UNSUPPORTED:
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), call)
    for name, flag in NAMESPACE_FLAGS.items():
        # The flags are the first argument of both clone (x86_64's order) and unshare.
        only_flag = seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag)
        if clone:
            rules.add_rule(refuse, "clone", only_flag)
        if unshare_except is not None and name not in unshare_except:
            rules.add_rule(refuse, "unshare", only_flag)
    with tempfile.TemporaryFile() as exported:
        rules.export_bpf(exported)
        exported.seek(0)
        return exported.read()


def probe(programs: Programs) -> tuple[bool, str]:
    """Install the filters in a throwaway child: does this kernel take them?"""
    from overcast.sandbox import seccomp_filter

    pid = os.fork()
    if pid == 0:
        try:
            seccomp_filter.install(programs.zygote)
            seccomp_filter.install(programs.environment)
            os._exit(0 if _refused() else 2)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return True, "seccomp: filters compiled by libseccomp, taken by this kernel"
    return False, "seccomp filters refused by the kernel: environments may call anything"


def _refused() -> bool:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    # setns(-1, 0): EBADF where nothing filters it, EPERM from the filter.
    return libc.syscall(SYS_SETNS, -1, 0) == -1 and ctypes.get_errno() == errno.EPERM
