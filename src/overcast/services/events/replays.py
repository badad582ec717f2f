"""Replays: StartReplay / DescribeReplay / ListReplays / CancelReplay.

A replay sends an archive's events whose own `time` lies in [EventStartTime, EventEndTime)
back to the archive's bus, oldest first, each with `replay-name` added after `region`, as
EventBridge delivers them; only the rules named in Destination.FilterArns see them when some
are named, every rule of the bus otherwise. A replay is STARTING when StartReplay answers,
RUNNING while it sends, then COMPLETED; CancelReplay turns a running one CANCELLING, then
CANCELLED. EventLastReplayedTime is the time of the last event sent.

Replays run on a thread of their own, with no pause between events (EventBridge paces them a
minute of event time at a time). A replay the server stopped in the middle of is FAILED when
it comes back; the events it had sent stay sent.

    arn:aws:events:REGION:ACCOUNT:replay/NAME
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from overcast.aws.arn import arn
from overcast.aws.errors import ValidationException
from overcast.services.events.archives import REPLAY_NAME, ArchiveService
from overcast.services.events.buses import paged
from overcast.services.events.errors import (
    IllegalStatusException,
    LimitExceededException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from overcast.services.events.model import bus_name
from overcast.services.events.registry import EventRegistry
from overcast.services.events.store import EventBridgeStore, Key

log = logging.getLogger(__name__)

TABLE = "event_replays"
STARTING, RUNNING, CANCELLING = "STARTING", "RUNNING", "CANCELLING"
COMPLETED, CANCELLED, FAILED = "COMPLETED", "CANCELLED", "FAILED"
ACTIVE = (STARTING, RUNNING)
MAX_ACTIVE = 10  # replays STARTING or RUNNING at once, in a region
INTERRUPTED = "The replay was interrupted: the server stopped while it ran."

# Put one replayed event on its bus: (region, bus, event, the only rules to see it, or None).
Send = Callable[[str, str, dict, "frozenset[str] | None"], None]


@dataclass(frozen=True)
class Replay:
    region: str
    name: str
    account_id: str
    archive_arn: str
    event_start: datetime
    event_end: datetime
    destination: dict
    started: datetime
    description: str | None = None
    state: str = STARTING
    state_reason: str | None = None
    ended: datetime | None = None
    last_replayed: datetime | None = None
    extra: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn("events", self.region, self.account_id, f"replay/{self.name}")

    @property
    def key(self) -> Key:
        return (self.region, self.name)

    def to_record(self) -> dict:
        record = {name: getattr(self, name) for name in _FIELDS}
        for name in _TIMES:
            moment = record[name]
            record[name] = None if moment is None else moment.isoformat()
        return record

    @classmethod
    def from_record(cls, key: Key, record: dict) -> Replay:
        values = {name: record.get(name) for name in _FIELDS}
        for name in _TIMES:
            if values[name] is not None:
                values[name] = datetime.fromisoformat(values[name])
        return cls(key[0], key[1], **values)


_FIELDS = (
    "account_id", "archive_arn", "event_start", "event_end", "destination", "started",
    "description", "state", "state_reason", "ended", "last_replayed",
)  # fmt: skip
_TIMES = ("event_start", "event_end", "started", "ended", "last_replayed")


class ReplayService:
    def __init__(
        self,
        registry: EventRegistry,
        store: EventBridgeStore,
        archives: ArchiveService,
        send: Send,
    ) -> None:
        self.registry = registry
        self.store = store
        self.archives = archives
        self.send = send
        self._replays: dict[Key, Replay] = {}
        self._runners: dict[Key, threading.Thread] = {}
        self._stopping = threading.Event()
        for key, doc in store.load_documents(TABLE).items():
            replay = Replay.from_record(key, doc)
            if replay.state in (*ACTIVE, CANCELLING):
                replay = replace(replay, state=FAILED, state_reason=INTERRUPTED)
                store.put_document(TABLE, key, replay.to_record())
            self._replays[key] = replay

    # --- the API ----------------------------------------------------------------------------

    def start(
        self,
        region: str,
        name: str,
        archive_arn: str,
        event_start: datetime,
        event_end: datetime,
        destination: dict,
        description: str | None = None,
    ) -> Replay:
        target = destination["Arn"]
        if ":event-bus/" not in target:
            raise ValidationException(
                "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN."
            )
        with self.registry.lock:
            bus = self.registry.bus(region, bus_name(target))
            archive = self.archives.named(region, archive_arn)
            if archive is None:
                archive_name = archive_arn.rsplit("/", 1)[-1]
                raise ValidationException(
                    "Parameter EventSourceArn is not valid. "
                    f"Reason: Archive {archive_name} does not exist."
                )
            if archive.bus != bus.name:
                raise ValidationException(
                    "Parameter Destination.Arn is not valid. "
                    "Reason: Cross event bus replay is not permitted."
                )
            if event_end <= event_start:
                raise ValidationException(
                    "Parameter EventEndTime is not valid. "
                    "Reason: EventStartTime must be before EventEndTime."
                )
            if (region, name) in self._replays:
                raise ResourceAlreadyExistsException(f"Replay {name} already exists.")
            active = [r for r in self._replays.values() if r.region == region and r.state in ACTIVE]
            if len(active) >= MAX_ACTIVE:
                raise LimitExceededException(
                    "The requested resource exceeds the maximum number allowed."
                )
            replay = Replay(
                region,
                name,
                self.registry.account_id,
                archive.arn,
                event_start,
                event_end,
                dict(destination),
                self.registry.clock(),
                description,
            )
            self._save(replay)
            runner = threading.Thread(
                target=self._run, args=(replay.key,), name=f"replay-{name}", daemon=True
            )
            self._runners[replay.key] = runner
        runner.start()
        return replay

    def describe(self, region: str, name: str) -> Replay:
        found = self._replays.get((region, name))
        if found is None:
            raise ResourceNotFoundException(f"Replay {name} does not exist.")
        return found

    def list(
        self,
        region: str,
        *,
        prefix: str | None,
        archive_arn: str | None,
        state: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[Replay], str | None]:
        if sum(given is not None for given in (prefix, archive_arn, state)) > 1:
            raise ValidationException(
                "At most one filter is allowed for ListReplays. "
                "Use either : State, EventSourceArn, or NamePrefix."
            )
        found = [
            replay
            for (r, name), replay in sorted(self._replays.items())
            if r == region
            and name.startswith(prefix or "")
            and archive_arn in (None, replay.archive_arn)
            and state in (None, replay.state)
        ]
        return paged(found, next_token, limit)

    def cancel(self, region: str, name: str) -> Replay:
        with self.registry.lock:
            replay = self.describe(region, name)
            if replay.state not in ACTIVE:
                raise IllegalStatusException(
                    f"Replay {name} is not in a valid state for this operation."
                )
            cancelling = replace(replay, state=CANCELLING)
            self._save(cancelling)
        return cancelling

    def stop(self) -> None:
        """Stop the running replays (they are FAILED when the server comes back)."""
        self._stopping.set()
        for runner in list(self._runners.values()):
            runner.join(timeout=5)

    # --- running ----------------------------------------------------------------------------

    def _run(self, key: Key) -> None:
        try:
            self._replay(key)
        except Exception as error:  # a replay fails alone, and says why
            log.exception("replay %s failed", key[1])
            self._set(key, state=FAILED, state_reason=str(error)[:512], ended=self._now())
        finally:
            self._runners.pop(key, None)

    def _replay(self, key: Key) -> None:
        with self.registry.lock:
            if self._replays[key].state == CANCELLING:  # cancelled before it began
                self._set(key, state=CANCELLED, ended=self._now())
                return
            replay = self._set(key, state=RUNNING)
        archive = self.archives.named(replay.region, replay.archive_arn)
        if archive is None:
            raise RuntimeError(f"Archive {replay.archive_arn} no longer exists.")
        rules = replay.destination.get("FilterArns") or None
        only = frozenset(rules) if rules else None
        start, end = replay.event_start.timestamp(), replay.event_end.timestamp()
        for kept in self.store.archived_events(archive.key, start, end):
            if self._stopping.is_set():
                return  # left RUNNING: FAILED when the server comes back
            if self._replays[key].state == CANCELLING:
                self._set(key, state=CANCELLED, ended=self._now())
                return
            self.send(replay.region, archive.bus, _replayed(kept.event, replay.name), only)
            self._set(key, last_replayed=datetime.fromtimestamp(kept.time, UTC))
        with self.registry.lock:
            final = CANCELLED if self._replays[key].state == CANCELLING else COMPLETED
            self._set(key, state=final, ended=self._now())

    def _set(self, key: Key, **changes: object) -> Replay:
        with self.registry.lock:
            changed = replace(self._replays[key], **changes)  # type: ignore[arg-type]
            self._save(changed)
        return changed

    def _save(self, replay: Replay) -> None:
        self.store.put_document(TABLE, replay.key, replay.to_record())
        self._replays[replay.key] = replay

    def _now(self) -> datetime:
        return self.registry.clock()


def _replayed(event: dict, name: str) -> dict:
    """The event as a replay delivers it: `replay-name` follows `region` (as recorded)."""
    out: dict = {}
    for field_name, value in event.items():
        out[field_name] = value
        if field_name == "region":
            out[REPLAY_NAME] = name
    out.setdefault(REPLAY_NAME, name)
    return out
