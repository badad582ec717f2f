"""Retention applied: a thread that removes log groups' expired events from their files, every
hour and soon after a retention policy is set. Reads hide expired events at once
(observe/log_reader.py); CloudWatch, too, deletes them some time later ("typically up to 72
hours"), while never returning them meanwhile."""

from __future__ import annotations

import logging
import threading

from overcast.observe.logs import RETENTION, LogStore

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 3600.0


class Retention:
    def __init__(self, store: LogStore, interval_s: float = SWEEP_INTERVAL_S) -> None:
        self.store = store
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="logs-retention", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Sweep now (a retention policy was set)."""
        self._wake.set()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=30)
        self._thread = None

    def sweep(self) -> int:
        """Purge every group that has a retention; how many streams were trimmed."""
        trimmed = 0
        for name, _ in list(self.store.groups()):
            try:
                if self.store.settings(name).get(RETENTION):
                    trimmed += self.store.purge(name)
            except Exception:  # one group's trouble must not stop the others' purge
                log.exception("retention of log group %s", name)
        return trimmed

    def _run(self) -> None:
        while not self._stopping:
            self.sweep()
            self._wake.wait(self.interval_s)
            self._wake.clear()
