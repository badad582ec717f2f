"""An in-process Kinesis (SQLite file in a temporary folder, a clock the test moves) for the
tests that need time or restarts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overcast.services.kinesis.iterators import Iterators
from overcast.services.kinesis.records import RecordService
from overcast.services.kinesis.store import KinesisStore
from overcast.services.kinesis.streams import StreamService
from overcast.shards import Arrivals

REGION = "us-east-1"
ACCOUNT = "123456789012"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Kinesis:
    store: KinesisStore
    streams: StreamService
    records: RecordService
    arrivals: Arrivals
    clock: Clock

    def arn(self, name: str) -> str:
        return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"


def open_kinesis(path: Path, clock: Clock | None = None, settle_s: float = 0.0) -> Kinesis:
    clock = clock or Clock()
    store = KinesisStore(path)
    streams = StreamService(store, ACCOUNT, clock=clock, settle_s=settle_s)
    arrivals = Arrivals()
    records = RecordService(streams, Iterators(store.secret()), arrivals)
    return Kinesis(store, streams, records, arrivals, clock)
