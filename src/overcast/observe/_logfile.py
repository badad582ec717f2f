"""The on-disk format of a log stream, private to `observe/logs.py`.

A stream file is a header line, `{"logStreamName": ..., "creationTime": ...}`, then one JSON
array per event, `[timestamp, ingestionTime, message]` (JSON so messages may hold newlines, and
ASCII-escaped so even lone surrogates from a misbehaving process round-trip).

An event's position in the stream is its byte offset in the file, shifted when older events
were trimmed off the front (`trim`: the header then names the first event's position, `first`).
Tokens and event ids are made of positions, so they stay valid when retention removes events.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as encode_string
from pathlib import Path
from typing import BinaryIO

MAX_FILE_NAME = 200  # below every filesystem's 255-byte limit, with room for a suffix
_SAFE = re.compile(r"[A-Za-z0-9_-]")


@dataclass(frozen=True)
class RawEvent:
    offset: int  # where the event's line starts in the file
    size: int  # the line's length in bytes, newline included
    timestamp: int
    ingestion_time: int
    message: str

    @property
    def end(self) -> int:
        return self.offset + self.size


@dataclass(frozen=True)
class StreamSummary:
    name: str
    creation_time: int
    first: RawEvent | None
    last: RawEvent | None
    size: int


def file_name(name: str) -> str:
    """A group or stream name made safe as one file name: %XX-escaped, hashed when too long.

    The real names live in the files themselves, so a hashed name need not be reversible.
    """
    escaped = "".join(
        char if _SAFE.match(char) else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in name
    )
    if len(escaped) <= MAX_FILE_NAME:
        return escaped
    # "~" never appears in an escaped name, so a hashed name cannot collide with a plain one.
    return escaped[:120] + "~" + hashlib.sha256(name.encode()).hexdigest()[:40]


class BadPosition(ValueError):
    """Raised when a position (from a caller's token) is not where an event starts."""


def header_line(stream: str, creation_time: int, first: int | None = None) -> bytes:
    header = {"logStreamName": stream, "creationTime": creation_time}
    if first is not None:
        header["first"] = first
    return json.dumps(header).encode() + b"\n"


def base_of(header: bytes) -> int:
    """What to add to a byte offset in the file to make it a position in the stream: 0 unless
    the header names the position of the first byte after it (`first`, written by `trim`)."""
    first = json.loads(header).get("first")
    return first - len(header) if isinstance(first, int) and first >= 0 else 0


def event_lines(events: list[tuple[int, str]], ingestion_time: int) -> bytes:
    # What json.dumps([timestamp, ingestion_time, message]) writes, compactly, without building
    # an encoder per line: every invocation writes at least three lines.
    return "".join(
        f"[{int(timestamp)},{ingestion_time},{encode_string(message)}]\n"
        for timestamp, message in events
    ).encode()


def read_events(path: Path, start: int = 0, stop: int | None = None) -> Iterator[RawEvent]:
    """The complete events of a stream file from position `start` (0: the first) to `stop`.

    BadPosition when `start` falls inside an event (a forged or stale token)."""
    with open(path, "rb") as file:
        header = file.readline()
        base, header_end = base_of(header), len(header)
        position = max(start - base, header_end)
        if position > header_end:
            file.seek(position - 1)
            if file.read(1) != b"\n":
                raise BadPosition(f"no event starts at {start}")
        file.seek(position)
        data = file.read() if stop is None else file.read(max(0, stop - base - position))
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break  # an append in progress: its line is not complete yet
        yield _parse(line, position + base)
        position += len(line)


def end_position(path: Path) -> int:
    """The position just past the last byte of a stream file."""
    with open(path, "rb") as file:
        base = base_of(file.readline())
        return os.fstat(file.fileno()).st_size + base


def offset_at(path: Path, timestamp: int) -> int:
    """Where the first event at or after `timestamp` may start: a bisection over byte offsets.

    A stream is one environment's invocations in turn, so its events are in time order; the
    answer is at most a block before the first such event, and readers skip what precedes it.
    """
    with open(path, "rb") as file:
        header = file.readline()
        base, low = base_of(header), len(header)  # low: always the start of a line
        high = os.fstat(file.fileno()).st_size
        while high - low > 4096:
            file.seek((low + high) // 2)
            file.readline()  # the rest of the line the middle fell into
            start = file.tell()
            line = file.readline()
            if start >= high or not line.endswith(b"\n"):
                break
            if json.loads(line)[0] < timestamp:
                low = start + len(line)
            else:
                high = start
    return low + base


def read_summary(path: Path) -> StreamSummary | None:
    """Name, creation time, first and last events and size, without reading the whole file."""
    try:
        with open(path, "rb") as file:
            line = file.readline()
            header, base = json.loads(line), base_of(line)
            offset = file.tell()
            first = file.readline()
            size = os.fstat(file.fileno()).st_size
            events = None
            if first.endswith(b"\n"):  # else no complete event yet
                last_offset, last = _last_line(file, size)
                events = _parse(first, offset + base), _parse(last, last_offset + base)
    except (OSError, ValueError):
        return None  # being created or deleted right now
    name, created = header["logStreamName"], header["creationTime"]
    return StreamSummary(name, created, *(events or (None, None)), size)


def _parse(line: bytes, offset: int) -> RawEvent:
    timestamp, ingestion_time, message = json.loads(line)
    return RawEvent(offset, len(line), timestamp, ingestion_time, message)


def _last_line(file: BinaryIO, size: int) -> tuple[int, bytes]:
    """The last complete line of a file and its offset, reading back from the end in blocks."""
    block = 4096
    while True:
        start = max(0, size - block)
        file.seek(start)
        data = file.read(size - start)
        end = data.rfind(b"\n")  # the last complete line ends here; after it, a partial one
        begin = data.rfind(b"\n", 0, end)
        if begin >= 0 or start == 0:
            return start + begin + 1, data[begin + 1 : end + 1]
        block *= 4


def line_sizes(events: list[tuple[int, str]], ingestion_time: int) -> list[int]:
    """The size in the file of each event `event_lines` writes, in order."""
    return [len(event_lines([event], ingestion_time)) for event in events]


def kept_from(path: Path, cutoff: int) -> tuple[int, int] | None:
    """Where retention cuts a stream: the byte offset of its first event at or after `cutoff`
    (in file order; the file's size when every event is older), and the file's size then.
    None when nothing needs cutting."""
    with open(path, "rb") as file:
        position = len(file.readline())
        size = os.fstat(file.fileno()).st_size
        start = position
        for line in file:
            if position >= size or not line.endswith(b"\n") or _timestamp(line) >= cutoff:
                break
            position += len(line)
    return None if position == start else (position, size)


def trim(path: Path, temporary: Path, cut: int, size: int) -> None:
    """Write to `temporary` the stream without its bytes before offset `cut` (up to `size`),
    its header naming the first kept event's position, so that every event keeps its own."""
    with open(path, "rb") as source, open(temporary, "wb") as target:
        line = source.readline()
        header = json.loads(line)
        first = cut + base_of(line)
        target.write(header_line(header["logStreamName"], header["creationTime"], first))
        source.seek(cut)
        left = size - cut
        while left > 0:  # in blocks: a long stream is not held in memory
            block = source.read(min(left, 1 << 20))
            if not block:
                break
            target.write(block)
            left -= len(block)


def copy_tail(path: Path, temporary: Path, since: int) -> None:
    """Append to `temporary` what was appended to `path` after byte `since`."""
    with open(path, "rb") as source, open(temporary, "ab") as target:
        source.seek(since)
        shutil.copyfileobj(source, target)


def _timestamp(line: bytes) -> int:
    return int(line[1 : line.index(b",")])
