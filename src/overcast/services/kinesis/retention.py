"""The retention sweeper: records older than their stream's retention period (24 hours by
default, up to 8760) are deleted in the background. Readers never see them before then
either: GetRecords and the shard source read from the retention horizon on."""

from __future__ import annotations

import logging
import threading

from overcast.services.kinesis.streams import StreamService

log = logging.getLogger(__name__)


class RetentionSweeper:
    def __init__(self, streams: StreamService, interval: float = 60.0) -> None:
        self.streams = streams
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kinesis-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.streams.trim()
            except Exception:  # a failed sweep is retried at the next one
                log.exception("kinesis retention sweep failed")
