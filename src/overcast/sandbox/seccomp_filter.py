"""Installing the seccomp filters that seccomp_policy.py compiled, inside environments.

Stdlib only and importable on every Python from 3.9 on (the zygote runs it on whatever
interpreter a runtime maps to). The zygote installs its own filter once, so every environment
inherits it with the fork; each environment adds its own once its isolation is done
(`restrict`), and a restored SnapStart copy adds that on top of its template's
(`restrict_copy`).
"""

import ctypes
import os

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

_libc = ctypes.CDLL(None, use_errno=True)
_programs = {}  # "environment" / "template" -> a _Program (load)
_installed = []  # the filters this process runs under, oldest first


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class _Program:
    """A compiled program with its struct sock_fprog built ahead (in the zygote, before any
    fork), so that installing it in an environment costs the system call alone."""

    def __init__(self, program):
        self.buffer = ctypes.create_string_buffer(program, len(program))
        self.fprog = _SockFprog(len(program) // 8, ctypes.cast(self.buffer, ctypes.c_void_p))
        self.pointer = ctypes.byref(self.fprog)


def load(encoded):
    """In the zygote: take the programs the server compiled ("zygote:environment:template",
    hex) and install the zygote's own, which every environment inherits with the fork."""
    if not encoded:
        return
    zygote, environment, template = (bytes.fromhex(part) for part in encoded.split(":"))
    _programs.update(environment=_Program(environment), template=_Program(template))
    install(zygote)


def install(program):
    """Run under `program` (bytes or a _Program) from now on, with every child; for good."""
    prepared = program if isinstance(program, _Program) else _Program(program)
    # Without CAP_SYS_ADMIN a filter needs no_new_privs (which environments have anyway).
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prepared.pointer, 0, 0), "seccomp")


def restrict(template=False):
    """An environment, isolated: its own filter (a SnapStart template's leaves its copies what
    they need to make their own /tmp)."""
    if _programs:
        _add("template" if template else "environment")


def restrict_copy():
    """A copy restored from a SnapStart template, its /tmp made: the environment's filter on
    top of the template's."""
    if _installed and _installed[-1] == "template":
        _add("environment")


def _add(kind):
    install(_programs[kind])
    _installed.append(kind)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")
