"""The on-disk format of a log stream, private to `observe/logs.py`.

A stream file is a header line, `{"logStreamName": ..., "creationTime": ...}`, then one JSON
array per event, `[timestamp, ingestionTime, message]` (JSON so messages may hold newlines, and
ASCII-escaped so even lone surrogates from a misbehaving process round-trip). An event's byte
offset in the file is its position in the stream: tokens and event ids are made of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
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


def header_line(stream: str, creation_time: int) -> bytes:
    return json.dumps({"logStreamName": stream, "creationTime": creation_time}).encode() + b"\n"


def event_lines(events: list[tuple[int, str]], ingestion_time: int) -> bytes:
    # What json.dumps([timestamp, ingestion_time, message]) writes, compactly, without building
    # an encoder per line: every invocation writes at least three lines.
    return "".join(
        f"[{int(timestamp)},{ingestion_time},{encode_string(message)}]\n"
        for timestamp, message in events
    ).encode()


def read_events(path: Path, start: int = 0, stop: int | None = None) -> Iterator[RawEvent]:
    """The complete event lines of a stream file from byte `start` (0: the first) to `stop`."""
    with open(path, "rb") as file:
        header_end = len(file.readline())
        position = max(start, header_end)
        file.seek(position)
        data = file.read() if stop is None else file.read(max(0, stop - position))
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break  # an append in progress: its line is not complete yet
        yield _parse(line, position)
        position += len(line)


def offset_at(path: Path, timestamp: int) -> int:
    """Where the first event at or after `timestamp` may start: a bisection over byte offsets.

    A stream is one environment's invocations in turn, so its events are in time order; the
    answer is at most a block before the first such event, and readers skip what precedes it.
    """
    with open(path, "rb") as file:
        low = len(file.readline())  # always the start of a line
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
    return low


def read_summary(path: Path) -> StreamSummary | None:
    """Name, creation time, first and last events and size, without reading the whole file."""
    try:
        with open(path, "rb") as file:
            header = json.loads(file.readline())
            offset = file.tell()
            first = file.readline()
            size = os.fstat(file.fileno()).st_size
            events = None
            if first.endswith(b"\n"):  # else no complete event yet
                last_offset, last = _last_line(file, size)
                events = _parse(first, offset), _parse(last, last_offset)
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
