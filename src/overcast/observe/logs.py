"""Log groups and streams, as CloudWatch keeps them: the engine's function logs and the logs
API's writes side by side (reading: `observe/log_reader.py`).

Writing is the engine's hot path (every invocation ends with an `append`): one buffered write
to a file kept open, flushed so a reader (`overcast logs --follow`) sees it, never fsynced —
losing the last lines of a power cut is an acceptable price for logs, as in CloudWatch's agent.
A group may have a tap (its subscription filters): it is handed each batch after the write,
and must only queue it; a group without one costs the append one dictionary look-up.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from overcast.observe._logfile import (
    base_of,
    copy_tail,
    event_lines,
    header_line,
    kept_from,
    read_summary,
    trim,
)
from overcast.observe.log_reader import (
    GROUP_META,
    RETENTION,
    UNORDERED,
    EventsPage,
    LogEvent,
    LogGroupInfo,
    LogReader,
    LogStreamInfo,
    Page,
    read_meta,
)
from overcast.services.logs.errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)

__all__ = ["Appended", "EventsPage", "LogEvent", "LogGroupInfo", "LogStore", "LogStreamInfo"]
__all__ += ["Page", "RETENTION"]

TRASH = ".deleted"  # groups being deleted; never a group folder, whose names have no "."


@dataclass(frozen=True)
class Appended:
    """Events just written to a stream, as a group's tap is handed them."""

    group: str
    stream: str
    position: int  # the first event's position in the stream (the next ones follow it)
    ingestion_time: int
    events: list[tuple[int, str]]


Tap = Callable[[Appended], None]


@dataclass
class _Open:
    """A stream file kept open for appending."""

    file: BinaryIO
    base: int  # what turns the file's size into a position in the stream
    last: int | None = None  # the last timestamp written through this store, once known


