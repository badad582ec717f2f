"""The zygote: a Python process with the runtime imported and no function loaded.

Each new execution environment is a fork of it (as in the SOCK paper), so a cold start costs a
fork plus the function's own init, not an interpreter start. The engine talks to it over a
SOCK_SEQPACKET socket: one JSON message per packet, with file descriptors attached.

  engine -> zygote: {"op": "spawn", "id": N, "spec": {...}} + fds [control socket, log pipe]
  zygote -> engine: {"op": "spawned", "id": N, "pid": P} | {"op": "exited", "pid": P,
                    "status": S} (S as waitpid returns it)

Stdlib only, and importable on every Python from 3.9 on.
"""

import gc
import json
import os
import select
import signal
import socket
import sys
import time
import traceback

from overcast.sandbox import isolation

from . import bootstrap, protocol

MAX_MESSAGE = 1 << 20


def main():
    control = socket.socket(fileno=int(os.environ.pop("OVERCAST_ZYGOTE_FD")))
    skeleton = os.environ.pop("OVERCAST_SANDBOX_ROOT", "")
    host = isolation.HostView(skeleton) if skeleton else None
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake select via the wakeup fd
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the engine stops us by closing the socket
    bootstrap.prepare()
    # Keep the garbage collector off the zygote's objects in every fork: a collection would
    # write to each of them and copy every page it touches (copy-on-write).
    gc.freeze()
    while True:
        readable, _, _ = select.select([control, wake_read], [], [])
        if wake_read in readable:
            os.read(wake_read, 4096)
            _reap(control)
        if control in readable:
            message, fds, _flags, _addr = socket.recv_fds(control, MAX_MESSAGE, 2)
            if not message:
                return
            request = json.loads(message)
            pid = _fork(request["spec"], fds, control, (wake_read, wake_write), host)
            for fd in fds:
                os.close(fd)
            _send(control, {"op": "spawned", "id": request["id"], "pid": pid})


def _reap(control):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(control, {"op": "exited", "pid": pid, "status": status})


def _send(control, message):
    control.send(json.dumps(message).encode())


def _fork(spec, fds, control, wake_fds, host):
    if (spec.get("isolation") or {}).get("pid_namespace"):
        isolation.prepare_pid_namespace()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        control.close()
        for fd in wake_fds:
            os.close(fd)
        code = _become_environment(spec, fds[0], fds[1], host)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def _become_environment(spec, control_fd, log_fd, host):
    """A spare environment: confined now, told its function later (ASSIGN), then initialised."""
    os.setsid()  # its own process group, so the engine can kill everything it started
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    control = socket.socket(fileno=control_fd)
    confined = spec.get("isolation")
    if confined:
        isolation.confine(confined, host)
    frame = protocol.read_frame(control)
    if frame is None:
        return 0
    assignment = frame[1]
    if confined:
        isolation.assign(assignment["isolation"])
    os.environ.clear()
    os.environ.update(assignment["env"])
    time.tzset()
    os.chdir(assignment["cwd"])
    sys.path[:0] = assignment["path"]
    bootstrap.run(control, assignment["handler"])
    return 0


if __name__ == "__main__":
    main()
