"""The zygote: a Python process with the runtime imported and no function loaded.

Each new execution environment is a fork of it (as in the SOCK paper), so a cold start costs a
fork plus the function's own init, not an interpreter start. The engine talks to it as to any
fork server (forkserver.py); each request carries the new environment's control socket and log
pipe (and, for a SnapStart template, a fork-server channel of its own).

Stdlib only, and importable on every Python from 3.9 on.
"""

import gc
import os
import signal
import socket
import sys
import time

from overcast.sandbox import isolation, lambda_layout, seccomp_filter

from . import bootstrap, forkserver, protocol, rehearsal, site_packages


def main():
    control = socket.socket(fileno=int(os.environ.pop("OVERCAST_ZYGOTE_FD")))
    # Only the zygote of runtimes served through the Runtime API holds its server: its modules
    # (http.server, email, ssl) make a zygote 7 MB larger, and so every fork of it dearer.
    if os.environ.pop("OVERCAST_ZYGOTE_RUNTIME_API", ""):
        from overcast.runtimes import runtime_api  # noqa: F401
    host_paths = lambda_layout.restore_path()
    # The HTTPS listener's CA files (sandbox/confinement.py), shown at lambda_layout.TRUST
    trust_dir = os.environ.pop("OVERCAST_TRUST_DIR", "")
    mapped = [(trust_dir, lambda_layout.TRUST)] if trust_dir else []
    skeleton = os.environ.pop("OVERCAST_SANDBOX_ROOT", "")
    host = isolation.HostView(skeleton, host_paths, mapped) if skeleton else None
    seccomp_filter.load(os.environ.pop("OVERCAST_SECCOMP", ""))  # after HostView's mounts
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the engine stops us by closing the socket
    bootstrap.prepare()
    site_packages.restrict()  # after HostView: environments still see the SDK's files
    # Keep the garbage collector off the zygote's objects in every fork: a collection would
    # write to each of them and copy every page it touches (copy-on-write).
    gc.freeze()
    forkserver.serve(
        control,
        lambda spec, fds: _become_environment(spec, fds, host),
        before_fork=_before_fork,
    )


def _before_fork(spec):
    confined = spec.get("isolation")
    if not confined:
        return
    if confined.get("pid_namespace"):
        isolation.prepare_pid_namespace()
    else:
        isolation.reset_pid_namespace()


def _become_environment(spec, fds, host):
    """A spare environment: confined now, told its function later (ASSIGN), then initialised.

    fds: its control socket, its log pipe, and for a SnapStart template a fork-server channel.
    """
    control_fd, log_fd = fds[0], fds[1]
    os.setsid()  # its own process group, so the engine can kill everything it started
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    control = protocol.Channel(socket.socket(fileno=control_fd))
    confined = spec.get("isolation")
    if confined:
        isolation.confine(confined)
    rehearsal.rehearse()  # off the cold start's path: its copy-on-write faults, taken now
    frame = control.read()
    if frame is None:
        return 0
    assignment = frame[1]
    if confined:
        isolation.assign(assignment["isolation"], host)
    os.environ.clear()
    os.environ.update(assignment["env"])
    time.tzset()
    os.chdir(assignment["cwd"])
    sys.path[:0] = assignment["path"]
    if assignment.get("runtime_api"):  # a runtime that brings its own loop (`bootstrap`)
        from overcast.runtimes import runtime_api  # imported already by its zygote

        command = assignment["command"]
        python_client = bool(command) and command[0] is None
        if python_client:  # Python's client: this very interpreter
            command = [sys.executable, *command[1:]]
        runtime_api.run(
            control,
            assignment["handler"],
            assignment["cwd"],
            command,
            assignment["extensions"],
            assignment["path"] if python_client else (),
        )
        return 0
    cloning = None
    if len(fds) > 2:  # may become a SnapStart template
        cloning = bootstrap.Cloning(socket.socket(fileno=fds[2]), _confine_copy)
    bootstrap.run(control, assignment["handler"], cloning, assignment.get("first_invoke"))
    return 0


def _confine_copy(spec, fds):
    """A copy restored from a SnapStart template: its own empty /tmp, as every environment
    (fds[2], when given, is its volume: a detached mount)."""
    if spec.get("private_tmp_mb"):
        isolation.private_tmp(spec["private_tmp_mb"], fds[2] if len(fds) > 2 else None)
    seccomp_filter.restrict_copy()


if __name__ == "__main__":
    main()
