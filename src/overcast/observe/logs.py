"""Function logs: per-function log groups and per-environment streams, as CloudWatch keeps them.

Layout under `<data_dir>/logs/`: one folder per group, holding a `.group` file with the group's
real name and creation time, and one file per stream (its format: `observe/_logfile.py`).

Writing is the engine's hot path (every invocation ends with an `append`): one buffered write
to a file kept open, flushed so a reader (`overcast logs --follow`) sees it, never fsynced —
losing the last lines of a power cut is an acceptable price for logs, as in CloudWatch's agent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

from overcast.aws.paging import InvalidToken, decode_token, encode_token
from overcast.observe._logfile import (
    RawEvent,
    event_lines,
    file_name,
    header_line,
    offset_at,
    read_events,
    read_summary,
)
from overcast.observe.filter_pattern import matcher
from overcast.services.logs.errors import InvalidParameterException, ResourceNotFoundException

T = TypeVar("T")

GROUP_META = ".group"
TRASH = ".deleted"  # groups being deleted; never a group folder, whose names have no "."
STREAM_SUFFIX = ".log"


@dataclass(frozen=True)
class LogGroupInfo:
    name: str
    creation_time: int  # epoch ms
    stored_bytes: int


@dataclass(frozen=True)
class LogStreamInfo:
    name: str
    creation_time: int
    first_event_timestamp: int | None
    last_event_timestamp: int | None
    last_ingestion_time: int | None
    stored_bytes: int


@dataclass(frozen=True)
class LogEvent:
    stream: str
    timestamp: int
    ingestion_time: int
    message: str
    offset: int  # where the event's line starts in its stream file: its position in the stream

    @property
    def event_id(self) -> str:
        """A stable numeric id (CloudWatch's are digit strings): time, stream hash, position."""
        stream_hash = int.from_bytes(hashlib.blake2b(self.stream.encode(), digest_size=4).digest())
        return f"{self.timestamp:015d}{stream_hash:010d}{self.offset:015d}"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


@dataclass(frozen=True)
class EventsPage:
    """A GetLogEvents answer: the tokens are never null, and repeat the caller's at the end."""

    events: list[LogEvent]
    forward_token: str
    backward_token: str


class LogStore:
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
        self.root = Path(data_dir) / "logs"
        self.root.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._max_open = max_open_files
        self._handles: OrderedDict[tuple[str, str], BinaryIO] = OrderedDict()  # LRU
        self._known_groups: set[str] = set()
        self._lock = threading.Lock()

    # -- writing ----------------------------------------------------------------------------

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append (timestamp_ms, message) events to a stream, creating group and stream."""
        if not events:
            return
        now = self._now()
        data = event_lines(events, now)
        with self._lock:
            handle = self._handle(group, stream, now)
            handle.write(data)
            handle.flush()

    def delete_group(self, group: str, *, missing_ok: bool = False) -> bool:
        """Delete a group with all its streams; False (or LogsResourceNotFound) when absent."""
        with self._lock:
            for key in [key for key in self._handles if key[0] == group]:
                self._handles.pop(key).close()
            self._known_groups.discard(group)
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

    def close(self) -> None:
        with self._lock:
            while self._handles:
                self._handles.popitem()[1].close()

    def _handle(self, group: str, stream: str, now: int) -> BinaryIO:
        key = (group, stream)
        handle = self._handles.get(key)
        if handle is not None:
            self._handles.move_to_end(key)
            return handle
        folder = self._group_dir(group)
        if group not in self._known_groups:
            self._create_group(folder, group, now)
            self._known_groups.add(group)
        handle = open(folder / (file_name(stream) + STREAM_SUFFIX), "ab")
        if handle.tell() == 0:  # a new stream: its file begins with its real name
            handle.write(header_line(stream, now))
        self._handles[key] = handle
        if len(self._handles) > self._max_open:
            self._handles.popitem(last=False)[1].close()
        return handle

    def _create_group(self, folder: Path, group: str, now: int) -> None:
        if (folder / GROUP_META).exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed in, so a reader never sees a half-written group.
        temporary = folder / f"{GROUP_META}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"logGroupName": group, "creationTime": now}))
        os.replace(temporary, folder / GROUP_META)

    # -- reading ----------------------------------------------------------------------------

    def describe_groups(
        self, prefix: str = "", pattern: str = "", limit: int = 50, next_token: str | None = None
    ) -> Page[LogGroupInfo]:
        """Groups in name order, whose name starts with `prefix` and contains `pattern`."""
        names = sorted(
            name for name, _ in self._groups() if name.startswith(prefix) and pattern in name
        )
        start = _decode_token(next_token, int) if next_token else 0
        chosen = names[start : start + limit]
        infos = [self.group_info(name) for name in chosen]
        more = start + limit < len(names)
        return Page(infos, encode_token(start + limit) if more else None)

    def group_info(self, group: str) -> LogGroupInfo:
        folder = self._existing_group_dir(group)
        meta = json.loads((folder / GROUP_META).read_text())
        stored = sum(path.stat().st_size for path in folder.glob("*" + STREAM_SUFFIX))
        return LogGroupInfo(group, meta["creationTime"], stored)

    def describe_streams(
        self,
        group: str,
        prefix: str = "",
        order_by: str = "LogStreamName",
        descending: bool = False,
        limit: int = 50,
        next_token: str | None = None,
    ) -> Page[LogStreamInfo]:
        """Streams of a group ordered by name or by last event time (CloudWatch's `orderBy`)."""
        if prefix and order_by == "LastEventTime":
            raise InvalidParameterException(
                "Cannot order by LastEventTime with a logStreamNamePrefix."
            )
        streams = [info for _, info in self._streams(group) if info.name.startswith(prefix)]
        if order_by == "LastEventTime":
            streams.sort(key=lambda info: (info.last_event_timestamp or 0, info.name))
        else:
            streams.sort(key=lambda info: info.name)
        if descending:
            streams.reverse()
        start = _decode_token(next_token, int) if next_token else 0
        more = start + limit < len(streams)
        return Page(streams[start : start + limit], encode_token(start + limit) if more else None)

    def get_events(
        self,
        group: str,
        stream: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int = 10000,
        start_from_head: bool = False,
        next_token: str | None = None,
    ) -> EventsPage:
        """One stream's events, oldest first, with CloudWatch's forward/backward tokens.

        Without a token, the newest `limit` events (or the oldest with `start_from_head`).
        `f/N` reads forward from position N, `b/N` backward from before it; at the end of the
        stream the same token comes back, which is how clients know to stop.
        """
        path = self._stream_path(group, stream)
        direction, position = _parse_position(next_token, start_from_head)

        def in_range(event: RawEvent) -> bool:
            after_start = start_time is None or event.timestamp >= start_time
            return after_start and (end_time is None or event.timestamp < end_time)

        if direction == "f":
            chosen, end = [], position
            for event in read_events(path, position):
                end = event.end
                if in_range(event):
                    chosen.append(event)
                    if len(chosen) == limit:
                        break
        else:
            chosen = [event for event in read_events(path, 0, position) if in_range(event)]
            chosen = chosen[-limit:]
            end = chosen[-1].end if chosen else position
            if end is None:
                end = path.stat().st_size
        forward = f"f/{end}"
        backward = f"b/{chosen[0].offset if chosen else position or 0}"
        if direction == "b" and next_token and not chosen:
            backward = next_token  # nothing further back: the caller's token says we are done
        return EventsPage([_event(stream, raw) for raw in chosen], forward, backward)

    def filter_events(
        self,
        group: str,
        stream_names: list[str] | None = None,
        stream_prefix: str = "",
        start_time: int | None = None,
        end_time: int | None = None,
        filter_pattern: str = "",
        limit: int = 10000,
        next_token: str | None = None,
    ) -> Page[LogEvent]:
        """Matching events across a group's streams, interleaved in (timestamp, stream) order.

        `filter_pattern` takes CloudWatch's unstructured-text terms: every plain or "quoted"
        term must occur, `-term` must not, and at least one `?term` must when any is given.
        """
        if stream_names and stream_prefix:
            raise InvalidParameterException(
                "Cannot specify both logStreamNames and logStreamNamePrefix."
            )
        matches = matcher(filter_pattern)
        after = tuple(_decode_token(next_token, list)) if next_token else None
        if after is not None and [type(part) for part in after] != [int, str, int]:
            raise InvalidParameterException("The specified nextToken is invalid.")
        found: list[LogEvent] = []
        for path, info in self._streams(group):
            if stream_names is not None and info.name not in stream_names:
                continue
            if not info.name.startswith(stream_prefix):
                continue
            # A stream is one environment's invocations, one after another, so its events come
            # in time order: one whose last event is older than the window can be skipped.
            if start_time is not None and (info.last_event_timestamp or 0) < start_time:
                continue
            first = offset_at(path, start_time) if start_time is not None else 0
            for raw in read_events(path, first):
                if start_time is not None and raw.timestamp < start_time:
                    continue
                if end_time is not None and raw.timestamp > end_time:
                    continue
                event = _event(info.name, raw)
                if after is not None and _order(event) <= after:
                    continue
                if matches(event.message):
                    found.append(event)
        found.sort(key=_order)
        chosen = found[:limit]
        token = encode_token(list(_order(chosen[-1]))) if len(found) > limit else None
        return Page(chosen, token)

    def _groups(self) -> Iterator[tuple[str, Path]]:
        for folder in self.root.iterdir():
            try:
                meta = json.loads((folder / GROUP_META).read_text())
            except (OSError, ValueError):
                continue  # not a group, or one being created or deleted right now
            yield meta["logGroupName"], folder

    def _streams(self, group: str) -> list[tuple[Path, LogStreamInfo]]:
        streams = []
        for path in self._existing_group_dir(group).glob("*" + STREAM_SUFFIX):
            summary = read_summary(path)
            if summary is None:
                continue
            first, last = summary.first, summary.last
            info = LogStreamInfo(
                name=summary.name,
                creation_time=summary.creation_time,
                first_event_timestamp=first.timestamp if first else None,
                last_event_timestamp=last.timestamp if last else None,
                last_ingestion_time=last.ingestion_time if last else None,
                stored_bytes=summary.size,
            )
            streams.append((path, info))
        return streams

    def _group_dir(self, group: str) -> Path:
        return self.root / file_name(group)

    def _existing_group_dir(self, group: str) -> Path:
        folder = self._group_dir(group)
        if not (folder / GROUP_META).exists():
            raise ResourceNotFoundException("The specified log group does not exist.")
        return folder

    def _stream_path(self, group: str, stream: str) -> Path:
        path = self._existing_group_dir(group) / (file_name(stream) + STREAM_SUFFIX)
        if not path.exists():
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return path

    def _now(self) -> int:
        return int(self._clock() * 1000)


def _event(stream: str, raw: RawEvent) -> LogEvent:
    return LogEvent(stream, raw.timestamp, raw.ingestion_time, raw.message, raw.offset)


def _order(event: LogEvent) -> tuple[int, str, int]:
    return (event.timestamp, event.stream, event.offset)


def _parse_position(token: str | None, start_from_head: bool) -> tuple[str, int | None]:
    if not token:
        return ("f", 0) if start_from_head else ("b", None)
    direction, _, number = token.partition("/")
    if direction not in ("f", "b") or not number.isdigit():
        raise InvalidParameterException("The specified nextToken is invalid.")
    return direction, int(number)


def _decode_token(token: str, kind: type) -> object:
    try:
        value = decode_token(token)
    except InvalidToken:
        value = None
    if not isinstance(value, kind) or isinstance(value, bool) or (kind is int and value < 0):
        raise InvalidParameterException("The specified nextToken is invalid.")
    return value
