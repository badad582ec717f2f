"""Lambda's Extensions API (2020-01-01) for external extensions, served beside the Runtime API.

Executables in /opt/extensions start before the runtime, register for INVOKE and/or SHUTDOWN
events and ask for the next event. The environment moves on to its next invocation only when
every registered extension waits in `next` again (Lambda does not freeze it before), and on
SHUTDOWN they get up to two seconds to finish. Stdlib only: it runs inside the environment.
"""

import os
import subprocess
import threading
import time
import uuid

SHUTDOWN_GRACE_S = 2.0


class _Extension:
    def __init__(self, name, events):
        self.name = name
        self.events = set(events)
        self.queue = []
        self.waiting = False


class Extensions:
    """The external extensions of one environment and the events waiting for them."""

    def __init__(self):
        self.condition = threading.Condition()
        self.registered = {}  # identifier -> _Extension
        self.processes = []

    def start(self, folder, env):
        """Start every executable in `folder` (Lambda's /opt/extensions), in name order."""
        if not os.path.isdir(folder):
            return
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                self.processes.append(subprocess.Popen([path], env=env, close_fds=True))

    def register(self, name, events):
        identifier = str(uuid.uuid4())
        with self.condition:
            self.registered[identifier] = _Extension(name, events)
        return identifier

    def next_event(self, identifier):
        """Block until an event for this extension arrives; None for an unknown identifier."""
        with self.condition:
            extension = self.registered.get(identifier)
            if extension is None:
                return None
            extension.waiting = True
            self.condition.notify_all()
            while not extension.queue:
                self.condition.wait()
            extension.waiting = False
            return extension.queue.pop(0)

    def wait_until_idle(self, timeout=None):
        """Until every running extension has registered and waits in `next`; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.condition:
            while not self._idle():
                remaining = 0.05 if deadline is None else deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.condition.wait(min(0.05, remaining))  # also notices extensions that exit
            return True

    def publish(self, event):
        with self.condition:
            for extension in self.registered.values():
                if event["eventType"] in extension.events:
                    extension.queue.append(event)
            self.condition.notify_all()

    def shutdown(self, reason):
        """Tell subscribed extensions the environment ends and give them the grace period."""
        deadline_ms = int((time.time() + SHUTDOWN_GRACE_S) * 1000)
        self.publish({"eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline_ms})
        self.wait_until_idle(SHUTDOWN_GRACE_S)

    def _idle(self):
        running = sum(1 for process in self.processes if process.poll() is None)
        waiting = sum(1 for e in self.registered.values() if e.waiting and not e.queue)
        return len(self.registered) >= running and waiting >= min(running, len(self.registered))
