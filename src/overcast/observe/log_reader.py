"""Reading log groups, streams and events as CloudWatch Logs answers them (the read side of
`observe/logs.py`'s LogStore, which adds writing).

Layout under `<data_dir>/logs/`: one folder per group, holding a `.group` file (the group's
real name, creation time, its settings: retention, tags, filters) and one file per stream (its
format: `observe/_logfile.py`).

A group's retention (`settings["retentionInDays"]`) applies to every read: an event older than
the retention is never returned, even before `LogStore.purge` has removed it (CloudWatch
deletes expired events within 72 hours, and never shows them meanwhile).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from overcast.aws.paging import InvalidToken, decode_token, encode_token
from overcast.observe._logfile import (
    BadPosition,
    RawEvent,
    end_position,
    file_name,
    offset_at,
    read_events,
    read_summary,
)
from overcast.observe.filter_pattern import matcher
from overcast.services.logs.errors import InvalidParameterException, ResourceNotFoundException

T = TypeVar("T")

GROUP_META = ".group"
STREAM_SUFFIX = ".log"
DAY_MS = 24 * 3600 * 1000
RETENTION = "retentionInDays"  # the settings key the reads obey
UNORDERED = "unorderedStreams"  # the meta key naming streams written out of time order


@dataclass(frozen=True)
class LogGroupInfo:
    name: str
    creation_time: int  # epoch ms
    stored_bytes: int
    settings: dict  # retentionInDays, tags, filters...: what the logs service keeps


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
    offset: int  # the event's position in its stream (observe/_logfile.py)

    @property
    def event_id(self) -> str:
        return event_id(self.stream, self.timestamp, self.offset)


def event_id(stream: str, timestamp: int, position: int) -> str:
    """A stable numeric id (CloudWatch's are digit strings): time, stream hash, position."""
    stream_hash = int.from_bytes(hashlib.blake2b(stream.encode(), digest_size=4).digest())
    return f"{timestamp:015d}{stream_hash:010d}{position:015d}"


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


class LogReader:
    """The read side of the log store under `<data_dir>/logs/`."""

    def __init__(self, data_dir: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        self.root = Path(data_dir) / "logs"
        self.root.mkdir(parents=True, exist_ok=True)
        self._clock = clock

    # -- groups -----------------------------------------------------------------------------

    def describe_groups(
        self, prefix: str = "", pattern: str = "", limit: int = 50, next_token: str | None = None
    ) -> Page[LogGroupInfo]:
        """Groups in name order, whose name starts with `prefix` and contains `pattern`."""
        names = sorted(
            name for name, _ in self.groups() if name.startswith(prefix) and pattern in name
        )
        start = _decode_token(next_token, int) if next_token else 0
        chosen = names[start : start + limit]
        infos = [info for info in map(self._group_info_or_none, chosen) if info is not None]
        more = start + limit < len(names)
        return Page(infos, encode_token(start + limit) if more else None)

    def group_info(self, group: str) -> LogGroupInfo:
        folder = self._existing_group_dir(group)
        meta = read_meta(folder)
        stored = sum(path.stat().st_size for path in folder.glob("*" + STREAM_SUFFIX))
        return LogGroupInfo(group, meta["creationTime"], stored, meta.get("settings", {}))

    def settings(self, group: str) -> dict:
        """What the logs service keeps of a group (ResourceNotFoundException when absent)."""
        return read_meta(self._existing_group_dir(group)).get("settings", {})

    def groups(self) -> Iterator[tuple[str, Path]]:
        """Every group's name and folder, in no order."""
        for folder in self.root.iterdir():
            try:
                meta = read_meta(folder)
            except (OSError, ValueError):
                continue  # not a group, or one being created or deleted right now
            yield meta["logGroupName"], folder

    # -- streams ----------------------------------------------------------------------------

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

    def require_stream(self, group: str, stream: str) -> None:
        """ResourceNotFoundException unless the group and its stream exist."""
        self._stream_path(group, stream)

    # -- events -----------------------------------------------------------------------------

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
        start_time = _later(start_time, self.cutoff(self.settings(group)))

        def in_range(event: RawEvent) -> bool:
            after_start = start_time is None or event.timestamp >= start_time
            return after_start and (end_time is None or event.timestamp < end_time)

        try:
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
                    end = end_position(path)
        except BadPosition:
            raise InvalidParameterException("The specified nextToken is invalid.") from None
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

        `filter_pattern` is CloudWatch's filter pattern syntax (observe/filter_pattern.py).
        """
        if stream_names and stream_prefix:
            raise InvalidParameterException(
                "Cannot specify both logStreamNames and logStreamNamePrefix."
            )
        matches = matcher(filter_pattern)
        after = tuple(_decode_token(next_token, list)) if next_token else None
        if after is not None and [type(part) for part in after] != [int, str, int]:
            raise InvalidParameterException("The specified nextToken is invalid.")
        found = [
            event
            for event in self.events(group, stream_names, stream_prefix, start_time, end_time)
            if (after is None or _order(event) > after) and matches(event.message)
        ]
        found.sort(key=_order)
        chosen = found[:limit]
        token = encode_token(list(_order(chosen[-1]))) if len(found) > limit else None
        return Page(chosen, token)

    def events(
        self,
        group: str,
        stream_names: list[str] | None = None,
        stream_prefix: str = "",
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> Iterator[LogEvent]:
        """Every event of a group's chosen streams from `start_time` to `end_time` (both
        included), stream after stream, each in its stream's order; none past retention."""
        meta = read_meta(self._existing_group_dir(group))
        start_time = _later(start_time, self.cutoff(meta.get("settings", {})))
        unordered = set(meta.get(UNORDERED, ()))
        for path, info in self._streams(group):
            if stream_names is not None and info.name not in stream_names:
                continue
            if not info.name.startswith(stream_prefix):
                continue
            ordered = info.name not in unordered
            # A stream in time order (every function's: one environment's invocations, one
            # after another) whose last event is older than the window can be skipped, and a
            # long one entered where the window starts.
            first = 0
            if ordered and start_time is not None:
                if (info.last_event_timestamp or 0) < start_time:
                    continue
                first = offset_at(path, start_time)
            for raw in read_events(path, first):
                if start_time is not None and raw.timestamp < start_time:
                    continue
                if end_time is not None and raw.timestamp > end_time:
                    continue
                yield _event(info.name, raw)

    def cutoff(self, settings: dict) -> int | None:
        """The timestamp before which a group's events have expired (None: they never do)."""
        days = settings.get(RETENTION)
        return self.now_ms() - days * DAY_MS if days else None

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    # -- files ------------------------------------------------------------------------------

    def _group_info_or_none(self, name: str) -> LogGroupInfo | None:
        try:
            return self.group_info(name)
        except (OSError, ValueError, ResourceNotFoundException):
            return None  # deleted since it was listed

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

    def _stream_file(self, folder: Path, stream: str) -> Path:
        return folder / (file_name(stream) + STREAM_SUFFIX)

    def _stream_path(self, group: str, stream: str) -> Path:
        path = self._stream_file(self._existing_group_dir(group), stream)
        if not path.exists():
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return path


def read_meta(folder: Path) -> dict:
    """A group's `.group` file: logGroupName, creationTime, settings, unorderedStreams."""
    return json.loads((folder / GROUP_META).read_text())


def _later(start_time: int | None, cutoff: int | None) -> int | None:
    if cutoff is None:
        return start_time
    return cutoff if start_time is None else max(start_time, cutoff)


def _event(stream: str, raw: RawEvent) -> LogEvent:
    return LogEvent(stream, raw.timestamp, raw.ingestion_time, raw.message, raw.offset)


def _order(event: LogEvent) -> tuple[int, str, int]:
    return (event.timestamp, event.stream, event.offset)


def _parse_position(token: str | None, start_from_head: bool) -> tuple[str, int | None]:
    if not token:
        return ("f", 0) if start_from_head else ("b", None)
    direction, _, number = token.partition("/")
    if direction not in ("f", "b") or not (number.isascii() and number.isdigit()):
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