class LogStore(LogReader):
    """Log groups, streams and events kept as files under `<data_dir>/logs/` (a `LogSink`).

    Build one per data dir and share it (the engine's sink and the logs API): it keeps stream
    files open, and a group deleted by another instance would go on being written to.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        clock: Callable[[], float] = time.time,
        max_open_files: int = 64,
    ) -> None:
        super().__init__(data_dir, clock=clock)
        self._max_open = max_open_files
        self._handles: OrderedDict[tuple[str, str], _Open] = OrderedDict()  # LRU
        self._known_groups: set[str] = set()
        self._taps: dict[str, Tap] = {}
        self._lock = threading.Lock()

    # -- the engine's writes ----------------------------------------------------------------

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append (timestamp_ms, message) events to a stream, creating group and stream."""
        if not events:
            return
        now = self.now_ms()
        data = event_lines(events, now)
        tap = self._taps.get(group)
        with self._lock:
            opened = self._open(group, stream, now)
            position = opened.file.tell() + opened.base if tap is not None else 0
            opened.file.write(data)
            opened.file.flush()
            opened.last = events[-1][0]
        if tap is not None:
            tap(Appended(group, stream, position, now, events))

    # -- the API's writes -------------------------------------------------------------------

    def create_group(self, group: str, settings: dict) -> None:
        """A new, empty group (ResourceAlreadyExistsException if it exists)."""
        with self._lock:
            folder = self._group_dir(group)
            if (folder / GROUP_META).exists():
                raise ResourceAlreadyExistsException("The specified log group already exists.")
            meta = {"logGroupName": group, "creationTime": self.now_ms(), "settings": settings}
            self._write_meta(folder, meta)
            self._known_groups.add(group)

    def create_stream(self, group: str, stream: str) -> None:
        """A new, empty stream of an existing group."""
        with self._lock:
            path = self._stream_file(self._existing_group_dir(group), stream)
            try:
                with open(path, "xb") as file:
                    file.write(header_line(stream, self.now_ms()))
            except FileExistsError:
                raise ResourceAlreadyExistsException(
                    "The specified log stream already exists."
                ) from None

    def put(self, group: str, stream: str, events: list[tuple[int, str]]) -> Appended:
        """PutLogEvents' write: events (in time order) to an existing stream."""
        now = self.now_ms()
        data = event_lines(events, now)
        tap = self._taps.get(group)
        with self._lock:
            if (group, stream) not in self._handles:
                self._stream_path(group, stream)  # ResourceNotFoundException when absent
            opened = self._open(group, stream, now)
            if opened.last is None:
                summary = read_summary(self._stream_file(self._group_dir(group), stream))
                opened.last = summary.last.timestamp if summary and summary.last else None
            if opened.last is not None and events[0][0] < opened.last:
                self._mark_unordered(group, stream)
            position = opened.file.tell() + opened.base
            opened.file.write(data)
            opened.file.flush()
            opened.last = events[-1][0]
        written = Appended(group, stream, position, now, events)
        if tap is not None:
            tap(written)
        return written

    def delete_stream(self, group: str, stream: str) -> None:
        with self._lock:
            handle = self._handles.pop((group, stream), None)
            if handle is not None:
                handle.file.close()
            path = self._stream_path(group, stream)
            path.unlink(missing_ok=True)

    def update_settings(self, group: str, change: Callable[[dict], None]) -> dict:
        """Change a group's settings in place (`change` may raise to change nothing) and keep
        them; the new settings."""
        with self._lock:
            folder = self._existing_group_dir(group)
            meta = read_meta(folder)
            settings = json.loads(json.dumps(meta.get("settings", {})))  # a copy to change
            change(settings)
            meta["settings"] = settings
            self._write_meta(folder, meta)
            return settings

    def watch(self, group: str, tap: Tap | None) -> None:
        """Hand `tap` every batch written to `group` from now on (None: stop)."""
        with self._lock:
            if tap is None:
                self._taps.pop(group, None)
            else:
                self._taps[group] = tap

    def delete_group(self, group: str, *, missing_ok: bool = False) -> bool:
        """Delete a group with all its streams; False (or LogsResourceNotFound) when absent."""
        with self._lock:
            for key in [key for key in self._handles if key[0] == group]:
                self._handles.pop(key).file.close()
            self._known_groups.discard(group)
            self._taps.pop(group, None)
            folder = self._group_dir(group)
            if not (folder / GROUP_META).exists():
                if missing_ok:
                    return False
                raise ResourceNotFoundException("The specified log group does not exist.")
            # Moved aside under the lock, removed outside it: appends never wait for the disk.
            trash = self.root / TRASH / f"{folder.name[:100]}.{uuid.uuid4().hex}"
            trash.parent.mkdir(exist_ok=True)
            os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    # -- retention --------------------------------------------------------------------------

    def purge(self, group: str) -> int:
        """Remove a group's expired events from its files (streams stay, as CloudWatch keeps
        them once emptied); how many streams were trimmed. The copying is done outside the
        lock, so appends wait only for the last few bytes and the swap."""
        try:
            cutoff = self.cutoff(self.settings(group))
            streams = self._streams(group) if cutoff is not None else []
        except (OSError, ValueError, ResourceNotFoundException):
            return 0  # deleted meanwhile
        trimmed = 0
        for path, info in streams:
            if info.first_event_timestamp is None or info.first_event_timestamp >= cutoff:
                continue
            try:
                trimmed += self._trim(group, info.name, path, cutoff)
            except (OSError, ValueError):
                continue  # deleted meanwhile, or a line this store did not write
        return trimmed

    def _trim(self, group: str, stream: str, path: Path, cutoff: int) -> bool:
        cut = kept_from(path, cutoff)
        if cut is None:
            return False
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            trim(path, temporary, *cut)
            with self._lock:
                if not path.exists():
                    return False  # the stream or its group was deleted meanwhile
                handle = self._handles.pop((group, stream), None)
                if handle is not None:
                    handle.file.close()
                copy_tail(path, temporary, cut[1])
                os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return True

    def close(self) -> None:
        with self._lock:
            while self._handles:
                self._handles.popitem()[1].file.close()

    # -- files ------------------------------------------------------------------------------

    def _open(self, group: str, stream: str, now: int) -> _Open:
        key = (group, stream)
        opened = self._handles.get(key)
        if opened is not None:
            self._handles.move_to_end(key)
            return opened
        folder = self._group_dir(group)
        if group not in self._known_groups:
            self._create_group(folder, group, now)
            self._known_groups.add(group)
        file = open(self._stream_file(folder, stream), "ab")
        base = 0
        if file.tell() == 0:  # a new stream: its file begins with its real name
            file.write(header_line(stream, now))
        else:
            with open(file.name, "rb") as reader:
                base = base_of(reader.readline())
        opened = self._handles[key] = _Open(file, base)
        if len(self._handles) > self._max_open:
            self._handles.popitem(last=False)[1].file.close()
        return opened

    def _create_group(self, folder: Path, group: str, now: int) -> None:
        if (folder / GROUP_META).exists():
            return
        self._write_meta(folder, {"logGroupName": group, "creationTime": now})

    def _write_meta(self, folder: Path, meta: dict) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed in, so a reader never sees a half-written group.
        temporary = folder / f"{GROUP_META}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(meta))
        os.replace(temporary, folder / GROUP_META)

    def _mark_unordered(self, group: str, stream: str) -> None:
        """Note a stream written out of time order: readers then read all of it."""
        folder = self._group_dir(group)
        meta = read_meta(folder)
        if stream not in meta.get(UNORDERED, []):
            meta[UNORDERED] = [*meta.get(UNORDERED, []), stream]
            self._write_meta(folder, meta)
