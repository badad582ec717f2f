"""A fork server: forks a child per request on a SOCK_SEQPACKET channel and reports its exit.

Both the zygote (a child per new environment) and a SnapStart template (a child per restored
environment) are fork servers. One JSON message per packet, file descriptors attached:

  request: {"id": N, "spec": {...}} + fds       reply: {"op": "spawned", "id": N, "pid": P}
                                                 later: {"op": "exited", "pid": P, "status": S}

Stdlib only, and importable on every Python from 3.9 on.
"""

import json
import os
import select
import signal
import socket
import traceback

MAX_MESSAGE = 1 << 20
MAX_FDS = 3


def serve(channel, child_main, before_fork=None, inherited=()):
    """Serve until the channel closes. `child_main(spec, fds)` runs in each child and returns
    its exit code; `inherited` are fds no child may keep (the parent's own sockets)."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake select via the wakeup fd
    closing = (channel.fileno(), wake_read, wake_write, *inherited)
    while True:
        readable, _, _ = select.select([channel, wake_read], [], [])
        if wake_read in readable:
            os.read(wake_read, 4096)
            _reap(channel)
        if channel in readable:
            try:
                message, fds, _flags, _addr = socket.recv_fds(channel, MAX_MESSAGE, MAX_FDS)
            except ConnectionResetError:  # the engine went away: an ordinary end
                return
            if not message:
                return
            request = json.loads(message)
            if before_fork is not None:
                before_fork(request["spec"])
            pid = _fork(request["spec"], fds, child_main, closing)
            for fd in fds:
                os.close(fd)
            _send(channel, {"op": "spawned", "id": request["id"], "pid": pid})


def _reap(channel):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(channel, {"op": "exited", "pid": pid, "status": status})


def _send(channel, message):
    try:
        channel.send(json.dumps(message).encode())
    except OSError:  # the engine went away; serve() ends at the next read
        pass


def _fork(spec, fds, child_main, closing):
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        for fd in closing:
            os.close(fd)
        code = child_main(spec, fds)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)
