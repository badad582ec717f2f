"""Archives: CreateArchive / DescribeArchive / UpdateArchive / DeleteArchive / ListArchives, and
the events each keeps.

An archive belongs to one event bus (`EventSourceArn`). Every event put on that bus that
matches the archive's EventPattern (every event, without one) is kept, written down before
PutEvents answers; replayed events (those with `replay-name`) are not kept again, as
EventBridge's own archive rule excludes them. RetentionDays (0, or none: for ever) bounds how
long an event is kept, counted from when it was archived; older ones are forgotten when the
archive is next written or read. EventBridge fills its archives within minutes; Overcast's
are filled at once.

    arn:aws:events:REGION:ACCOUNT:archive/NAME
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache

from overcast.aws.arn import arn
from overcast.aws.errors import ValidationException
from overcast.aws.event_patterns.patterns import EventPattern
from overcast.services.events.buses import paged
from overcast.services.events.errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from overcast.services.events.model import bus_arn, bus_name
from overcast.services.events.registry import EventRegistry
from overcast.services.events.store import ArchivedEvent, EventBridgeStore, Key

TABLE = "event_archives"
ENABLED = "ENABLED"
DAY_S = 86_400
REPLAY_NAME = "replay-name"  # the field a replayed event carries


@dataclass(frozen=True)
class Archive:
    region: str
    name: str
    account_id: str
    bus: str
    created: datetime
    description: str | None = None
    event_pattern: str | None = None
    retention_days: int = 0
    extra: dict = field(default_factory=dict)  # KmsKeyIdentifier, kept and echoed

    @property
    def arn(self) -> str:
        return arn("events", self.region, self.account_id, f"archive/{self.name}")

    @property
    def source_arn(self) -> str:
        return bus_arn(self.region, self.account_id, self.bus)

    @property
    def key(self) -> Key:
        return (self.region, self.name)

    def keeps(self, event: dict) -> bool:
        if REPLAY_NAME in event:
            return False
        return self.event_pattern is None or _pattern(self.event_pattern).matches(event)

    def to_record(self) -> dict:
        return {
            "account_id": self.account_id,
            "bus": self.bus,
            "created": self.created.isoformat(),
            "description": self.description,
            "event_pattern": self.event_pattern,
            "retention_days": self.retention_days,
            "extra": self.extra,
        }

    @classmethod
    def from_record(cls, key: Key, record: dict) -> Archive:
        return cls(
            key[0],
            key[1],
            record["account_id"],
            record["bus"],
            datetime.fromisoformat(record["created"]),
            record.get("description"),
            record.get("event_pattern"),
            record.get("retention_days") or 0,
            record.get("extra") or {},
        )


class ArchiveService:
    def __init__(self, registry: EventRegistry, store: EventBridgeStore) -> None:
        self.registry = registry
        self.store = store
        self._archives = {
            key: Archive.from_record(key, doc) for key, doc in store.load_documents(TABLE).items()
        }

    # --- the API ----------------------------------------------------------------------------

    def create(
        self,
        region: str,
        name: str,
        source_arn: str,
        *,
        description: str | None = None,
        event_pattern: str | None = None,
        retention_days: int | None = None,
        extra: dict | None = None,
    ) -> Archive:
        with self.registry.lock:
            bus = self.registry.bus(region, bus_name(source_arn))
            if event_pattern is not None:
                EventPattern.parse(event_pattern)
            if (region, name) in self._archives:
                raise ResourceAlreadyExistsException(f"Archive {name} already exists.")
            archive = Archive(
                region,
                name,
                self.registry.account_id,
                bus.name,
                self.registry.clock(),
                description,
                event_pattern,
                retention_days or 0,
                extra or {},
            )
            self._save(archive)
        return archive

    def describe(self, region: str, name: str) -> Archive:
        found = self._archives.get((region, name))
        if found is None:
            raise ResourceNotFoundException(f"Archive {name} does not exist.")
        self._expire(found)
        return found

    def update(
        self,
        region: str,
        name: str,
        *,
        description: str | None = None,
        event_pattern: str | None = None,
        retention_days: int | None = None,
        extra: dict | None = None,
    ) -> Archive:
        if description is None and event_pattern is None and retention_days is None:
            raise ValidationException(
                "At least one of EventPattern, RetentionDays or Description must be provided."
            )
        with self.registry.lock:
            archive = self.describe(region, name)
            if event_pattern is not None:
                EventPattern.parse(event_pattern)
            changed = replace(
                archive,
                description=archive.description if description is None else description,
                event_pattern=archive.event_pattern if event_pattern is None else event_pattern,
                retention_days=archive.retention_days if retention_days is None else retention_days,
                extra={**archive.extra, **(extra or {})},
            )
            self._save(changed)
        return changed

    def delete(self, region: str, name: str) -> None:
        with self.registry.lock:
            archive = self.describe(region, name)
            self.store.delete_document(TABLE, archive.key)
            self.store.drop_archived(archive.key)
            del self._archives[archive.key]

    def list(
        self,
        region: str,
        *,
        prefix: str | None,
        source_arn: str | None,
        state: str | None,
        next_token: str | None,
        limit: int | None,
    ) -> tuple[list[Archive], str | None]:
        if sum(given is not None for given in (prefix, source_arn, state)) > 1:
            raise ValidationException(
                "At most one filter is allowed for ListArchives. "
                "Use either : State, EventSourceArn, or NamePrefix."
            )
        bus = None if source_arn is None else self.registry.bus(region, bus_name(source_arn)).name
        found = [
            archive
            for (r, name), archive in sorted(self._archives.items())
            if r == region
            and name.startswith(prefix or "")
            and (bus is None or archive.bus == bus)
            and state in (None, ENABLED)
        ]
        for archive in found:
            self._expire(archive)
        return paged(found, next_token, limit)

    def usage(self, archive: Archive) -> tuple[int, int]:
        """EventCount and SizeBytes."""
        return self.store.archive_usage(archive.key)

    def named(self, region: str, archive_arn: str) -> Archive | None:
        name = archive_arn.rsplit("archive/", 1)[-1] if ":archive/" in archive_arn else None
        return None if name is None else self._archives.get((region, name))

    # --- keeping events ---------------------------------------------------------------------

    def record(self, region: str, bus: str, event: dict) -> None:
        """Keep `event`, just put on `bus`, in each of the bus's archives that wants it."""
        archives = [a for a in list(self._archives.values()) if a.region == region and a.bus == bus]
        for archive in archives:
            if archive.keeps(event):
                now = self.registry.clock().timestamp()
                kept = ArchivedEvent(_event_time(event, now), now, event)
                self.store.archive_event(archive.key, kept, _size(event))
                self._expire(archive)

    def _expire(self, archive: Archive) -> None:
        if archive.retention_days:
            horizon = self.registry.clock().timestamp() - archive.retention_days * DAY_S
            self.store.expire_archived(archive.key, horizon)

    def _save(self, archive: Archive) -> None:
        self.store.put_document(TABLE, archive.key, archive.to_record())
        self._archives[archive.key] = archive


def _size(event: dict) -> int:
    """What an archived event counts for in SizeBytes: its entry's size as PutEvents counts it
    (source, detail-type, detail and resources)."""
    detail = json.dumps(event.get("detail", {}), separators=(",", ":"))
    resources = event.get("resources") or []
    parts = [event.get("source", ""), event.get("detail-type", ""), detail, *resources]
    return sum(len(str(part).encode()) for part in parts)


def _event_time(event: dict, default: float) -> float:
    """The event's own `time` (`2015-10-08T16:53:06Z`), by which replays choose it."""
    try:
        moment = datetime.strptime(str(event.get("time")), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return default
    return moment.replace(tzinfo=UTC).timestamp()


@lru_cache(maxsize=256)
def _pattern(text: str) -> EventPattern:
    return EventPattern.parse(text)
